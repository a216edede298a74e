import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropRootIdSql, rootIdMigrationSql, type RootIdSource } from '@platform/authz';

/** The tree's root account id on every table of a tree's data (issue 16, README "Scaling"): added, backfilled and filled on insert. */
export const ROOT_ID_TABLES: Record<string, RootIdSource> = {
  account_settings: { account: 'account_id' },
  outbox: { path: 'account_path' },
};

export class HierarchyRootIds1764916100000 implements MigrationInterface {
  name = 'HierarchyRootIds1764916100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of rootIdMigrationSql('hierarchy', ROOT_ID_TABLES)) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of dropRootIdSql('hierarchy', ROOT_ID_TABLES)) await queryRunner.query(statement);
  }
}
