export * from './platform';
export * from './test-stack';
export * from './generate-tree';
