import { prepared, type Sql } from '@platform/db';
import crypto from 'node:crypto';

import { ANONYMOUS, type OperatorRole, type Principal } from './principal';

/** Opaque secrets (session tokens, later API keys) are stored only as their SHA-256. */
export function hashSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret, 'utf8').digest('hex');
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `<prefix>_<base62 of 256 random bits>` */
export function randomToken(prefix: string, bytes = 32): string {
  let value = BigInt(`0x${crypto.randomBytes(bytes).toString('hex')}`);
  let encoded = '';
  while (value > 0n) {
    encoded = BASE62[Number(value % 62n)] + encoded;
    value /= 62n;
  }
  return `${prefix}_${encoded.padStart(Math.ceil((bytes * 8) / Math.log2(62)), '0')}`;
}

export const SESSION_TOKEN_PREFIX = 'ses';
export const API_KEY_PREFIX = 'mpk';
/** Operator sessions (SPEC O1) and their one-time setup links. */
export const OPERATOR_SESSION_PREFIX = 'ops';
export const OPERATOR_SETUP_PREFIX = 'opsetup';

function base62(bytes: Buffer, length: number): string {
  let value = BigInt(`0x${bytes.toString('hex')}`);
  let encoded = '';
  while (value > 0n) {
    encoded = BASE62[Number(value % 62n)] + encoded;
    value /= 62n;
  }
  return encoded.padStart(length, '0').slice(-length);
}

const apiKeyChecksum = (body: string): string => base62(crypto.createHash('sha256').update(body).digest().subarray(0, 6), 6);
const API_KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}$`);

/**
 * `mpk_<base62 of 256 random bits>_<6-char checksum>` (SPEC I7). The checksum lets the gateway
 * refuse a mistyped or truncated key without a database read, and secret scanners spot keys.
 * `displayPrefix` (prefix and the first 8 random characters) is stored and shown; the key is not.
 */
export function generateApiKey(): { key: string; displayPrefix: string } {
  const body = randomToken(API_KEY_PREFIX, 32);
  const key = `${body}_${apiKeyChecksum(body)}`;
  return { key, displayPrefix: key.slice(0, API_KEY_PREFIX.length + 9) };
}

export function isWellFormedApiKey(token: string): boolean {
  if (!API_KEY_PATTERN.test(token)) return false;
  const body = token.slice(0, token.lastIndexOf('_'));
  return apiKeyChecksum(body) === token.slice(token.lastIndexOf('_') + 1);
}

// A key works while it is not revoked nor expired and no account on its chain is closed or
// suspended (a key never outlives its account). last_used_at is written at most once a minute.
const API_KEY_SQL = `
  WITH api_key AS (
    SELECT k.id, k.account_id, k.partner_app_id
      FROM identity.api_keys k
     WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
  ), chain AS (
    SELECT bool_or(p.status <> 'ACTIVE') AS blocked
      FROM api_key JOIN hierarchy.accounts a ON a.id = api_key.account_id JOIN hierarchy.accounts p ON p.id = ANY(a.path)
  ), touched AS (
    UPDATE identity.api_keys SET last_used_at = now()
     WHERE id = (SELECT id FROM api_key) AND NOT coalesce((SELECT blocked FROM chain), true)
       AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds')
    RETURNING id
  )
  SELECT api_key.id, api_key.account_id, api_key.partner_app_id, coalesce(chain.blocked, true) AS blocked
    FROM api_key, chain`;

/**
 * Resolves the bearer credential of a request into a principal. Unknown, expired or revoked
 * credentials answer null (the gateway refuses with UNAUTHENTICATED).
 */
export async function authenticateBearer(db: Sql, token: string): Promise<Principal | null> {
  if (token.startsWith(`${SESSION_TOKEN_PREFIX}_`) && token.length < 200) {
    const rows: { id: string; user_id: string; acting_account_id: string | null }[] = await db.query(
      prepared(`SELECT s.id, s.user_id, s.acting_account_id
         FROM identity.sessions s
        WHERE s.token_hash = $1 AND s.expires_at > now() AND s.revoked_at IS NULL`),
      [hashSecret(token)],
    );
    if (rows.length === 0) return null;
    return { kind: 'USER', id: rows[0].user_id, actingAccountId: rows[0].acting_account_id, sessionId: rows[0].id };
  }
  if (token.startsWith(`${OPERATOR_SESSION_PREFIX}_`) && token.length < 200) {
    const rows: { id: string; operator_id: string; role: OperatorRole }[] = await db.query(
      `SELECT s.id, s.operator_id, o.role
         FROM identity.operator_sessions s JOIN identity.operators o ON o.id = s.operator_id
        WHERE s.token_hash = $1 AND s.expires_at > now() AND s.revoked_at IS NULL AND o.status = 'ACTIVE'`,
      [hashSecret(token)],
    );
    if (rows.length === 0) return null;
    return { kind: 'OPERATOR', id: rows[0].operator_id, actingAccountId: null, sessionId: rows[0].id, operatorRole: rows[0].role };
  }
  if (token.startsWith(`${API_KEY_PREFIX}_`)) {
    if (!isWellFormedApiKey(token)) return null;
    const rows: { id: string; account_id: string; partner_app_id: string | null; blocked: boolean }[] = await db.query(prepared(API_KEY_SQL), [hashSecret(token)]);
    if (rows.length === 0 || rows[0].blocked) return null;
    return { kind: 'API_KEY', id: rows[0].id, actingAccountId: rows[0].account_id, sessionId: null, partnerAppId: rows[0].partner_app_id };
  }
  return null;
}

export { ANONYMOUS };
