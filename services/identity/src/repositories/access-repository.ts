import { queryRows, type Sql } from '@platform/db';

export type InvitationStatus = 'PENDING' | 'SENT' | 'ACCEPTED' | 'DECLINED' | 'EXPIRED' | 'REVOKED';

export interface InvitationRow {
  id: string;
  account_id: string;
  email: string;
  role: 'ADMIN' | 'ADVANCED_USER' | 'BASIC_USER';
  granted_permissions: string[];
  status: InvitationStatus;
  invited_by: string;
  user_id: string | null;
  membership_id: string | null;
  created_at: Date;
  sent_at: Date | null;
  expires_at: Date;
  responded_at: Date | null;
}

export interface ApiKeyRow {
  id: string;
  account_id: string;
  name: string;
  display_prefix: string;
  role: 'ADMIN' | 'ADVANCED_USER' | 'BASIC_USER' | null;
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

export interface SsoConfigurationRow {
  id: string;
  account_id: string;
  tree_id: string;
  issuer: string;
  client_id: string;
  allowed_domains: string[];
  default_role: 'ADMIN' | 'ADVANCED_USER' | 'BASIC_USER';
  /** password sign-in refused for the configuration's domains */
  require_sso: boolean;
  updated_at: Date;
}

const INVITATION_COLUMNS =
  'id, account_id, email, role, granted_permissions, status, invited_by, user_id, membership_id, created_at, sent_at, expires_at, responded_at';
const API_KEY_COLUMNS = 'id, account_id, name, display_prefix, role, permissions, partner_app_id, created_by, created_at, expires_at, revoked_at, last_used_at';
const SSO_COLUMNS = 'id, account_id, tree_id, issuer, client_id, allowed_domains, default_role, require_sso, updated_at';
const MANIFEST_SELECT = `
  SELECT app_id, manifest_version AS version, count(*)::int AS operation_count, min(created_at) AS created_at, max(retired_at) AS retired_at
    FROM identity.partner_operations`;

/** Invitations, API keys, partner apps and SSO configurations (SPEC I4, I7, I8, G3). */
export class AccessRepository {
  constructor(private readonly db: Sql) {}

  async insertInvitation(values: {
    accountId: string;
    email: string;
    role: string;
    grantedPermissions: string[];
    tokenHash: string;
    invitedBy: string;
    ttlSeconds: number;
  }): Promise<InvitationRow | null> {
    const rows: InvitationRow[] = await this.db.query(
      `INSERT INTO identity.invitations (account_id, email, role, granted_permissions, token_hash, invited_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))
       ON CONFLICT (account_id, email) WHERE status IN ('PENDING', 'SENT') DO NOTHING
       RETURNING ${INVITATION_COLUMNS}`,
      [values.accountId, values.email, values.role, values.grantedPermissions, values.tokenHash, values.invitedBy, values.ttlSeconds],
    );
    return rows[0] ?? null;
  }

  /** Open invitations past their expiry become EXPIRED (so the email can be invited again). */
  async expireOpenInvitations(accountId: string, email: string): Promise<void> {
    (await queryRows<unknown>(this.db, 
      `UPDATE identity.invitations SET status = 'EXPIRED' WHERE account_id = $1 AND email = $2 AND status IN ('PENDING', 'SENT') AND expires_at <= now()`,
      [accountId, email],
    ));
  }

  async markInvitationSent(id: string): Promise<InvitationRow> {
    const rows = (await queryRows<InvitationRow>(this.db, 
      `UPDATE identity.invitations SET status = 'SENT', sent_at = now() WHERE id = $1 AND status = 'PENDING' RETURNING ${INVITATION_COLUMNS}`,
      [id],
    ));
    return rows[0];
  }

  async findInvitationByTokenHash(tokenHash: string): Promise<InvitationRow | null> {
    const rows: InvitationRow[] = await this.db.query(`SELECT ${INVITATION_COLUMNS} FROM identity.invitations WHERE token_hash = $1`, [tokenHash]);
    return rows[0] ?? null;
  }

