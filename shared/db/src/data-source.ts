import { DataSource, type Logger, type MigrationInterface, type MixedList } from 'typeorm';
import { statementText } from './sql';

/** Counts SQL statements sent by the data sources it is attached to (tests assert batching). */
export class QueryCounter {
  count = 0;
  readonly statements: string[] = [];
  record(sql: string): void {
    this.count += 1;
    if (this.statements.length < 10_000) this.statements.push(sql);
  }
  reset(): void {
    this.count = 0;
    this.statements.length = 0;
  }
}

class CountingLogger implements Logger {
  constructor(private readonly counter: QueryCounter | undefined) {}
  logQuery(query: string): void {
    this.counter?.record(statementText(query));
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

export interface DataSourceOptions {
  url: string;
  /** The PostgreSQL schema this subgraph owns; it writes nowhere else. */
  schema: string;
  migrations?: MixedList<(new () => MigrationInterface) | string>;
  poolSize?: number;
  queryCounter?: QueryCounter;
  applicationName?: string;
}

/** What a caller of a subgraph's data source may set (its schema and migrations are the subgraph's). */
export type DataSourceOverrides = Pick<DataSourceOptions, 'poolSize' | 'queryCounter' | 'applicationName'>;

export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: [],
    migrations: options.migrations ?? [],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Only the counting logger listens: statements are counted, never logged with their values.
    logging: options.queryCounter ? ['query'] : false,
    logger: new CountingLogger(options.queryCounter),
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName,
    extra: { connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 },
  });
}

/** Creates the subgraph's schema if needed and applies its pending migrations. */
export async function migrate(dataSource: DataSource, schema: string): Promise<void> {
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  await dataSource.runMigrations({ transaction: 'each' });
}
