import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { errors } from '@platform/errors';

/**
 * argon2id at OWASP's minimum (m = 19 MiB, t = 2, p = 1), stored as a PHC string
 * (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) that carries its own parameters.
 */
export const ARGON2_PARAMS = { memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

// The package's Algorithm is an ambient const enum (unusable with isolatedModules): 2 = Argon2id.
const ARGON2ID = 2;

export async function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, { algorithm: ARGON2ID, ...ARGON2_PARAMS });
}

// Hashes made before argon2id (scrypt N=2^15, r=8, p=1): they still verify, and a successful
// login replaces them (needsRehash).
const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;
const LEGACY_SCRYPT = { N: 2 ** 15, r: 8, p: 1 };
const SCRYPT_MAXMEM = 64 * 1024 * 1024;

/** The previous format, `scrypt$N$r$p$<salt>$<key>`: only the bench and tests make new ones (old hashes). */
export async function hashPasswordLegacyScrypt(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, 32, { ...LEGACY_SCRYPT, maxmem: SCRYPT_MAXMEM });
  return `scrypt$${LEGACY_SCRYPT.N}$${LEGACY_SCRYPT.r}$${LEGACY_SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

async function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, key] = stored.split('$');
  const expected = Buffer.from(key ?? '', 'base64');
  if (expected.length === 0) return false;
  const actual = await scrypt(password, Buffer.from(salt ?? '', 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT_MAXMEM });
  return crypto.timingSafeEqual(expected, actual);
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('$argon2id$')) {
    try {
      return await argon2Verify(stored, password);
    } catch {
      return false;
    }
  }
  if (stored.startsWith('scrypt$')) return verifyScrypt(password, stored);
  return false;
}

const PHC_PARAMS = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/;

/** True for any hash that is not argon2id with at least the current parameters (checked after a successful verify). */
export function needsRehash(stored: string): boolean {
  const match = PHC_PARAMS.exec(stored);
  if (!match) return true;
  const [m, t, p] = match.slice(1).map(Number);
  return m < ARGON2_PARAMS.memoryCost || t < ARGON2_PARAMS.timeCost || p !== ARGON2_PARAMS.parallelism;
}

/** Spends the same time as a real check when the email is unknown (no user enumeration by timing). */
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('not-a-real-password');
  await verifyPassword(password, await dummyHash);
}

/** Length rules of NIST SP 800-63B: at least 10 characters, long passphrases allowed. */
export function assertPassword(password: string): void {
  if (password.length < 10) throw errors.badInput('password must be at least 10 characters', 'password');
  if (password.length > 200) throw errors.badInput('password must be at most 200 characters', 'password');
}
