import crypto from 'node:crypto';
import { loadConfig, type PlatformConfig } from '@platform/config';
import { createTemplateDatabase, createTestDatabase, dropTestDatabases, type TestDatabase } from '@platform/db';
import { prepareDatabase } from '../database';

/** Where jest's global setup tells the suites the names of its template databases. */
const TEMPLATE_VARIABLES = { seeded: 'PLATFORM_TEST_TEMPLATE_SEEDED', empty: 'PLATFORM_TEST_TEMPLATE_EMPTY' } as const;
/** The jest run's id, which prefixes its suites' database names so that its teardown drops them together. */
const RUN_VARIABLE = 'PLATFORM_TEST_RUN';

function suiteDatabasePrefix(run: string): string {
  return `test_${run}_`;
}

/** The template database a suite copies, or null outside a jest run that made them (the suite then migrates its own). */
export function templateDatabaseFor(options: { seedDemo: boolean }): string | null {
  return process.env[options.seedDemo ? TEMPLATE_VARIABLES.seeded : TEMPLATE_VARIABLES.empty] ?? null;
}

/** Migrates two templates once per run, with and without the demo data, and publishes their names to the suites. */
export async function createTemplateDatabases(serverUrl: string): Promise<{ drop(): Promise<void> }> {
  const run = crypto.randomBytes(4).toString('hex');
  const [seeded, empty] = await Promise.all([
    createTemplateDatabase(serverUrl, `template_${run}_seeded`, (url) => prepareDatabase(url, { seedDemo: true })),
    createTemplateDatabase(serverUrl, `template_${run}_empty`, (url) => prepareDatabase(url, { seedDemo: false })),
  ]);
  process.env[TEMPLATE_VARIABLES.seeded] = seeded.name;
  process.env[TEMPLATE_VARIABLES.empty] = empty.name;
  process.env[RUN_VARIABLE] = run;
  return {
    drop: async () => {
      await dropTestDatabases(serverUrl, suiteDatabasePrefix(run));
      await seeded.drop();
      await empty.drop();
    },
  };
}

/**
 * A suite's own database and configuration: a copy of the run's template (or, outside such a run,
 * a freshly migrated database), with Redis keys no other suite shares (login throttle, rate limits).
 */
export async function createSuiteDatabase(options: { seedDemo?: boolean; env?: Record<string, string> }): Promise<{ config: PlatformConfig; database: TestDatabase }> {
  const baseConfig = loadConfig({ ...process.env, NODE_ENV: 'test', REDIS_KEY_PREFIX: `test:${crypto.randomUUID()}:`, ...options.env });
  if (!baseConfig.databaseUrl) throw new Error('DATABASE_URL is unset: run tests through jest (its global setup starts PostgreSQL)');
  const seedDemo = options.seedDemo ?? true;
  const template = templateDatabaseFor({ seedDemo });
  const run = process.env[RUN_VARIABLE];
  const database = await createTestDatabase(baseConfig.databaseUrl, { template: template ?? undefined, namePrefix: run ? suiteDatabasePrefix(run) : undefined });
  try {
    if (!template) await prepareDatabase(database.url, { seedDemo });
  } catch (error) {
    await database.drop();
    throw error;
  }
  // Within a jest run the suite's close leaves its database to the run's teardown, which drops them all together.
  const suiteDatabase = run ? { ...database, drop: async () => {} } : database;
  return { config: { ...baseConfig, databaseUrl: database.url, databasePoolSize: 5 }, database: suiteDatabase };
}
