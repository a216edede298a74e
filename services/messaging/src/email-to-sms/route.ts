import crypto from 'node:crypto';
import type http from 'node:http';
import type { DataSource } from 'typeorm';
import { loadAccountChains, loadEffectiveSettingsAlongPath, type AccountChain } from '@platform/authz';
import type { PlatformConfig } from '@platform/config';
import { AppError, findIllFormedString, httpStatusOf } from '@platform/errors';
import { sendJson, type Logger } from '@platform/server';
import { accountServiceContext } from '../context';
import { send } from '../sending/service';
import { destinationNumber, emailAddressOf, hashSecret, INBOUND_EMAIL_PATH, SECRET_HEADER, SECRET_PREFIX } from './service';
import { accountOfSecret, insertRejection, registeredSenderId } from './store';

const MAX_REQUEST_BYTES = 64 * 1024;

interface InboundEmail {
  from?: unknown;
  to?: unknown;
  subject?: unknown;
  text?: unknown;
  messageId?: unknown;
}

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

/** The request's JSON object; a refusal (AppError) when it is not one or holds an ill-formed string. */
async function readEmail(request: http.IncomingMessage): Promise<InboundEmail> {
  const body = await readJson(request);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new AppError('BAD_REQUEST', 'The body must be a JSON object');
  const illFormed = findIllFormedString(body);
  if (illFormed !== null) throw new AppError('BAD_USER_INPUT', 'Strings must be well-formed Unicode (this one holds a lone UTF-16 surrogate)', { field: illFormed });
  return body as InboundEmail;
}

/** The account whose ingestion secret the request carries, or null. */
async function accountOfRequest(dataSource: DataSource, request: http.IncomingMessage): Promise<string | null> {
  const secret = request.headers[SECRET_HEADER];
  if (typeof secret !== 'string' || !secret.startsWith(SECRET_PREFIX) || secret.length >= 200) return null;
  return accountOfSecret(dataSource, hashSecret(secret));
}

const refuse = (response: http.ServerResponse, code: string, message: string) =>
  sendJson(response, httpStatusOf(code), { errors: [{ message, extensions: { code } }] });

/** POST /inbound/email (proxied by the gateway). */
export function inboundEmailRoute(dataSource: DataSource, config: PlatformConfig, logger: Logger) {
  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    if (request.method !== 'POST') return refuse(response, 'BAD_REQUEST', 'Use POST');
    const ownerId = await accountOfRequest(dataSource, request);
    if (!ownerId) {
      logger.warn({ path: INBOUND_EMAIL_PATH }, 'email to SMS refused: missing or unknown secret');
      request.resume();
      return refuse(response, 'UNAUTHENTICATED', `Missing or invalid ${SECRET_HEADER} header`);
    }
    let email: InboundEmail;
    try {
      email = await readEmail(request);
    } catch (error) {
      if (error instanceof AppError) return refuse(response, error.code, error.message);
      throw error;
    }
    const chain = (await loadAccountChains(dataSource, [ownerId])).get(ownerId);
    if (!chain) return refuse(response, 'UNAUTHENTICATED', 'The account of this secret no longer exists');
    await sendEmailAsSms(dataSource, config, logger, chain, email, response);
  };
}

/** The email of the account becomes an SMS through the send service; every refusal is recorded and answered with its code. */
async function sendEmailAsSms(dataSource: DataSource, config: PlatformConfig, logger: Logger, chain: AccountChain, email: InboundEmail, response: http.ServerResponse): Promise<void> {
  const from = emailAddressOf(email.from);
  const to = typeof email.to === 'string' ? email.to.trim().slice(0, 320) : '';
  const reject = async (code: string, reason: string) => {
    await insertRejection(dataSource, { accountId: chain.id, from: from ?? String(email.from ?? '').slice(0, 320), to, code, reason: reason.slice(0, 500) });
    logger.info({ accountId: chain.id, code }, 'email to SMS refused');
    refuse(response, code, reason);
  };
  const settings = await loadEffectiveSettingsAlongPath(dataSource, chain.path);
  if (!settings[settings.length - 1].values.emailToSmsEnabled) return reject('EMAIL_TO_SMS_DISABLED', 'Email to SMS is off for this account');
  if (!from) return reject('BAD_USER_INPUT', 'from must be an email address');
  const senderId = await registeredSenderId(dataSource, chain.id, from);
  if (!senderId) return reject('EMAIL_SENDER_NOT_REGISTERED', `${from} is not a registered sender of this account`);
  const phone = to.includes('@') ? destinationNumber(to, config.messaging.defaultCountry) : null;
  if (!phone) return reject('INVALID_PHONE_NUMBER', 'The local part of "to" must be the destination phone number, e.g. 447400500123@sms.example');
  const text = typeof email.text === 'string' && email.text.trim() ? email.text.trim() : typeof email.subject === 'string' ? email.subject.trim() : '';
  if (!text) return reject('BAD_USER_INPUT', 'The email has no text nor subject');
  const idempotencyKey = typeof email.messageId === 'string' && email.messageId ? `email:${crypto.createHash('sha256').update(email.messageId).digest('hex').slice(0, 40)}` : null;
  try {
    const ctx = accountServiceContext(dataSource, config, logger, chain, `email-to-sms:${senderId}`);
    const result = await send(ctx, { accountId: chain.id, to: [phone], body: text, idempotencyKey }, 'emailToSms');
    sendJson(response, 202, { batchId: result.batchId, accepted: result.accepted, status: result.status, sendAt: result.sendAt, messageIds: result.messageIds, skipped: result.skipped, costUnits: result.costUnits });
  } catch (error) {
    if (error instanceof AppError) return reject(error.code, error.message);
    throw error;
  }
}
