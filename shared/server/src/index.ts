export * from './http';
export * from './logger';
export * from './subgraph';
export * from './entities';
export * from './process';
export * from './rate-limit';
export * from './scalars';
export * from './metrics';
