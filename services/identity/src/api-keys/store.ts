import type { Role } from '@platform/authz';
import { keysetSql, pagesPerParentSql, queryOne, queryRows, timestampKeySql, type CountedConnection, type PageRequest, type Sql } from '@platform/db';

export interface ApiKeyRow {
  id: string;
  accountId: string;
  name: string;
  /** the visible start of the key */
  prefix: string;
  role: Role | null;
  permissions: string[] | null;
  partnerAppId: string | null;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface PartnerAppRow {
  id: string;
  accountId: string;
  name: string;
  createdAt: Date;
}

export interface PartnerManifestRow {
  appId: string;
  version: number;
  operationCount: number;
  createdAt: Date;
  retiredAt: Date | null;
}

const apiKeyColumns = (t = '') => `${t}id, ${t}account_id AS "accountId", ${t}name, ${t}display_prefix AS "prefix", ${t}role, ${t}permissions, ${t}partner_app_id AS "partnerAppId",
  ${t}created_by AS "createdBy", ${t}created_at AS "createdAt", ${t}expires_at AS "expiresAt", ${t}revoked_at AS "revokedAt", ${t}last_used_at AS "lastUsedAt"`;
const API_KEY_COLUMNS = apiKeyColumns();

/** An API key read for a page, with its sort key (created_at at full precision). */
export type ApiKeyPageRow = ApiKeyRow & { createdAtKey: string };
export type ApiKeyConnectionValue = CountedConnection<ApiKeyRow>;
const PARTNER_APP_COLUMNS = 'id, account_id AS "accountId", name, created_at AS "createdAt"';
const MANIFEST_SELECT = `
  SELECT app_id AS "appId", manifest_version AS version, count(*)::int AS "operationCount", min(created_at) AS "createdAt", max(retired_at) AS "retiredAt"
    FROM identity.partner_operations`;

/** API keys, partner apps and their trusted-document manifests (SPEC I7, G3). */
export class ApiKeyStore {
  constructor(private readonly db: Sql) {}

  async insertApiKey(values: {
    accountId: string;
    name: string;
    displayPrefix: string;
    keyHash: string;
    role: Role | null;
    permissions: string[] | null;
    partnerAppId: string | null;
    createdBy: string;
    expiresAt: Date | null;
  }): Promise<ApiKeyRow> {
    const rows = await queryRows<ApiKeyRow>(
      this.db,
      `INSERT INTO identity.api_keys (account_id, name, display_prefix, key_hash, role, permissions, partner_app_id, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${API_KEY_COLUMNS}`,
      [values.accountId, values.name, values.displayPrefix, values.keyHash, values.role, values.permissions, values.partnerAppId, values.createdBy, values.expiresAt],
    );
    return rows[0];
  }

  findApiKeyById(id: string): Promise<ApiKeyRow | null> {
    return queryOne<ApiKeyRow>(this.db, `SELECT ${API_KEY_COLUMNS} FROM identity.api_keys WHERE id = $1`, [id]);
  }

  findApiKeysByIds(ids: readonly string[]): Promise<ApiKeyRow[]> {
    return queryRows<ApiKeyRow>(this.db, `SELECT ${API_KEY_COLUMNS} FROM identity.api_keys WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** The same page of each account's API keys, newest first, in one statement. */
  findApiKeyPages(accountIds: readonly string[], page: PageRequest<readonly [string, string]>): Promise<ApiKeyPageRow[]> {
    const keyset = keysetSql(page, { columns: ['k.created_at', 'k.id'], types: ['timestamptz', 'uuid'], order: 'DESC', firstParameter: 2 });
    return queryRows<ApiKeyPageRow>(
      this.db,
      pagesPerParentSql({ select: `${apiKeyColumns('k.')}, ${timestampKeySql('k.created_at')} AS "createdAtKey"`, from: 'identity.api_keys k', conditions: ['k.account_id = parent.id'], keyset }),
      [accountIds, ...keyset.parameters],
    );
  }

  countApiKeys(accountIds: readonly string[]): Promise<{ accountId: string; count: number }[]> {
    return queryRows(this.db, `SELECT account_id AS "accountId", count(*)::int AS count FROM identity.api_keys WHERE account_id = ANY($1::uuid[]) GROUP BY account_id`, [accountIds]);
  }

  revokeApiKey(id: string): Promise<ApiKeyRow | null> {
    return queryOne<ApiKeyRow>(
      this.db,
      `UPDATE identity.api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING ${API_KEY_COLUMNS}`,
      [id],
    );
  }

  insertPartnerApp(values: { accountId: string; name: string; createdBy: string | null }): Promise<PartnerAppRow | null> {
    return queryOne<PartnerAppRow>(
      this.db,
      `INSERT INTO identity.partner_apps (account_id, name, created_by) VALUES ($1, $2, $3)
       ON CONFLICT (account_id, name) DO NOTHING RETURNING ${PARTNER_APP_COLUMNS}`,
      [values.accountId, values.name, values.createdBy],
    );
  }

  findPartnerAppById(id: string, options: { forUpdate?: boolean } = {}): Promise<PartnerAppRow | null> {
    return queryOne<PartnerAppRow>(
      this.db,
      `SELECT ${PARTNER_APP_COLUMNS} FROM identity.partner_apps WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
  }

  findPartnerAppsByAccountIds(accountIds: readonly string[]): Promise<PartnerAppRow[]> {
    return queryRows<PartnerAppRow>(this.db, `SELECT ${PARTNER_APP_COLUMNS} FROM identity.partner_apps WHERE account_id = ANY($1::uuid[]) ORDER BY name, id`, [
      accountIds,
    ]);
  }

  findManifestsByAppIds(appIds: readonly string[]): Promise<PartnerManifestRow[]> {
    return queryRows<PartnerManifestRow>(this.db, `${MANIFEST_SELECT} WHERE app_id = ANY($1::uuid[]) GROUP BY app_id, manifest_version ORDER BY manifest_version`, [appIds]);
  }

  findManifest(appId: string, version: number): Promise<PartnerManifestRow | null> {
    return queryOne<PartnerManifestRow>(this.db, `${MANIFEST_SELECT} WHERE app_id = $1 AND manifest_version = $2 GROUP BY app_id, manifest_version`, [appId, version]);
  }

  async nextManifestVersion(appId: string): Promise<number> {
    const rows = await queryRows<{ next: number }>(
      this.db,
      `SELECT coalesce(max(manifest_version), 0) + 1 AS next FROM identity.partner_operations WHERE app_id = $1`,
      [appId],
    );
    return rows[0].next;
  }

  async insertPartnerOperations(appId: string, version: number, operations: { id: string; name: string; type: string; body: string }[]): Promise<void> {
    await this.db.query(
      `INSERT INTO identity.partner_operations (app_id, manifest_version, operation_id, name, type, body)
       SELECT $1, $2, o.id, o.name, o.type, o.body
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS o(id, name, type, body)`,
      [appId, version, operations.map((o) => o.id), operations.map((o) => o.name), operations.map((o) => o.type), operations.map((o) => o.body)],
    );
  }

  async retireManifest(appId: string, version: number): Promise<number> {
    const rows = await queryRows<unknown>(
      this.db,
      `UPDATE identity.partner_operations SET retired_at = now() WHERE app_id = $1 AND manifest_version = $2 AND retired_at IS NULL RETURNING operation_id`,
      [appId, version],
    );
    return rows.length;
  }
}
