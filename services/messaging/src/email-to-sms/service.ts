import crypto from 'node:crypto';
import { loadEffectiveSettingsAlongPath } from '@platform/authz';
import { AppError, assertId, errors } from '@platform/errors';
import { mutate } from '@platform/audit';
import type { MessagingContext } from '../context';
import { auditScope, numberPolicy, requireActiveChain } from '../access/access';
import { toE164 } from '../phone/phone';
import { deleteSender, findSender, insertSender, latestRejections, secretOfAccount, sendersOfAccount, storeSecret, type SenderRow } from './store';

/**
 * Email to SMS (SPEC M9). An account's admins (`email-to-sms`) register the sender addresses that
 * may send, and create the account's ingestion secret (shown once, stored as SHA-256). A mail
 * gateway POSTs `{ from, to, subject, text }` to `/inbound/email` with the secret in the
 * `x-email-to-sms-secret` header; the destination number is the local part of `to`
 * (`447700900123@sms.example`; route.ts). The secret designates the account; the email becomes an SMS of
 * that account through the send service (every M2 check, no user: no per-user limits). Refusals
 * answer an error code and are recorded in messaging.email_to_sms_rejections.
 */
export const INBOUND_EMAIL_PATH = '/inbound/email';
export const SECRET_HEADER = 'x-email-to-sms-secret';
export const SECRET_PREFIX = 'e2s_';
const EMAIL = /^[^\s@<>()]{1,64}@[^\s@<>()]{1,253}$/;

export const hashSecret = (secret: string) => crypto.createHash('sha256').update(secret).digest('hex');

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

export const EmailToSmsService = {
  async config(ctx: MessagingContext, accountId: string) {
    const chain = await ctx.access.require(accountId, 'email-to-sms');
    const [policy, settings, senders, secret, rejections] = await Promise.all([
      numberPolicy(ctx, chain.id),
      loadEffectiveSettingsAlongPath(ctx.dataSource, chain.path),
      sendersOfAccount(ctx.dataSource, chain.id),
      secretOfAccount(ctx.dataSource, chain.id),
      latestRejections(ctx.dataSource, chain.id),
    ]);
    return {
      accountId: chain.id,
      enabled: settings[settings.length - 1].values.emailToSmsEnabled,
      senders,
      secretPrefix: secret?.prefix ?? null,
      secretCreatedAt: secret?.createdAt ?? null,
      // `to` holds the destination number (its local part), and a reason may quote it: masked per I6.
      rejections: rejections.map((r) => ({ ...r, to: policy.showDigitsIn(r.to), reason: policy.showDigitsIn(r.reason) })),
    };
  },

  async registerSender(ctx: MessagingContext, accountId: string, email: string): Promise<SenderRow> {
    const chain = await ctx.access.require(accountId, 'email-to-sms');
    requireActiveChain(chain);
    const address = emailAddressOf(email);
    if (!address || address !== email.trim().toLowerCase()) throw errors.badInput('email must be an email address', 'email');
    const settings = await loadEffectiveSettingsAlongPath(ctx.dataSource, chain.path);
    if (!settings[settings.length - 1].values.emailToSmsEnabled) throw new AppError('EMAIL_TO_SMS_DISABLED', 'Turn the emailToSmsEnabled setting on first');
    return mutate(auditScope(ctx, chain), 'registerEmailToSmsSender', async (tx) => {
      const row = await insertSender(tx, chain.id, address, ctx.principal.id);
      if (!row) throw new AppError('ALREADY_EXISTS', 'This address is registered already', { field: 'email' });
      return { result: row, targetType: 'EmailToSmsSender', targetId: row.id, after: { email: address } };
    });
  },

  async removeSender(ctx: MessagingContext, id: string): Promise<string> {
    const sender = await findSender(ctx.dataSource, assertId(id));
    // Senders are listed only to holders of `email-to-sms`: without it, a sender does not exist for the caller.
    if (!sender || !(await ctx.access.can(sender.accountId, 'email-to-sms'))) throw errors.notFound('Email to SMS sender');
    const chain = await ctx.access.require(sender.accountId, 'email-to-sms');
    return mutate(auditScope(ctx, chain), 'removeEmailToSmsSender', async (tx) => {
      await deleteSender(tx, sender.id);
      return { result: sender.id, targetType: 'EmailToSmsSender', targetId: sender.id, before: { email: sender.email } };
    });
  },

  /** A new ingestion secret (the previous one stops working at once); shown only in this answer. */
  async rotateSecret(ctx: MessagingContext, accountId: string) {
    const chain = await ctx.access.require(accountId, 'email-to-sms');
    requireActiveChain(chain);
    const secret = `${SECRET_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
    const prefix = secret.slice(0, SECRET_PREFIX.length + 6);
    return mutate(auditScope(ctx, chain), 'rotateEmailToSmsSecret', async (tx) => {
      const createdAt = await storeSecret(tx, chain.id, hashSecret(secret), prefix, ctx.principal.id);
      return {
        result: { secret, secretPrefix: prefix, createdAt, path: INBOUND_EMAIL_PATH, header: SECRET_HEADER },
        targetType: 'EmailToSmsSecret',
        targetId: chain.id,
        after: { prefix },
      };
    });
  },
};
