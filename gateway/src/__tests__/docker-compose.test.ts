import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { generatePrincipalKeyPair, loadConfig, SUBGRAPH_NAMES } from '@platform/config';

const ROOT = path.join(__dirname, '..', '..', '..');
const COMPOSE_PATH = path.join(ROOT, 'docker-compose.yml');
const SCHEMA_PATH = path.join(ROOT, 'schema', 'compose-spec.json');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ComposeFile = { services: Record<string, any> };

const BACKGROUND_SERVICES = ['worker', 'webhook-dispatcher'];

const readCompose = (): ComposeFile => parse(fs.readFileSync(COMPOSE_PATH, 'utf8'), { merge: true });

function composeValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // Compose durations ("10s", "1m30s"), as the specification defines them, not ISO 8601.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(us|ms|s|m|h))+$/);
  return ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')));
}

/** Compose interpolation of `${NAME}`, `${NAME:-default}` and `${NAME:?error}` (`$$` is a literal `$`). */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (match, name: string | undefined, kind: string | undefined, operand: string | undefined) => {
    if (match === '$$') return '$';
    const given = env[name!];
    if (given !== undefined && given !== '') return given;
    if (kind === '?') throw new Error(`${name} is required: ${operand}`);
    return kind === '-' ? operand! : '';
  });
}

