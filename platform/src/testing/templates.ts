import crypto from 'node:crypto';
import { createTemplateDatabase } from '@platform/db';
import { prepareDatabase } from '../database';

/** Where jest's global setup tells the suites the names of its template databases. */
const TEMPLATE_VARIABLES = { seeded: 'PLATFORM_TEST_TEMPLATE_SEEDED', empty: 'PLATFORM_TEST_TEMPLATE_EMPTY' } as const;

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
  return {
    drop: async () => {
      await seeded.drop();
      await empty.drop();
    },
  };
}
