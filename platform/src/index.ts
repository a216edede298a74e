export * from './registry';
export * from './database';
export * from './jobs';
export * from './start-platform';
export * from './supergraph';
export * from './platform-database';
