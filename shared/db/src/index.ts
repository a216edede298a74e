export * from './data-source';
export * from './embedded-postgres';
export * from './test-database';
