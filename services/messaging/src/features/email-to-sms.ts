import crypto from 'node:crypto';
import type http from 'node:http';
import type { DataSource } from 'typeorm';
import { loadAccountChains, loadEffectiveSettingsAlongPath } from '@platform/authz';
import type { PlatformConfig } from '@platform/config';
import { AppError, assertId, errors, findIllFormedString, httpStatusOf } from '@platform/errors';
import { queryRows } from '@platform/db';
import { sendJson, type Logger } from '@platform/server';
import type { MessagingContext } from '../context';
import { toE164 } from '../phone';
import { mutate, numberPolicy, requireActiveChain } from '../services/access';
import { send } from '../services/send';
import { accountServiceContext } from './service-context';

/**
 * Email to SMS (SPEC M9). An account's admins (`email-to-sms`) register the sender addresses that
 * may send, and create the account's ingestion secret (shown once, stored as SHA-256). A mail
 * gateway POSTs `{ from, to, subject, text }` to `/inbound/email` with the secret in the
 * `x-email-to-sms-secret` header; the destination number is the local part of `to`
 * (`447700900123@sms.example`). The secret designates the account; the email becomes an SMS of
 * that account through the send service (every M2 check, no user: no per-user limits). Refusals
 * answer an error code and are recorded in messaging.email_to_sms_rejections.
 */
export const INBOUND_EMAIL_PATH = '/inbound/email';
export const SECRET_HEADER = 'x-email-to-sms-secret';
const SECRET_PREFIX = 'e2s_';
const MAX_REQUEST_BYTES = 64 * 1024;
const EMAIL = /^[^\s@<>()]{1,64}@[^\s@<>()]{1,253}$/;

const hashSecret = (secret: string) => crypto.createHash('sha256').update(secret).digest('hex');

/** `Name <a@b.example>` or `a@b.example` → `a@b.example` (lower case), else null. */
export function emailAddressOf(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 320) return null;
  const angle = /<([^<>]+)>\s*$/.exec(value);
  const address = (angle ? angle[1] : value).trim().toLowerCase();
  return EMAIL.test(address) ? address : null;
}

/** The destination number from the local part of `to`: digits, optionally `+` (international) or a national number. */
export function destinationNumber(to: string, defaultCountry: string): string | null {
  const local = to.slice(0, to.lastIndexOf('@')).trim();
  if (!/^\+?\d{6,15}$/.test(local)) return null;
  return toE164(local.startsWith('0') ? local : `+${local.replace(/^\+/, '')}`, defaultCountry);
}

export interface SenderRow {
  id: string;
  account_id: string;
  email: string;
  created_at: Date;
}

