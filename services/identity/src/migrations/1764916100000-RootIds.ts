import { rootIdMigration } from '@platform/authz';

/** The tree's root account id on every table of a tree's data (issue 16, README "Scaling"): added, backfilled and filled on insert. */
export const IdentityRootIds1764916100000 = rootIdMigration('IdentityRootIds1764916100000', 'identity', {
  memberships: { account: 'account_id' },
  invitations: { account: 'account_id' },
  api_keys: { account: 'account_id' },
  partner_apps: { account: 'account_id' },
  partner_operations: { parent: 'partner_apps', column: 'app_id' },
  sso_configurations: { account: 'account_id' },
  sso_login_states: { parent: 'sso_configurations', column: 'configuration_id' },
  mail_outbox: { account: 'account_id' },
});
