/** `npm run reporting:rebuild`: recomputes the usage rollups of DATABASE_URL from raw messages (one transaction). */
import { loadConfig } from '@platform/config';
import { rebuildUsage, service as messaging } from '@platform/messaging';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required for reporting:rebuild');
  const dataSource = messaging.createDataSource(config.databaseUrl, { poolSize: 1 });
  await dataSource.initialize();
  try {
    const startedAt = performance.now();
    const result = await rebuildUsage(dataSource);
    console.log(`usage rollups rebuilt: ${result.accountDayRows} account-day rows, ${result.subtreeDayRows} subtree-day rows in ${Math.round(performance.now() - startedAt)} ms`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
