export * from './data-source';
export * from './gateway';
export * from './supergraph';
