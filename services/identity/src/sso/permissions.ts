import { allow, canOnAccount, isUser } from '@platform/authz';

export const permissions = {
  Mutation: {
    configureSso: isUser,
    beginSsoLogin: allow,
    loginWithSso: allow,
  },
  Account: {
    ssoConfiguration: canOnAccount('security', (parent) => parent.id),
  },
  SsoConfiguration: allow,
  SsoLoginStart: allow,
};
