export * from './test-stack';
export * from './subgraph-server';
export { templateDatabaseFor } from './templates';
export * from './paging';
