import type { MutationResolvers, QueryResolvers, Resolvers } from '../__generated__/resolvers-types';
import { OperatorService } from './service';

const Query: QueryResolvers = {
  operatorMe: (_root, _args, ctx) => new OperatorService(ctx).me(),
  operators: (_root, _args, ctx) => new OperatorService(ctx).list(),
};

const Mutation: MutationResolvers = {
  operatorLogin: (_root, args, ctx) => new OperatorService(ctx).login(args.email, args.password),
  operatorLogout: (_root, _args, ctx) => new OperatorService(ctx).logout(),
  completeOperatorSetup: (_root, args, ctx) => new OperatorService(ctx).completeSetup(args.token, args.password),
  createOperator: (_root, args, ctx) => new OperatorService(ctx).create(args.input),
  setOperatorStatus: (_root, args, ctx) => new OperatorService(ctx).setStatus(args.id, args.status),
};

export const resolvers: Resolvers = { Query, Mutation };
