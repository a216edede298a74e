import { ConfigError, loadConfig } from '../index';
import { generatePrincipalKeyPair } from '../principal-keys';

const productionKeys = () => {
  const gateway = generatePrincipalKeyPair();
  const messaging = generatePrincipalKeyPair();
  return {
    GATEWAY_PRINCIPAL_PRIVATE_KEY: JSON.stringify(gateway.privateJwk),
    GATEWAY_PRINCIPAL_PUBLIC_KEYS: JSON.stringify({ keys: [gateway.publicJwk] }),
    MESSAGING_SERVICE_PRIVATE_KEY: JSON.stringify(messaging.privateJwk),
    MESSAGING_SERVICE_PUBLIC_KEYS: JSON.stringify({ keys: [messaging.publicJwk] }),
  };
};

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('configuration, read in one place', () => {
  it('a development machine needs nothing set: defaults, subgraph URLs from their ports, demo data on', () => {
    // Act
    const config = loadConfig({ NODE_ENV: 'development', PRINCIPAL_KEYS_FILE: `/tmp/principal-keys-${process.pid}.json`, MESSAGING_PORT: '5003' });

    // Assert
    expect(config).toMatchObject({ isProduction: false, gatewayPort: 4000, seedDemoData: true, databaseUrl: undefined });
    expect(config.subgraphUrls.messaging).toBe('http://127.0.0.1:5003/graphql');
    expect(config.principalTokens.gatewayPrivateKey).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
  });

  it('every invalid value is reported at once, each naming its variable', () => {
    // Act
    const problems = problemsOf({ NODE_ENV: 'test', PORT: 'eighty', DATABASE_URL: 'not a url', TRUST_PROXY: 'yes', BILLING_CURRENCY: 'euro', DATABASE_POOL_SIZE: '0' });

    // Assert
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('PORT must be an integer'),
        expect.stringContaining('DATABASE_URL must be a URL'),
        expect.stringContaining('TRUST_PROXY must be true or false'),
        expect.stringContaining('BILLING_CURRENCY'),
        expect.stringContaining('DATABASE_POOL_SIZE must be an integer between 1 and 200'),
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it('production refuses to start without its database, signing secret and principal public keys, and never seeds demo data', () => {
    // Act
    const missing = problemsOf({ NODE_ENV: 'production' });
    const complete = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/platform', INTERNAL_SIGNING_SECRET: 's'.repeat(32), WEBHOOK_ENCRYPTION_KEY: 'w'.repeat(32), ...productionKeys() });

    // Assert
    expect(missing).toEqual(
      expect.arrayContaining([
        'DATABASE_URL is required in production',
        'INTERNAL_SIGNING_SECRET is required in production',
        expect.stringContaining('GATEWAY_PRINCIPAL_PUBLIC_KEYS is required in production'),
        expect.stringContaining('MESSAGING_SERVICE_PUBLIC_KEYS is required in production'),
        'WEBHOOK_ENCRYPTION_KEY is required in production',
      ]),
    );
    expect(complete).toMatchObject({ isProduction: true, seedDemoData: false });
  });

  it('a short signing secret, a private key among the public keys, or a public key as private key is refused', () => {
    // Arrange
    const keys = productionKeys();
    const pair = generatePrincipalKeyPair();

    // Act
    const problems = problemsOf({
      NODE_ENV: 'production', DATABASE_URL: 'postgres://db/platform', INTERNAL_SIGNING_SECRET: 'short', WEBHOOK_ENCRYPTION_KEY: 'w'.repeat(32), ...keys,
      GATEWAY_PRINCIPAL_PUBLIC_KEYS: JSON.stringify({ keys: [pair.privateJwk] }),
      MESSAGING_SERVICE_PRIVATE_KEY: JSON.stringify(pair.publicJwk),
    });

    // Assert
    expect(problems).toEqual([
      'INTERNAL_SIGNING_SECRET must be at least 32 characters',
      expect.stringMatching(/^GATEWAY_PRINCIPAL_PUBLIC_KEYS is not valid: .*public keys only/),
      expect.stringMatching(/^MESSAGING_SERVICE_PRIVATE_KEY is not valid: .*private JWK/),
      // the refused public key list leaves none
      expect.stringContaining('GATEWAY_PRINCIPAL_PUBLIC_KEYS is required in production'),
    ]);
  });
});
