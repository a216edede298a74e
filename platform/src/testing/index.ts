export * from './test-stack';
export { templateDatabaseFor } from './templates';
