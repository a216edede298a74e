import type { Role } from '@platform/authz';
import { queryRows, type Sql } from '@platform/db';

export interface ApiKeyRow {
  id: string;
  account_id: string;
  name: string;
  display_prefix: string;
  role: Role | null;
  permissions: string[] | null;
  partner_app_id: string | null;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface PartnerAppRow {
  id: string;
  account_id: string;
  name: string;
  created_at: Date;
}

export interface PartnerManifestRow {
  app_id: string;
  version: number;
  operation_count: number;
  created_at: Date;
  retired_at: Date | null;
}

const API_KEY_COLUMNS = 'id, account_id, name, display_prefix, role, permissions, partner_app_id, created_by, created_at, expires_at, revoked_at, last_used_at';
const MANIFEST_SELECT = `
  SELECT app_id, manifest_version AS version, count(*)::int AS operation_count, min(created_at) AS created_at, max(retired_at) AS retired_at
    FROM identity.partner_operations`;

/** API keys, partner apps and their trusted-document manifests (SPEC I7, G3). */
export class ApiKeyStore {
  constructor(private readonly db: Sql) {}

  async insertApiKey(values: {
    accountId: string;
    name: string;
    displayPrefix: string;
    keyHash: string;
    role: string | null;
    permissions: string[] | null;
    partnerAppId: string | null;
    createdBy: string;
    expiresAt: Date | null;
  }): Promise<ApiKeyRow> {
    const rows: ApiKeyRow[] = await this.db.query(
      `INSERT INTO identity.api_keys (account_id, name, display_prefix, key_hash, role, permissions, partner_app_id, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${API_KEY_COLUMNS}`,
      [values.accountId, values.name, values.displayPrefix, values.keyHash, values.role, values.permissions, values.partnerAppId, values.createdBy, values.expiresAt],
    );
    return rows[0];
  }

  async findApiKeyById(id: string): Promise<ApiKeyRow | null> {
    const rows: ApiKeyRow[] = await this.db.query(`SELECT ${API_KEY_COLUMNS} FROM identity.api_keys WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  findApiKeysByAccountIds(accountIds: readonly string[]): Promise<ApiKeyRow[]> {
    return this.db.query(`SELECT ${API_KEY_COLUMNS} FROM identity.api_keys WHERE account_id = ANY($1::uuid[]) ORDER BY created_at DESC, id`, [accountIds]);
  }

  async revokeApiKey(id: string): Promise<ApiKeyRow | null> {
    const rows = (await queryRows<ApiKeyRow>(this.db, 
      `UPDATE identity.api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING ${API_KEY_COLUMNS}`,
      [id],
    ));
    return rows[0] ?? null;
  }

  async insertPartnerApp(values: { accountId: string; name: string; createdBy: string | null }): Promise<PartnerAppRow | null> {
    const rows: PartnerAppRow[] = await this.db.query(
      `INSERT INTO identity.partner_apps (account_id, name, created_by) VALUES ($1, $2, $3)
       ON CONFLICT (account_id, name) DO NOTHING RETURNING id, account_id, name, created_at`,
      [values.accountId, values.name, values.createdBy],
    );
    return rows[0] ?? null;
  }

  async findPartnerAppById(id: string, options: { forUpdate?: boolean } = {}): Promise<PartnerAppRow | null> {
    const rows: PartnerAppRow[] = await this.db.query(
      `SELECT id, account_id, name, created_at FROM identity.partner_apps WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }

  findPartnerAppsByAccountIds(accountIds: readonly string[]): Promise<PartnerAppRow[]> {
    return this.db.query(`SELECT id, account_id, name, created_at FROM identity.partner_apps WHERE account_id = ANY($1::uuid[]) ORDER BY name, id`, [
      accountIds,
    ]);
  }

  findManifestsByAppIds(appIds: readonly string[]): Promise<PartnerManifestRow[]> {
    return this.db.query(`${MANIFEST_SELECT} WHERE app_id = ANY($1::uuid[]) GROUP BY app_id, manifest_version ORDER BY manifest_version`, [appIds]);
  }

  async findManifest(appId: string, version: number): Promise<PartnerManifestRow | null> {
    const rows: PartnerManifestRow[] = await this.db.query(
      `${MANIFEST_SELECT} WHERE app_id = $1 AND manifest_version = $2 GROUP BY app_id, manifest_version`,
      [appId, version],
    );
    return rows[0] ?? null;
  }

  async nextManifestVersion(appId: string): Promise<number> {
    const rows: { next: number }[] = await this.db.query(
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
    const rows = (await queryRows<unknown>(this.db, 
      `UPDATE identity.partner_operations SET retired_at = now() WHERE app_id = $1 AND manifest_version = $2 AND retired_at IS NULL RETURNING operation_id`,
      [appId, version],
    ));
    return rows.length;
  }
}
