import { allow, canOnAccount, isOperatorWith } from '@platform/authz';

export const permissions = {
  Query: {
    customers: isOperatorWith('customers.read'),
  },
  Mutation: {
    requestAccountClosure: canOnAccount('system-configuration', (_parent, args) => args.accountId),
    createCustomer: isOperatorWith('customers.manage'),
    operatorSetAccountStatus: isOperatorWith('customers.manage'),
  },
  // Account.closureRequest: under the accounts module's type rule; its resolver shows it only to the account's admins and operators.
  ClosureRequest: allow,
  // Reached only through `customers`, which only operators may call.
  Customer: allow,
  CustomerEdge: allow,
  CustomerConnection: allow,
  PageInfo: allow,
};
