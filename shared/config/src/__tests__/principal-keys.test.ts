import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, generatePrincipalKeyPair, loadConfig, requirePrivateKey } from '../index';

const PRODUCTION = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', INTERNAL_SIGNING_SECRET: 'x'.repeat(40), WEBHOOK_ENCRYPTION_KEY: 'k'.repeat(40) };

describe('principal token keys (SPEC G2)', () => {
  it('production refuses to start without the public keys, and a signer without its private key', () => {
    // Arrange
    const gateway = generatePrincipalKeyPair();
    const messaging = generatePrincipalKeyPair();
    const publicKeys = { GATEWAY_PRINCIPAL_PUBLIC_KEYS: JSON.stringify({ keys: [gateway.publicJwk] }), MESSAGING_SERVICE_PUBLIC_KEYS: JSON.stringify([messaging.publicJwk]) };

    // Act
    const withoutKeys = () => loadConfig(PRODUCTION);
    const subgraphConfig = loadConfig({ ...PRODUCTION, ...publicKeys });
    const gatewayConfig = loadConfig({ ...PRODUCTION, ...publicKeys, GATEWAY_PRINCIPAL_PRIVATE_KEY: JSON.stringify(gateway.privateJwk) });

    // Assert
    expect(withoutKeys).toThrow(/GATEWAY_PRINCIPAL_PUBLIC_KEYS is required in production/);
    expect(withoutKeys).toThrow(/MESSAGING_SERVICE_PUBLIC_KEYS is required in production/);
    expect(() => requirePrivateKey(subgraphConfig, 'gateway')).toThrow(ConfigError);
    expect(() => requirePrivateKey(subgraphConfig, 'messaging')).toThrow(/MESSAGING_SERVICE_PRIVATE_KEY is required/);
    expect(requirePrivateKey(gatewayConfig, 'gateway').kid).toBe(gateway.privateJwk.kid);
    expect(gatewayConfig.principalTokens.messagingPublicKeys.map((key) => key.kid)).toEqual([messaging.publicJwk.kid]);
  });

  it('refuses a private key where public keys belong, a public key where the private key belongs, and keys of another kind', () => {
    // Arrange
    const pair = generatePrincipalKeyPair();

    // Act
    const attempt = (env: Record<string, string>) => () => loadConfig({ ...PRODUCTION, ...env });

    // Assert
    expect(attempt({ GATEWAY_PRINCIPAL_PUBLIC_KEYS: JSON.stringify([pair.privateJwk]) })).toThrow(/GATEWAY_PRINCIPAL_PUBLIC_KEYS is not valid: it must list public keys only/);
    expect(attempt({ GATEWAY_PRINCIPAL_PRIVATE_KEY: JSON.stringify(pair.publicJwk) })).toThrow(/GATEWAY_PRINCIPAL_PRIVATE_KEY is not valid: it must be one private JWK/);
    expect(attempt({ MESSAGING_SERVICE_PUBLIC_KEYS: JSON.stringify([{ kty: 'RSA', n: 'x', e: 'AQAB', kid: 'r' }]) })).toThrow(/must be an Ed25519 JWK/);
    expect(attempt({ MESSAGING_SERVICE_PUBLIC_KEYS: 'not json' })).toThrow(/MESSAGING_SERVICE_PUBLIC_KEYS is not valid/);
  });

  it('outside production, keys are generated once into the data folder and every process reads the same ones', () => {
    // Arrange
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keys-')), 'nested', 'principal-keys.json');

    // Act
    const configs = Array.from({ length: 3 }, () => loadConfig({ NODE_ENV: 'development', PRINCIPAL_KEYS_FILE: file }));

    // Assert
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    expect(new Set(configs.map((config) => config.principalTokens.gatewayPrivateKey?.kid)).size).toBe(1);
    expect(configs[0].principalTokens.gatewayPublicKeys[0].d).toBeUndefined();
    expect(configs[0].principalTokens.messagingPublicKeys[0].x).toBe(configs[0].principalTokens.messagingPrivateKey?.x);
    expect(configs[0].principalTokens.gatewayPrivateKey?.kid).not.toBe(configs[0].principalTokens.messagingPrivateKey?.kid);
  });
});
