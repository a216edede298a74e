import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropRootIdSql, rootIdMigrationSql, type RootIdSource } from '@platform/authz';

/** The tree's root account id on every table of a tree's data (issue 16, README "Scaling"): added, backfilled and filled on insert. */
export const ROOT_ID_TABLES: Record<string, RootIdSource> = {
  memberships: { account: 'account_id' },
  invitations: { account: 'account_id' },
  api_keys: { account: 'account_id' },
  partner_apps: { account: 'account_id' },
  partner_operations: { parent: 'partner_apps', column: 'app_id' },
  sso_configurations: { account: 'account_id' },
  sso_login_states: { parent: 'sso_configurations', column: 'configuration_id' },
  mail_outbox: { account: 'account_id' },
};

export class IdentityRootIds1764916100000 implements MigrationInterface {
  name = 'IdentityRootIds1764916100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of rootIdMigrationSql('identity', ROOT_ID_TABLES)) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of dropRootIdSql('identity', ROOT_ID_TABLES)) await queryRunner.query(statement);
  }
}
