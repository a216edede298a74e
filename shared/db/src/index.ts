export * from './data-source';
export * from './sql';
export * from './cursor';
export * from './connection';
export * from './connection-batches';
export * from './embedded-postgres';
export * from './test-database';
