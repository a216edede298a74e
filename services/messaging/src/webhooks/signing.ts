import crypto from 'node:crypto';
import { SecretBox } from '@platform/authz';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): every delivery carries
 * `webhook-id` (the event id, the same on every retry and replay), `webhook-timestamp` (Unix
 * seconds of the attempt) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
 * keyed with the base64-decoded part of the endpoint secret `whsec_<base64>`. During a rotation
 * overlap the header lists one signature per valid secret, space-separated.
 */
export const SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: 32 random bytes (the scheme asks for 24 to 64). */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(32).toString('base64');
}

export function signatureOf(secret: string, id: string, timestamp: number, body: string): string {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('not a webhook secret');
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  return `v1,${crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The `webhook-signature` header value for every secret that currently signs (current first). */
export function signatureHeader(secrets: string[], id: string, timestamp: number, body: string): string {
  return secrets.map((secret) => signatureOf(secret, id, timestamp, body)).join(' ');
}

/** Endpoint secrets at rest: sealed with the endpoint id as associated data. */
export const webhookSecretBox = (encryptionKey: string) => new SecretBox(encryptionKey, 'webhook-secrets');
