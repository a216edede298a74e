export * from './activity-log';
export * from './mutate';
