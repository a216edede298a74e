import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A JSON Web Key as the principal tokens use them: Ed25519 (OKP), named by `kid`. */
export interface Ed25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  /** present on private keys only */
  d?: string;
  kid: string;
  alg?: 'EdDSA';
  use?: 'sig';
}

export interface PrincipalKeyPair {
  privateJwk: Ed25519Jwk;
  publicJwk: Ed25519Jwk;
}

export function generatePrincipalKeyPair(kid = `${new Date().toISOString().slice(0, 10)}-${crypto.randomBytes(4).toString('hex')}`): PrincipalKeyPair {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const common = { kid, alg: 'EdDSA', use: 'sig' } as const;
  return {
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as Omit<Ed25519Jwk, 'kid'>), ...common },
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as Omit<Ed25519Jwk, 'kid'>), ...common },
  };
}

/** The key pairs of development and test runs: the gateway's and each calling service's. */
export interface DevelopmentPrincipalKeys {
  gateway: PrincipalKeyPair;
  messaging: PrincipalKeyPair;
}

/**
 * Reads the development key file, creating it on first use. Several processes may start at once
 * (jest workers, `npm start`): the file is written aside and hard-linked into place, so exactly
 * one set of keys wins and every process reads that one.
 */
export function readOrCreateDevelopmentKeys(file: string): DevelopmentPrincipalKeys {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const draft = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
    const keys: DevelopmentPrincipalKeys = { gateway: generatePrincipalKeyPair(), messaging: generatePrincipalKeyPair() };
    fs.writeFileSync(draft, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
    try {
      fs.linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      fs.unlinkSync(draft);
    }
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as DevelopmentPrincipalKeys;
}

/** A private JWK, a public JWK, a JWKS (`{"keys": [...]}`) or an array of JWKs, as JSON. */
export function parseJwkList(raw: string): Ed25519Jwk[] {
  const parsed = JSON.parse(raw) as unknown;
  const list = Array.isArray(parsed) ? parsed : parsed && typeof parsed === 'object' && 'keys' in parsed ? (parsed as { keys: unknown[] }).keys : [parsed];
  return list.map((key) => {
    const jwk = key as Partial<Ed25519Jwk>;
    if (!jwk || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || typeof jwk.kid !== 'string' || !jwk.kid) {
      throw new Error('every key must be an Ed25519 JWK ({"kty":"OKP","crv":"Ed25519","x":…,"kid":…})');
    }
    return jwk as Ed25519Jwk;
  });
}
