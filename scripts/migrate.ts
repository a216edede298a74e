/** `npm run db:migrate`: applies every subgraph's pending migrations to DATABASE_URL. */
import { loadConfig } from '@platform/config';
import { prepareDatabase } from '@platform/platform';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required for db:migrate');
  await prepareDatabase(config.databaseUrl, { seedDemo: false });
  console.log('migrations applied');
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
