import { allow, isOperatorWith } from '@platform/authz';

export const permissions = {
  Query: {
    customers: isOperatorWith('customers.read'),
  },
  Mutation: {
    createCustomer: isOperatorWith('customers.manage'),
    operatorSetAccountStatus: isOperatorWith('customers.manage'),
  },
  // Reached only through `customers`, which only operators may call.
  Customer: allow,
  CustomerEdge: allow,
  CustomerConnection: allow,
  PageInfo: allow,
};
