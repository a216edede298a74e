import type { Role } from '@platform/authz';
import { queryOne, queryRows, type Sql } from '@platform/db';

export interface SsoConfigurationRow {
  id: string;
  accountId: string;
  treeId: string;
  issuer: string;
  clientId: string;
  allowedDomains: string[];
  defaultRole: Role;
  /** password sign-in refused for the configuration's domains */
  requireSso: boolean;
  updatedAt: Date;
}

/** The columns of an SsoConfigurationRow; `table` qualifies them in a join. */
const ssoColumns = (table = '') =>
  `${table}id, ${table}account_id AS "accountId", ${table}tree_id AS "treeId", ${table}issuer, ${table}client_id AS "clientId",
   ${table}allowed_domains AS "allowedDomains", ${table}default_role AS "defaultRole", ${table}require_sso AS "requireSso", ${table}updated_at AS "updatedAt"`;
const SSO_COLUMNS = ssoColumns();

/** SSO configurations, their claimed domains, sign-in states and linked identities (SPEC I8). */
export class SsoStore {
  constructor(private readonly db: Sql) {}

  findSsoConfigurationsByAccountIds(accountIds: readonly string[]): Promise<SsoConfigurationRow[]> {
    return queryRows<SsoConfigurationRow>(this.db, `SELECT ${SSO_COLUMNS} FROM identity.sso_configurations WHERE account_id = ANY($1::uuid[])`, [accountIds]);
  }

  findSsoConfigurationsById(ids: readonly string[]): Promise<SsoConfigurationRow[]> {
    return queryRows<SsoConfigurationRow>(this.db, `SELECT ${SSO_COLUMNS} FROM identity.sso_configurations WHERE id = ANY($1::uuid[])`, [ids]);
  }

  async upsertSsoConfiguration(values: {
    accountId: string;
    treeId: string;
    issuer: string;
    clientId: string;
    allowedDomains: string[];
    defaultRole: Role;
    requireSso: boolean;
  }): Promise<SsoConfigurationRow> {
    const rows = await queryRows<SsoConfigurationRow>(
      this.db,
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
    await this.db.query(`DELETE FROM identity.sso_domains WHERE configuration_id = $1 AND domain <> ALL($2::text[])`, [configurationId, domains]);
    await this.db.query(
      `INSERT INTO identity.sso_domains (domain, tree_id, configuration_id) SELECT d, $2, $3 FROM unnest($1::text[]) AS d
       ON CONFLICT (domain) DO UPDATE SET configuration_id = EXCLUDED.configuration_id WHERE identity.sso_domains.tree_id = EXCLUDED.tree_id`,
      [domains, treeId, configurationId],
    );
    const rows = await queryRows<{ domain: string }>(
      this.db,
      `SELECT domain FROM identity.sso_domains WHERE domain = ANY($1::text[]) AND tree_id <> $2 ORDER BY domain`,
      [domains, treeId],
    );
    return rows.map((r) => r.domain);
  }

  /** The configuration that claimed the email's domain (a domain belongs to one tree), if any. */
  findSsoConfigurationByDomain(domain: string): Promise<SsoConfigurationRow | null> {
    return queryOne<SsoConfigurationRow>(
      this.db,
      `SELECT ${ssoColumns('c.')}
         FROM identity.sso_domains d JOIN identity.sso_configurations c ON c.id = d.configuration_id
        WHERE d.domain = $1`,
      [domain],
    );
  }

  async insertSsoLoginState(values: { stateHash: string; nonce: string; configurationId: string; ttlSeconds: number }): Promise<void> {
    await this.db.query(`DELETE FROM identity.sso_login_states WHERE expires_at < now()`);
    await this.db.query(
      `INSERT INTO identity.sso_login_states (state_hash, nonce, configuration_id, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [values.stateHash, values.nonce, values.configurationId, values.ttlSeconds],
    );
  }

  /** Uses up a live state (single use): its nonce and configuration, or null. */
  consumeSsoLoginState(stateHash: string): Promise<{ nonce: string; configurationId: string } | null> {
    return queryOne<{ nonce: string; configurationId: string }>(
      this.db,
      `DELETE FROM identity.sso_login_states WHERE state_hash = $1 AND expires_at > now() RETURNING nonce, configuration_id AS "configurationId"`,
      [stateHash],
    );
  }

  /** Records the first use of an ID token (kept until it expires, `expiresAt` in epoch seconds); false when it was used before. */
  async claimTokenUse(tokenHash: string, expiresAt: number): Promise<boolean> {
    await this.db.query(`DELETE FROM identity.sso_token_uses WHERE expires_at < now()`);
    const claimed = await queryRows<{ token_hash: string }>(
      this.db,
      `INSERT INTO identity.sso_token_uses (token_hash, expires_at) VALUES ($1, to_timestamp($2)) ON CONFLICT DO NOTHING RETURNING token_hash`,
      [tokenHash, expiresAt],
    );
    return claimed.length > 0;
  }

  async findUserIdByIdentity(issuer: string, subject: string): Promise<string | null> {
    const identity = await queryOne<{ userId: string }>(this.db, `SELECT user_id AS "userId" FROM identity.user_identities WHERE issuer = $1 AND subject = $2`, [issuer, subject]);
    return identity?.userId ?? null;
  }

  async linkIdentity(issuer: string, subject: string, userId: string): Promise<void> {
    await this.db.query(`INSERT INTO identity.user_identities (issuer, subject, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [issuer, subject, userId]);
  }
}
