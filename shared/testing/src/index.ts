export * from './graphql-client';
export * from './principal-keys';
export * from './log-capture';
export * from './free-port';
