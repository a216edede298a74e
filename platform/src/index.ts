export * from './registry';
export * from './database';
export * from './jobs';
export * from './one-subgraph';
export * from './start-platform';
export * from './supergraph';
export * from './platform-database';
