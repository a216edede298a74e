import { allow, isOperatorWith, rule } from '@platform/authz';
import { errors } from '@platform/errors';
import type { IdentityContext } from '../context';

const isOperator = rule({ cache: 'contextual' })((_parent, _args, ctx: IdentityContext) => (ctx.access.isOperator ? true : errors.unauthenticated('An operator session is required')));

export const permissions = {
  Query: {
    // null for anyone but an operator
    operatorMe: allow,
    operators: isOperatorWith('operators.manage'),
  },
  Mutation: {
    operatorLogin: allow,
    completeOperatorSetup: allow,
    operatorLogout: isOperator,
    createOperator: isOperatorWith('operators.manage'),
    setOperatorStatus: isOperatorWith('operators.manage'),
  },
  // Reached only from the operator queries and mutations above, which decide who sees them.
  Operator: allow,
  OperatorAuthPayload: allow,
  OperatorSetup: allow,
};
