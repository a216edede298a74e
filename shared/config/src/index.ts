/**
 * The only module that reads process.env. Every process calls loadConfig() once at start;
 * invalid values stop the process with one message listing every problem.
 */
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
  host: string;
  subgraphPorts: Record<SubgraphName, number>;
  subgraphUrls: Record<SubgraphName, string>;
  /** HMAC key shared by the gateway and the subgraphs for the signed principal header. */
  internalSigningSecret: string;
  principalHeaderTtlSeconds: number;
  sessionTtlSeconds: number;
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
}

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
const DEFAULT_SUBGRAPH_PORTS: Record<SubgraphName, number> = {
  'account-hierarchy': 4001,
  identity: 4002,
  messaging: 4003,
  billing: 4004,
};

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
    host: env.HOST || '127.0.0.1',
    subgraphPorts,
    subgraphUrls,
    internalSigningSecret,
    principalHeaderTtlSeconds: integer('PRINCIPAL_HEADER_TTL_SECONDS', 60, 5, 3600),
    sessionTtlSeconds: integer('SESSION_TTL_SECONDS', 12 * 3600, 60, 30 * 24 * 3600),
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
    },
  };
  config.gateway.explorer = boolean('GATEWAY_EXPLORER', nodeEnv === 'development');
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
