export * from './platform';
export * from './test-stack';
