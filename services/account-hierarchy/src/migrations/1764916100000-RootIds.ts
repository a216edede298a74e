import { rootIdMigration } from '@platform/authz';

/** The tree's root account id on every table of a tree's data (issue 16, README "Scaling"): added, backfilled and filled on insert. */
export const HierarchyRootIds1764916100000 = rootIdMigration('HierarchyRootIds1764916100000', 'hierarchy', {
  account_settings: { account: 'account_id' },
  outbox: { path: 'account_path' },
});