export const EmailToSmsService = {
  async config(ctx: MessagingContext, accountId: string) {
    const chain = await ctx.access.require(accountId, 'email-to-sms');
    const [policy, settings, senders, secrets, rejections] = await Promise.all([
      numberPolicy(ctx, chain.id),
      loadEffectiveSettingsAlongPath(ctx.dataSource, chain.path),
      queryRows<SenderRow>(ctx.dataSource, `SELECT id, account_id, email, created_at FROM messaging.email_to_sms_senders WHERE account_id = $1 ORDER BY email`, [chain.id]),
      queryRows<{ prefix: string; created_at: Date }>(ctx.dataSource, `SELECT prefix, created_at FROM messaging.email_to_sms_secrets WHERE account_id = $1`, [chain.id]),
      queryRows<{ id: string; from_email: string; to_address: string; code: string; reason: string; received_at: Date }>(
        ctx.dataSource,
        `SELECT id, from_email, to_address, code, reason, received_at FROM messaging.email_to_sms_rejections WHERE account_id = $1 ORDER BY received_at DESC, id LIMIT 50`,
        [chain.id],
      ),
    ]);
    return {
      accountId: chain.id,
      enabled: settings[settings.length - 1].values.emailToSmsEnabled,
      senders,
      secretPrefix: secrets[0]?.prefix ?? null,
      secretCreatedAt: secrets[0] ? new Date(secrets[0].created_at).toISOString() : null,
      // `to` holds the destination number (its local part), and a reason may quote it: masked per I6.
      rejections: rejections.map((r) => ({
        id: r.id,
        from: r.from_email,
        to: policy.showDigitsIn(r.to_address),
        code: r.code,
        reason: policy.showDigitsIn(r.reason),
        receivedAt: new Date(r.received_at).toISOString(),
      })),
    };
  },

  async registerSender(ctx: MessagingContext, accountId: string, email: string): Promise<SenderRow> {
    const chain = await ctx.access.require(accountId, 'email-to-sms');
    requireActiveChain(chain);
    const address = emailAddressOf(email);
    if (!address || address !== email.trim().toLowerCase()) throw errors.badInput('email must be an email address', 'email');
    const settings = await loadEffectiveSettingsAlongPath(ctx.dataSource, chain.path);
    if (!settings[settings.length - 1].values.emailToSmsEnabled) throw new AppError('EMAIL_TO_SMS_DISABLED', 'Turn the emailToSmsEnabled setting on first');
    return mutate(ctx, chain, 'registerEmailToSmsSender', async (tx) => {
      const [row] = await queryRows<SenderRow>(
        tx,
        `INSERT INTO messaging.email_to_sms_senders (account_id, email, created_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id, account_id, email, created_at`,
        [chain.id, address, ctx.principal.id],
      );
      if (!row) throw new AppError('ALREADY_EXISTS', 'This address is registered already', { field: 'email' });
      return { result: row, targetType: 'EmailToSmsSender', targetId: row.id, after: { email: address } };
    });
  },

  async removeSender(ctx: MessagingContext, id: string): Promise<string> {
    const [sender] = await queryRows<SenderRow>(ctx.dataSource, `SELECT id, account_id, email, created_at FROM messaging.email_to_sms_senders WHERE id = $1`, [assertId(id)]);
    // Senders are listed only to holders of `email-to-sms`: without it, a sender does not exist for the caller.
    if (!sender || !(await ctx.access.can(sender.account_id, 'email-to-sms'))) throw errors.notFound('Email to SMS sender');
    const chain = await ctx.access.require(sender.account_id, 'email-to-sms');
    return mutate(ctx, chain, 'removeEmailToSmsSender', async (tx) => {
      await tx.query(`DELETE FROM messaging.email_to_sms_senders WHERE id = $1`, [sender.id]);
      return { result: sender.id, targetType: 'EmailToSmsSender', targetId: sender.id, before: { email: sender.email } };
    });
  },

  /** A new ingestion secret (the previous one stops working at once); shown only in this answer. */
  async rotateSecret(ctx: MessagingContext, accountId: string) {
    const chain = await ctx.access.require(accountId, 'email-to-sms');
    requireActiveChain(chain);
    const secret = `${SECRET_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
    const prefix = secret.slice(0, SECRET_PREFIX.length + 6);
    return mutate(ctx, chain, 'rotateEmailToSmsSecret', async (tx) => {
      const [row] = await queryRows<{ created_at: Date }>(
        tx,
        `INSERT INTO messaging.email_to_sms_secrets (account_id, secret_hash, prefix, created_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, prefix = EXCLUDED.prefix, created_by = EXCLUDED.created_by, created_at = now()
         RETURNING created_at`,
        [chain.id, hashSecret(secret), prefix, ctx.principal.id],
      );
      return {
        result: { secret, secretPrefix: prefix, createdAt: new Date(row.created_at).toISOString(), path: INBOUND_EMAIL_PATH, header: SECRET_HEADER },
        targetType: 'EmailToSmsSecret',
        targetId: chain.id,
        after: { prefix },
      };
    });
  },
};

function readJson(request: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        request.destroy();
        reject(new AppError('PAYLOAD_TOO_LARGE', `The email exceeds ${MAX_REQUEST_BYTES} bytes`));
      } else chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new AppError('BAD_REQUEST', 'The body is not JSON'));
      }
    });
    request.on('error', reject);
  });
}

const refuse = (response: http.ServerResponse, code: string, message: string) =>
  sendJson(response, httpStatusOf(code), { errors: [{ message, extensions: { code } }] });

/** POST /inbound/email (proxied by the gateway). */
export function inboundEmailRoute(dataSource: DataSource, config: PlatformConfig, logger: Logger) {
  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    if (request.method !== 'POST') return refuse(response, 'BAD_REQUEST', 'Use POST');
    const secret = request.headers[SECRET_HEADER];
    const [owner] =
      typeof secret === 'string' && secret.startsWith(SECRET_PREFIX) && secret.length < 200
        ? await queryRows<{ account_id: string }>(dataSource, `SELECT account_id FROM messaging.email_to_sms_secrets WHERE secret_hash = $1`, [hashSecret(secret)])
        : [];
    if (!owner) {
      logger.warn({ path: INBOUND_EMAIL_PATH }, 'email to SMS refused: missing or unknown secret');
      request.resume();
      return refuse(response, 'UNAUTHENTICATED', `Missing or invalid ${SECRET_HEADER} header`);
    }
    let email: { from?: unknown; to?: unknown; subject?: unknown; text?: unknown; messageId?: unknown };
    try {
      const body = await readJson(request);
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new AppError('BAD_REQUEST', 'The body must be a JSON object');
      const illFormed = findIllFormedString(body);
      if (illFormed !== null) throw new AppError('BAD_USER_INPUT', 'Strings must be well-formed Unicode (this one holds a lone UTF-16 surrogate)', { field: illFormed });
      email = body as typeof email;
    } catch (error) {
      if (error instanceof AppError) return refuse(response, error.code, error.message);
      throw error;
    }
    const chain = (await loadAccountChains(dataSource, [owner.account_id])).get(owner.account_id);
    if (!chain) return refuse(response, 'UNAUTHENTICATED', 'The account of this secret no longer exists');
    const from = emailAddressOf(email.from);
    const to = typeof email.to === 'string' ? email.to.trim().slice(0, 320) : '';
    const reject = async (code: string, reason: string) => {
      await dataSource.query(`INSERT INTO messaging.email_to_sms_rejections (account_id, from_email, to_address, code, reason) VALUES ($1, $2, $3, $4, $5)`, [
        chain.id,
        from ?? String(email.from ?? '').slice(0, 320),
        to,
        code,
        reason.slice(0, 500),
      ]);
      logger.info({ accountId: chain.id, code }, 'email to SMS refused');
      refuse(response, code, reason);
    };
    const settings = await loadEffectiveSettingsAlongPath(dataSource, chain.path);
    if (!settings[settings.length - 1].values.emailToSmsEnabled) return reject('EMAIL_TO_SMS_DISABLED', 'Email to SMS is off for this account');
    if (!from) return reject('BAD_USER_INPUT', 'from must be an email address');
    const [registered] = await queryRows<{ id: string }>(dataSource, `SELECT id FROM messaging.email_to_sms_senders WHERE account_id = $1 AND email = $2`, [chain.id, from]);
    if (!registered) return reject('EMAIL_SENDER_NOT_REGISTERED', `${from} is not a registered sender of this account`);
    const phone = to.includes('@') ? destinationNumber(to, config.messaging.defaultCountry) : null;
    if (!phone) return reject('INVALID_PHONE_NUMBER', 'The local part of "to" must be the destination phone number, e.g. 447400500123@sms.example');
    const text = typeof email.text === 'string' && email.text.trim() ? email.text.trim() : typeof email.subject === 'string' ? email.subject.trim() : '';
    if (!text) return reject('BAD_USER_INPUT', 'The email has no text nor subject');
    const idempotencyKey = typeof email.messageId === 'string' && email.messageId ? `email:${crypto.createHash('sha256').update(email.messageId).digest('hex').slice(0, 40)}` : null;
    try {
      const ctx = accountServiceContext(dataSource, config, logger, chain, `email-to-sms:${registered.id}`);
      const result = await send(ctx, { accountId: chain.id, to: [phone], body: text, idempotencyKey }, 'emailToSms');
      sendJson(response, 202, { batchId: result.batchId, accepted: result.accepted, status: result.status, sendAt: result.sendAt, messageIds: result.messageIds, skipped: result.skipped, costUnits: result.costUnits });
    } catch (error) {
      if (error instanceof AppError) return reject(error.code, error.message);
      throw error;
    }
  };
}