  async findInvitationById(id: string): Promise<InvitationRow | null> {
    const rows: InvitationRow[] = await this.db.query(`SELECT ${INVITATION_COLUMNS} FROM identity.invitations WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  findInvitationsByAccountIds(accountIds: readonly string[]): Promise<InvitationRow[]> {
    return this.db.query(
      `SELECT ${INVITATION_COLUMNS} FROM identity.invitations WHERE account_id = ANY($1::uuid[]) ORDER BY created_at DESC, id`,
      [accountIds],
    );
  }

  /** Moves an open, unexpired invitation to `status`; null when another request got there first. */
  async respondToInvitation(id: string, status: 'ACCEPTED' | 'DECLINED' | 'REVOKED'): Promise<InvitationRow | null> {
    const rows = (await queryRows<InvitationRow>(this.db, 
      `UPDATE identity.invitations SET status = $2, responded_at = now()
        WHERE id = $1 AND status IN ('PENDING', 'SENT') AND ($2 = 'REVOKED' OR expires_at > now())
        RETURNING ${INVITATION_COLUMNS}`,
      [id, status],
    ));
    return rows[0] ?? null;
  }

  async linkInvitation(id: string, userId: string, membershipId: string): Promise<InvitationRow> {
    const rows = (await queryRows<InvitationRow>(this.db, 
      `UPDATE identity.invitations SET user_id = $2, membership_id = $3 WHERE id = $1 RETURNING ${INVITATION_COLUMNS}`,
      [id, userId, membershipId],
    ));
    return rows[0];
  }

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

  findSsoConfigurationsByAccountIds(accountIds: readonly string[]): Promise<SsoConfigurationRow[]> {
    return this.db.query(`SELECT ${SSO_COLUMNS} FROM identity.sso_configurations WHERE account_id = ANY($1::uuid[])`, [accountIds]);
  }

  findSsoConfigurationsById(ids: readonly string[]): Promise<SsoConfigurationRow[]> {
    return this.db.query(`SELECT ${SSO_COLUMNS} FROM identity.sso_configurations WHERE id = ANY($1::uuid[])`, [ids]);
  }

  async upsertSsoConfiguration(values: {
    accountId: string;
    treeId: string;
    issuer: string;
    clientId: string;
    allowedDomains: string[];
    defaultRole: string;
    requireSso: boolean;
  }): Promise<SsoConfigurationRow> {
    const rows: SsoConfigurationRow[] = await this.db.query(
      `INSERT INTO identity.sso_configurations (account_id, tree_id, issuer, client_id, allowed_domains, default_role, require_sso)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (account_id) DO UPDATE SET issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id,
         allowed_domains = EXCLUDED.allowed_domains, default_role = EXCLUDED.default_role, require_sso = EXCLUDED.require_sso, updated_at = now()
       RETURNING ${SSO_COLUMNS}`,
      [values.accountId, values.treeId, values.issuer, values.clientId, values.allowedDomains, values.defaultRole, values.requireSso],
    );
    return rows[0];
  }

  /** Claims the domains for the configuration's tree; returns the domains another tree holds. */
  async claimSsoDomains(configurationId: string, treeId: string, domains: string[]): Promise<string[]> {
    (await queryRows<unknown>(this.db, `DELETE FROM identity.sso_domains WHERE configuration_id = $1 AND domain <> ALL($2::text[])`, [configurationId, domains]));
    await this.db.query(
      `INSERT INTO identity.sso_domains (domain, tree_id, configuration_id) SELECT d, $2, $3 FROM unnest($1::text[]) AS d
       ON CONFLICT (domain) DO UPDATE SET configuration_id = EXCLUDED.configuration_id WHERE identity.sso_domains.tree_id = EXCLUDED.tree_id`,
      [domains, treeId, configurationId],
    );
    const rows: { domain: string }[] = await this.db.query(
      `SELECT domain FROM identity.sso_domains WHERE domain = ANY($1::text[]) AND tree_id <> $2 ORDER BY domain`,
      [domains, treeId],
    );
    return rows.map((r) => r.domain);
  }

  /** The configuration that claimed the email's domain (a domain belongs to one tree), if any. */
  async findSsoConfigurationByDomain(domain: string): Promise<SsoConfigurationRow | null> {
    const rows: SsoConfigurationRow[] = await this.db.query(
      `SELECT ${SSO_COLUMNS.split(', ').map((c) => `c.${c}`).join(', ')}
         FROM identity.sso_domains d JOIN identity.sso_configurations c ON c.id = d.configuration_id
        WHERE d.domain = $1`,
      [domain],
    );
    return rows[0] ?? null;
  }

  async insertSsoLoginState(values: { stateHash: string; nonce: string; configurationId: string; ttlSeconds: number }): Promise<void> {
    await this.db.query(`DELETE FROM identity.sso_login_states WHERE expires_at < now()`);
    await this.db.query(
      `INSERT INTO identity.sso_login_states (state_hash, nonce, configuration_id, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [values.stateHash, values.nonce, values.configurationId, values.ttlSeconds],
    );
  }

  /** Uses up a live state (single use): its nonce and configuration, or null. */
  async consumeSsoLoginState(stateHash: string): Promise<{ nonce: string; configuration_id: string } | null> {
    const rows = await queryRows<{ nonce: string; configuration_id: string }>(
      this.db,
      `DELETE FROM identity.sso_login_states WHERE state_hash = $1 AND expires_at > now() RETURNING nonce, configuration_id`,
      [stateHash],
    );
    return rows[0] ?? null;
  }

  async findUserIdByIdentity(issuer: string, subject: string): Promise<string | null> {
    const rows: { user_id: string }[] = await this.db.query(`SELECT user_id FROM identity.user_identities WHERE issuer = $1 AND subject = $2`, [issuer, subject]);
    return rows[0]?.user_id ?? null;
  }

  async linkIdentity(issuer: string, subject: string, userId: string): Promise<void> {
    await this.db.query(`INSERT INTO identity.user_identities (issuer, subject, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [issuer, subject, userId]);
  }
}
