/**
 * The only module that reads process.env. Every process calls loadConfig() once at start;
 * invalid values stop the process with one message listing every problem.
 */
import { parseJwkList, readOrCreateDevelopmentKeys, type Ed25519Jwk } from './principal-keys';

export { generatePrincipalKeyPair, type Ed25519Jwk, type PrincipalKeyPair } from './principal-keys';
export { applyHeapSettings, HEAP_SETTINGS, isServerRole, nodeOptionsFor, type HeapSettings, type ServerRole } from './heap';

export type NodeEnv = 'development' | 'test' | 'production';

export const SUBGRAPH_NAMES = ['account-hierarchy', 'identity', 'messaging', 'billing'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export interface PlatformConfig {
  nodeEnv: NodeEnv;
  isProduction: boolean;
  /** Unset: `npm start` and `npm test` start an embedded PostgreSQL. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  embeddedPostgres: { dataDir: string; port: number };
  gatewayPort: number;
  /** Where `npm start` serves the reference portal's static files (the portal's dev origin is in the development CORS list). */
  portalPort: number;
  host: string;
  subgraphPorts: Record<SubgraphName, number>;
  subgraphUrls: Record<SubgraphName, string>;
  /** Key material of export links, sealed mail and (outside production) webhook secrets; not of principals. */
  internalSigningSecret: string;
  principalTokens: PrincipalTokenSettings;
  sessionTtlSeconds: number;
  /** Operator sessions are short (SPEC O1): 1 hour by default, 8 at most. */
  operatorSessionTtlSeconds: number;
  /** Lifetime of an invitation token (SPEC I4). */
  invitationTtlSeconds: number;
  /** Accept http:// OIDC issuers (local test issuers); never in production (SPEC I8). */
  ssoAllowHttpIssuers: boolean;
  logLevel: string;
  seedDemoData: boolean;
  billing: BillingSettings;
  /** Unset: APQ cache and rate-limit counters live in each gateway's memory. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key, so several deployments (or test runs) can share one Redis. */
  redisKeyPrefix: string;
  /** Time in-flight requests get to finish on shutdown before connections are cut (every server). */
  shutdownTimeoutSeconds: number;
  gateway: GatewaySettings;
  messaging: MessagingSettings;
  metrics: MetricsSettings;
  webhooks: WebhookSettings;
}

/**
 * SPEC G2: the gateway signs each subgraph request's principal with its Ed25519 private key (only the
 * gateway's environment holds it); subgraphs hold public keys. Messaging signs its calls to billing
 * with a service key of its own, which can stand only for the SERVICE principal "messaging".
 */
export interface PrincipalTokenSettings {
  /** Lifetime of one principal token (a token is also accepted only once per subgraph process). */
  ttlSeconds: number;
  /** GATEWAY_PRINCIPAL_PRIVATE_KEY; null when this process's environment does not hold it. */
  gatewayPrivateKey: Ed25519Jwk | null;
  /** GATEWAY_PRINCIPAL_PUBLIC_KEYS: every key a subgraph accepts from the gateway (old and new while rotating). */
  gatewayPublicKeys: Ed25519Jwk[];
  /** MESSAGING_SERVICE_PRIVATE_KEY: messaging's own identity towards billing. */
  messagingPrivateKey: Ed25519Jwk | null;
  /** MESSAGING_SERVICE_PUBLIC_KEYS: the keys billing accepts for messaging's SERVICE principal. */
  messagingPublicKeys: Ed25519Jwk[];
}

/** SPEC M10: webhook endpoints and their dispatcher. */
export interface WebhookSettings {
  /** Key (≥ 32 chars) that encrypts endpoint signing secrets at rest (AES-256-GCM); never logged. */
  encryptionKey: string;
  /** Accept http://127.0.0.1 / localhost / [::1] endpoint URLs (local receivers, tests); never in production. */
  allowLoopbackUrls: boolean;
  /** How often the dispatcher relays outboxes and sends due deliveries; 0 turns the background job off. */
  dispatchIntervalMs: number;
  /** Attempts of one delivery before it is given up (and its endpoint disabled when nothing succeeded since). */
  maxAttempts: number;
  /** Time a receiver gets to answer one attempt. */
  requestTimeoutMs: number;
  /** After rotateWebhookSecret, how long the previous secret still signs (both signatures are sent). */
  rotationOverlapSeconds: number;
}

/** SPEC M1-M5, M7. */
export interface MessagingSettings {
  /** The carrier adapter: the built-in loopback (default) or an HTTP provider. */
  carrier: 'loopback' | 'http';
  /** The HTTP provider's endpoint (carrier = http). */
  carrierHttpUrl: string | undefined;
  /** Delivery pipeline: pause between polls when the queue is empty; 0 turns the background workers off. */
  workerIntervalMs: number;
  /** Messages one worker claims per round. */
  workerBatchSize: number;
  /** How long a claim lasts; a worker killed mid-batch loses its claim after this. */
  workerLeaseSeconds: number;
  /** Loopback carrier: delay before a delivery receipt. */
  loopbackReceiptDelayMs: number;
  /** Loopback carrier: share of messages that fail or expire, in percent. */
  loopbackFailurePercent: number;
  /** Default country (ISO 3166 alpha-2) of phone numbers written without +country code. */
  defaultCountry: string;
  /** The dev/test-only injectInboundMessage mutation; refused in production. */
  testRoutes: boolean;
  /** Public origin of trackable short links (SPEC M8): `<origin>/l/<code>` is served by the gateway. */
  shortLinkBaseUrl: string;
  /** Days a short link redirects; then it answers 404. */
  shortLinkTtlDays: number;
}

export interface GatewaySettings {
  /** Largest accepted request body. */
  maxBodyBytes: number;
  /** Fixed window of the rate limits. */
  rateLimitWindowSeconds: number;
  /** Requests per window from one client address; 0 turns the limit off. */
  rateLimitPerIp: number;
  /** Requests per window with one API key (partner keys included); 0 turns the limit off. */
  rateLimitPerApiKey: number;
  /** Read the client address from the last X-Forwarded-For entry (set when behind one proxy). */
  trustProxy: boolean;
  /** Lifetime of an automatic persisted query in the cache. */
  apqTtlSeconds: number;
  /** How long a partner operation lookup (found or not) is reused before asking PostgreSQL again. */
  partnerOperationCacheTtlSeconds: number;
  /** The in-browser explorer at GET /graphql; never in production. */
  explorer: boolean;
  /** Browser origins (`scheme://host[:port]`) allowed to call the gateway cross-origin, with credentials. */
  corsOrigins: string[];
}

/** Prometheus metrics of each process (issue 16). */
export interface MetricsSettings {
  enabled: boolean;
  /** A listener of its own for /metrics (METRICS_PORT), e.g. in production where the gateway's port is public; null → none. */
  port: number | null;
  host: string;
  /** Also serve /metrics on the gateway's public port (default outside production only); subgraph ports are internal and always serve it. */
  onGatewayPort: boolean;
}

/**
 * OpenTelemetry tracing (issue 16): off unless an exporter is configured by the standard variables
 * (OTEL_TRACES_EXPORTER other than none, or an OTLP endpoint), and never when OTEL_SDK_DISABLED=true.
 * The SDK reads the OTEL_* variables itself; this only decides whether it starts.
 */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER;
  if (exporter !== undefined && exporter !== '') return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** The reference portal's development server (Vite's default port). */
