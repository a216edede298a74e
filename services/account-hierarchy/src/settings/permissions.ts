import { allow, canOnAccount } from '@platform/authz';

export const permissions = {
  Mutation: {
    updateAccountSettings: canOnAccount('system-configuration', (_parent, args) => args.id),
  },
  // Reached only through a guarded Account field.
  AccountSettings: allow,
  SettingOrigin: allow,
  SendingWindow: allow,
  SmsLimits: allow,
};
