import { migrate } from '@platform/db';
import { SUBGRAPHS_IN_ORDER } from './registry';

/** Runs every subgraph's migrations (each in its own schema) and, if asked, loads the demo data. */
export async function prepareDatabase(databaseUrl: string, options: { seedDemo: boolean }): Promise<void> {
  for (const subgraph of SUBGRAPHS_IN_ORDER) {
    const dataSource = subgraph.createDataSource(databaseUrl, { poolSize: 2 });
    await dataSource.initialize();
    try {
      await migrate(dataSource, subgraph.databaseSchema);
      if (options.seedDemo) await subgraph.seed(dataSource);
    } finally {
      await dataSource.destroy();
    }
  }
}