describe('docker-compose.yml (production-like deployment)', () => {
  it('validates against the vendored Compose Specification schema', () => {
    // Arrange
    const validate = composeValidator();

    // Act
    const valid = validate(readCompose());

    // Assert
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema refuses a mistyped service property', () => {
    // Arrange
    const validate = composeValidator();
    const compose = readCompose();
    compose.services.gateway.restart_policy = 'always';

    // Act
    const valid = validate(compose);

    // Assert
    expect(valid).toBe(false);
    expect(validate.errors?.some((error) => error.params && (error.params as { additionalProperty?: string }).additionalProperty === 'restart_policy')).toBe(true);
  });

  it('runs PostgreSQL, Redis, each subgraph, the gateway, delivery workers and webhook dispatchers with healthchecks and restart policies', () => {
    // Act
    const { services } = readCompose();

    // Assert
    for (const name of ['postgres', 'redis', ...SUBGRAPH_NAMES, 'gateway', ...BACKGROUND_SERVICES]) {
      expect(services[name]).toBeDefined();
      expect(services[name].healthcheck?.test).toBeDefined();
      expect(services[name].restart).toBe('unless-stopped');
    }
    for (const [name, service] of Object.entries(services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) expect(`${name} -> ${Object.keys(services).includes(dependency)}`).toBe(`${name} -> true`);
    }
  });

  it('takes every secret from the environment and refuses to start without them', () => {
    // Arrange
    const text = fs.readFileSync(COMPOSE_PATH, 'utf8');

    // Act
    const attempt = () => interpolate(JSON.stringify(readCompose().services.gateway.environment), {});

    // Assert
    expect(attempt).toThrow(/is required/);
    for (const secret of ['POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'INTERNAL_SIGNING_SECRET', 'WEBHOOK_ENCRYPTION_KEY', 'GATEWAY_PRINCIPAL_PRIVATE_KEY', 'MESSAGING_SERVICE_PRIVATE_KEY']) expect(text).toContain(`\${${secret}:?`);
    for (const service of Object.values(readCompose().services)) {
      for (const [key, value] of Object.entries((service.environment ?? {}) as Record<string, unknown>)) {
        if (/PASSWORD|SECRET|PRIVATE_KEY/.test(key)) expect(`${key}=${value}`).toMatch(new RegExp(`^${key}=\\$\\{[A-Z_]+:\\?`));
      }
    }
  });

  it("each service's interpolated environment passes the platform's configuration validation", () => {
    // Arrange
    const gatewayKeys = generatePrincipalKeyPair();
    const messagingKeys = generatePrincipalKeyPair();
    const secrets = {
      POSTGRES_PASSWORD: 'pg-secret',
      REDIS_PASSWORD: 'redis-secret',
      INTERNAL_SIGNING_SECRET: 's'.repeat(40),
      WEBHOOK_ENCRYPTION_KEY: 'w'.repeat(40),
      GATEWAY_PRINCIPAL_PRIVATE_KEY: JSON.stringify(gatewayKeys.privateJwk),
      GATEWAY_PRINCIPAL_PUBLIC_KEYS: JSON.stringify({ keys: [gatewayKeys.publicJwk] }),
      MESSAGING_SERVICE_PRIVATE_KEY: JSON.stringify(messagingKeys.privateJwk),
      MESSAGING_SERVICE_PUBLIC_KEYS: JSON.stringify({ keys: [messagingKeys.publicJwk] }),
    };
    const { services } = readCompose();

    for (const name of [...SUBGRAPH_NAMES, 'gateway', ...BACKGROUND_SERVICES]) {
      // Act
      // Values are substituted into the JSON text of the environment, so they are JSON-escaped first.
      const escaped = Object.fromEntries(Object.entries(secrets).map(([key, value]) => [key, JSON.stringify(value).slice(1, -1)]));
      const env = JSON.parse(interpolate(JSON.stringify(services[name].environment), escaped)) as Record<string, string | number>;
      const config = loadConfig(Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value)])));

      // Assert
      expect(config.isProduction).toBe(true);
      expect(config.host).toBe('0.0.0.0');
      expect(config.subgraphUrls['account-hierarchy']).toBe('http://account-hierarchy:4001/graphql');
      // Replicas of the gateway (APQ, rate limits) and of identity (sign-in throttle) share Redis.
      if (name === 'gateway' || name === 'identity') expect(config.redisUrl).toBe('redis://:redis-secret@redis:6379');
      // A private key reaches only the process that signs with it.
      expect(config.principalTokens.gatewayPrivateKey?.kid).toBe(name === 'gateway' ? gatewayKeys.privateJwk.kid : undefined);
      // The worker settles due scheduled sends' credit with billing as messaging.
      expect(config.principalTokens.messagingPrivateKey?.kid).toBe(name === 'messaging' || name === 'worker' ? messagingKeys.privateJwk.kid : undefined);
      expect(config.principalTokens.gatewayPublicKeys.map((key) => key.kid)).toEqual([gatewayKeys.publicJwk.kid]);
    }
  });

  it('runs deliveries and webhooks in their own services, with the messaging subgraph\'s background jobs off', () => {
    // Arrange
    const { services } = readCompose();
    const environment = (name: string) => JSON.parse(interpolate(JSON.stringify(services[name].environment), { POSTGRES_PASSWORD: 'p', INTERNAL_SIGNING_SECRET: 's'.repeat(40), WEBHOOK_ENCRYPTION_KEY: 'w'.repeat(40), GATEWAY_PRINCIPAL_PUBLIC_KEYS: '{}', MESSAGING_SERVICE_PUBLIC_KEYS: '{}', MESSAGING_SERVICE_PRIVATE_KEY: '{}' })) as Record<string, string | number>;

    // Act
    const messaging = environment('messaging');
    const worker = environment('worker');
    const dispatcher = environment('webhook-dispatcher');

    // Assert
    expect(String(messaging.MESSAGING_WORKER_INTERVAL_MS)).toBe('0');
    expect(String(messaging.WEBHOOK_DISPATCH_INTERVAL_MS)).toBe('0');
    // The image's entry (scripts/platform.js) takes the role.
    expect(services.worker.command).toEqual(['worker']);
    expect(services['webhook-dispatcher'].command).toEqual(['webhook-dispatcher']);
    expect(services.messaging.command).toEqual(['subgraph', 'messaging']);
    expect(services.migrate.command).toEqual(['migrate']);
    // The dispatcher process refuses an interval of 0.
    expect(Number(dispatcher.WEBHOOK_DISPATCH_INTERVAL_MS)).toBeGreaterThan(0);
    for (const [name, env] of [['worker', worker], ['webhook-dispatcher', dispatcher]] as const) {
      // Their healthcheck asks the /health of the listener METRICS_PORT opens.
      expect(services[name].healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${env.METRICS_PORT}/health`);
      expect(services[name].depends_on.migrate.condition).toBe('service_completed_successfully');
    }
  });
});