/** The origins of the portal `npm start` serves on PORTAL_PORT (5173 by default, Vite's dev port too). */
export const portalDevOrigins = (portalPort = 5173): string[] => [`http://localhost:${portalPort}`, `http://127.0.0.1:${portalPort}`];

/** SPEC B3-B6. */
export interface BillingSettings {
  /** How often the sweeper releases expired reservations and renews monthly user limits; 0 turns the timer off. */
  sweepIntervalMs: number;
  /** Price of one credit unit on invoices, in minor currency units (cents). */
  unitPriceMinor: number;
  currency: string;
  /** Tax on invoices, in basis points (2000 = 20 %). */
  taxRateBasisPoints: number;
  /** The built-in fake payment provider declines charges of exactly these unit amounts. */
  fakeProviderDeclineUnits: number[];
}

/** The private key a process needs to sign, or a ConfigError naming the variable (production never generates keys). */
export function requirePrivateKey(config: PlatformConfig, signer: 'gateway' | 'messaging'): Ed25519Jwk {
  const key = signer === 'gateway' ? config.principalTokens.gatewayPrivateKey : config.principalTokens.messagingPrivateKey;
  if (!key) throw new ConfigError([`${signer === 'gateway' ? 'GATEWAY_PRINCIPAL_PRIVATE_KEY' : 'MESSAGING_SERVICE_PRIVATE_KEY'} is required to start the ${signer}`]);
  return key;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEV_SIGNING_SECRET = 'development-only-signing-secret-not-for-production';

const ENV_PORT_VARIABLES: Record<SubgraphName, string> = {
  'account-hierarchy': 'HIERARCHY_PORT',
  identity: 'IDENTITY_PORT',
  messaging: 'MESSAGING_PORT',
  billing: 'BILLING_PORT',
};
const ENV_URL_VARIABLES: Record<SubgraphName, string> = {
  'account-hierarchy': 'HIERARCHY_URL',
  identity: 'IDENTITY_URL',
  messaging: 'MESSAGING_URL',
  billing: 'BILLING_URL',
};
export const DEFAULT_SUBGRAPH_PORTS: Record<SubgraphName, number> = {
  'account-hierarchy': 4001,
  identity: 4002,
  messaging: 4003,
  billing: 4004,
};

function principalTokenSettings(env: NodeJS.ProcessEnv, isProduction: boolean, problems: string[], ttlSeconds: number): PrincipalTokenSettings {
  const read = (name: string, privateKey: boolean): Ed25519Jwk[] | null => {
    const raw = env[name];
    if (raw === undefined || raw === '') return null;
    try {
      const keys = parseJwkList(raw);
      if (privateKey && (keys.length !== 1 || !keys[0].d)) throw new Error('it must be one private JWK (with "d")');
      if (!privateKey && keys.some((key) => key.d)) throw new Error('it must list public keys only (no "d")');
      return keys;
    } catch (error) {
      problems.push(`${name} is not valid: ${(error as Error).message}`);
      return [];
    }
  };
  const settings: PrincipalTokenSettings = {
    ttlSeconds,
    gatewayPrivateKey: read('GATEWAY_PRINCIPAL_PRIVATE_KEY', true)?.[0] ?? null,
    gatewayPublicKeys: read('GATEWAY_PRINCIPAL_PUBLIC_KEYS', false) ?? [],
    messagingPrivateKey: read('MESSAGING_SERVICE_PRIVATE_KEY', true)?.[0] ?? null,
    messagingPublicKeys: read('MESSAGING_SERVICE_PUBLIC_KEYS', false) ?? [],
  };
  const configured = ['GATEWAY_PRINCIPAL_PRIVATE_KEY', 'GATEWAY_PRINCIPAL_PUBLIC_KEYS', 'MESSAGING_SERVICE_PRIVATE_KEY', 'MESSAGING_SERVICE_PUBLIC_KEYS'].some((name) => env[name]);
  if (isProduction) {
    if (settings.gatewayPublicKeys.length === 0) problems.push('GATEWAY_PRINCIPAL_PUBLIC_KEYS is required in production (npm run keys:generate)');
    if (settings.messagingPublicKeys.length === 0) problems.push('MESSAGING_SERVICE_PUBLIC_KEYS is required in production (npm run keys:generate)');
  } else if (!configured) {
    // Development and tests: one key set per checkout, generated on first start, never committed.
    const keys = readOrCreateDevelopmentKeys(env.PRINCIPAL_KEYS_FILE || '.data/principal-keys.json');
    settings.gatewayPrivateKey = keys.gateway.privateJwk;
    settings.gatewayPublicKeys = [keys.gateway.publicJwk];
    settings.messagingPrivateKey = keys.messaging.privateJwk;
    settings.messagingPublicKeys = [keys.messaging.publicJwk];
  }
  return settings;
}

/** CORS_ORIGINS: a comma-separated list of exact origins; unset → the portal's dev origins in development, none elsewhere. */
function corsOrigins(raw: string | undefined, nodeEnv: NodeEnv, portalPort: number, problems: string[]): string[] {
  if (raw === undefined) return nodeEnv === 'development' ? portalDevOrigins(portalPort) : [];
  const origins: string[] = [];
  for (const entry of raw.split(',').map((value) => value.trim()).filter(Boolean)) {
    let origin: string | null = null;
    try {
      const parsed = new URL(entry);
      if ((parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.origin === entry.replace(/\/$/, '')) origin = parsed.origin;
    } catch {
      origin = null;
    }
    if (origin) origins.push(origin);
    else problems.push(`CORS_ORIGINS must list origins such as https://portal.example.com, without path or wildcard (got "${entry}")`);
  }
  return origins;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const problems: string[] = [];

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, fallback: string | undefined): string | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    try {
      new URL(raw);
      return raw;
    } catch {
      problems.push(`${name} must be a URL (got "${raw}")`);
      return fallback;
    }
  };

  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  const rawEnv = env.NODE_ENV ?? 'development';
  let nodeEnv: NodeEnv = 'development';
  if (rawEnv === 'development' || rawEnv === 'test' || rawEnv === 'production') nodeEnv = rawEnv;
  else problems.push(`NODE_ENV must be development, test or production (got "${rawEnv}")`);
  const isProduction = nodeEnv === 'production';

  const databaseUrl = url('DATABASE_URL', undefined);
  if (isProduction && !databaseUrl) problems.push('DATABASE_URL is required in production');

  let internalSigningSecret = env.INTERNAL_SIGNING_SECRET ?? '';
  if (!internalSigningSecret) {
    if (isProduction) problems.push('INTERNAL_SIGNING_SECRET is required in production');
    internalSigningSecret = DEV_SIGNING_SECRET;
  } else if (internalSigningSecret.length < 32) {
    problems.push('INTERNAL_SIGNING_SECRET must be at least 32 characters');
  }

  const subgraphPorts = {} as Record<SubgraphName, number>;
  const subgraphUrls = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPH_NAMES) {
    subgraphPorts[name] = integer(ENV_PORT_VARIABLES[name], DEFAULT_SUBGRAPH_PORTS[name], 0, 65535);
    subgraphUrls[name] = url(ENV_URL_VARIABLES[name], `http://127.0.0.1:${subgraphPorts[name]}/graphql`)!;
  }

  const portalPort = integer('PORTAL_PORT', 5173, 0, 65535);

  const config: PlatformConfig = {
    nodeEnv,
    isProduction,
    databaseUrl,
    databasePoolSize: integer('DATABASE_POOL_SIZE', 10, 1, 200),
    embeddedPostgres: {
      dataDir: env.EMBEDDED_PG_DATA_DIR || '.data/postgres',
      port: integer('EMBEDDED_PG_PORT', 54329, 1024, 65535),
    },
    gatewayPort: integer('PORT', 4000, 0, 65535),
    portalPort,
    host: env.HOST || '127.0.0.1',
    subgraphPorts,
    subgraphUrls,
    internalSigningSecret,
    principalTokens: principalTokenSettings(env, isProduction, problems, integer('PRINCIPAL_TOKEN_TTL_SECONDS', 30, 2, 300)),
    sessionTtlSeconds: integer('SESSION_TTL_SECONDS', 12 * 3600, 60, 30 * 24 * 3600),
    operatorSessionTtlSeconds: integer('OPERATOR_SESSION_TTL_SECONDS', 3600, 60, 8 * 3600),
    invitationTtlSeconds: integer('INVITATION_TTL_SECONDS', 7 * 24 * 3600, 60, 90 * 24 * 3600),
    ssoAllowHttpIssuers: env.SSO_ALLOW_HTTP_ISSUERS === 'true',
    logLevel: env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info'),
    seedDemoData: (env.SEED_DEMO_DATA ?? (isProduction ? 'false' : 'true')) === 'true',
    billing: {
      sweepIntervalMs: integer('BILLING_SWEEP_INTERVAL_MS', 15_000, 0, 3_600_000),
      unitPriceMinor: integer('BILLING_UNIT_PRICE_MINOR', 5, 0, 1_000_000),
      currency: /^[A-Z]{3}$/.test(env.BILLING_CURRENCY ?? 'EUR') ? (env.BILLING_CURRENCY ?? 'EUR') : (problems.push('BILLING_CURRENCY must be an ISO 4217 code such as EUR'), 'EUR'),
      taxRateBasisPoints: integer('BILLING_TAX_RATE_BASIS_POINTS', 2000, 0, 10_000),
      fakeProviderDeclineUnits: (env.BILLING_FAKE_DECLINE_UNITS ?? '')
        .split(',')
        .filter((v) => v.trim() !== '')
        .map((v) => {
          const units = Number(v.trim());
          if (!Number.isInteger(units) || units <= 0) problems.push(`BILLING_FAKE_DECLINE_UNITS must list positive integers (got "${v}")`);
          return units;
        }),
    },
    redisUrl: url('REDIS_URL', undefined),
    redisKeyPrefix: env.REDIS_KEY_PREFIX || 'platform:',
    shutdownTimeoutSeconds: integer('SHUTDOWN_TIMEOUT_SECONDS', 10, 0, 600),
    gateway: {
      maxBodyBytes: integer('GATEWAY_MAX_BODY_BYTES', 100_000, 1_000, 10_000_000),
      rateLimitWindowSeconds: integer('RATE_LIMIT_WINDOW_SECONDS', 60, 1, 3600),
      // Off by default under NODE_ENV=test: suites sharing one Redis would otherwise share counters.
      rateLimitPerIp: integer('RATE_LIMIT_PER_IP', nodeEnv === 'test' ? 0 : 1_200, 0, 1_000_000),
      rateLimitPerApiKey: integer('RATE_LIMIT_PER_API_KEY', nodeEnv === 'test' ? 0 : 600, 0, 1_000_000),
      trustProxy: boolean('TRUST_PROXY', false),
      apqTtlSeconds: integer('APQ_TTL_SECONDS', 24 * 3600, 1, 30 * 24 * 3600),
      partnerOperationCacheTtlSeconds: integer('PARTNER_OPERATION_CACHE_TTL_SECONDS', 30, 0, 3600),
      explorer: false,
      corsOrigins: corsOrigins(env.CORS_ORIGINS, nodeEnv, portalPort, problems),
    },
    messaging: undefined as unknown as MessagingSettings,
    metrics: {
      enabled: boolean('METRICS_ENABLED', true),
      port: env.METRICS_PORT ? integer('METRICS_PORT', 9464, 0, 65535) : null,
      host: env.METRICS_HOST || env.HOST || '127.0.0.1',
      onGatewayPort: boolean('METRICS_ON_GATEWAY_PORT', !isProduction),
    },
    webhooks: undefined as unknown as WebhookSettings,
  };
  config.messaging = {
    carrier: env.MESSAGING_CARRIER === 'http' ? 'http' : 'loopback',
    carrierHttpUrl: url('MESSAGING_CARRIER_HTTP_URL', undefined),
    workerIntervalMs: integer('MESSAGING_WORKER_INTERVAL_MS', 100, 0, 60_000),
    workerBatchSize: integer('MESSAGING_WORKER_BATCH_SIZE', 1000, 1, 10_000),
    workerLeaseSeconds: integer('MESSAGING_WORKER_LEASE_SECONDS', 30, 1, 3600),
    loopbackReceiptDelayMs: integer('LOOPBACK_RECEIPT_DELAY_MS', 1000, 0, 3_600_000),
    loopbackFailurePercent: integer('LOOPBACK_FAILURE_PERCENT', 0, 0, 100),
    defaultCountry: /^[A-Z]{2}$/.test(env.MESSAGING_DEFAULT_COUNTRY ?? 'GB') ? (env.MESSAGING_DEFAULT_COUNTRY ?? 'GB') : (problems.push('MESSAGING_DEFAULT_COUNTRY must be an ISO 3166 alpha-2 code such as GB'), 'GB'),
    testRoutes: boolean('MESSAGING_TEST_ROUTES', !isProduction),
    shortLinkBaseUrl: (url('SHORT_LINK_BASE_URL', undefined) ?? `http://localhost:${config.gatewayPort}`).replace(/\/+$/, ''),
    shortLinkTtlDays: integer('SHORT_LINK_TTL_DAYS', 90, 1, 3650),
  };
  if (env.MESSAGING_CARRIER !== undefined && !['loopback', 'http', ''].includes(env.MESSAGING_CARRIER)) problems.push(`MESSAGING_CARRIER must be loopback or http (got "${env.MESSAGING_CARRIER}")`);
  if (config.messaging.carrier === 'http' && !config.messaging.carrierHttpUrl) problems.push('MESSAGING_CARRIER_HTTP_URL is required when MESSAGING_CARRIER=http');
  if (isProduction && config.messaging.testRoutes) problems.push('MESSAGING_TEST_ROUTES cannot be true in production');
  config.gateway.explorer = boolean('GATEWAY_EXPLORER', nodeEnv === 'development');
  const webhookKey = env.WEBHOOK_ENCRYPTION_KEY ?? '';
  if (!webhookKey && isProduction) problems.push('WEBHOOK_ENCRYPTION_KEY is required in production');
  else if (webhookKey && webhookKey.length < 32) problems.push('WEBHOOK_ENCRYPTION_KEY must be at least 32 characters');
  config.webhooks = {
    // Outside production the key derives from the (development) signing secret, so every local process agrees on it.
    encryptionKey: webhookKey || `webhooks:${internalSigningSecret}`,
    allowLoopbackUrls: boolean('WEBHOOK_ALLOW_LOOPBACK_URLS', false),
    dispatchIntervalMs: integer('WEBHOOK_DISPATCH_INTERVAL_MS', 1_000, 0, 3_600_000),
    maxAttempts: integer('WEBHOOK_MAX_ATTEMPTS', 8, 1, 20),
    requestTimeoutMs: integer('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    rotationOverlapSeconds: integer('WEBHOOK_ROTATION_OVERLAP_SECONDS', 24 * 3600, 0, 30 * 24 * 3600),
  };
  if (isProduction && config.webhooks.allowLoopbackUrls) problems.push('WEBHOOK_ALLOW_LOOPBACK_URLS cannot be true in production');
  if (isProduction && config.gateway.explorer) problems.push('GATEWAY_EXPLORER cannot be true in production');
  if (isProduction && config.redisUrl?.startsWith('redis://') && !new URL(config.redisUrl).password) {
    problems.push('REDIS_URL must carry a password in production (redis://:<password>@host:6379)');
  }
  if (env.SSO_ALLOW_HTTP_ISSUERS !== undefined && !['true', 'false', ''].includes(env.SSO_ALLOW_HTTP_ISSUERS)) {
    problems.push(`SSO_ALLOW_HTTP_ISSUERS must be true or false (got "${env.SSO_ALLOW_HTTP_ISSUERS}")`);
  }
  if (isProduction && config.ssoAllowHttpIssuers) problems.push('SSO_ALLOW_HTTP_ISSUERS cannot be true in production');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
