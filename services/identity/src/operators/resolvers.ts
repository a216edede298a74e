import type { OperatorRole } from '@platform/authz';
import type { IdentityContext } from '../context';
import { OperatorService, type OperatorSession, type OperatorSetup } from './service';
import type { OperatorRow, OperatorStatus } from './store';

export const resolvers = {
  Query: {
    operatorMe: (_root: unknown, _args: unknown, ctx: IdentityContext) => new OperatorService(ctx).me(),
    operators: (_root: unknown, _args: unknown, ctx: IdentityContext) => new OperatorService(ctx).list(),
  },
  Mutation: {
    operatorLogin: (_root: unknown, args: { email: string; password: string }, ctx: IdentityContext) => new OperatorService(ctx).login(args.email, args.password),
    operatorLogout: (_root: unknown, _args: unknown, ctx: IdentityContext) => new OperatorService(ctx).logout(),
    completeOperatorSetup: (_root: unknown, args: { token: string; password: string }, ctx: IdentityContext) => new OperatorService(ctx).completeSetup(args.token, args.password),
    createOperator: (_root: unknown, args: { input: { email: string; name: string; role: OperatorRole } }, ctx: IdentityContext) => new OperatorService(ctx).create(args.input),
    setOperatorStatus: (_root: unknown, args: { id: string; status: OperatorStatus }, ctx: IdentityContext) => new OperatorService(ctx).setStatus(args.id, args.status),
  },
  Operator: {
    createdAt: (operator: OperatorRow) => operator.createdAt.toISOString(),
  },
  OperatorAuthPayload: {
    expiresAt: (session: OperatorSession) => session.expiresAt.toISOString(),
  },
  OperatorSetup: {
    expiresAt: (setup: OperatorSetup) => setup.expiresAt.toISOString(),
  },
};
