export * from './principal';
export * from './permissions';
export * from './access-control';
export * from './rules';
export * from './authenticate';
export * from './account-settings';
export * from './secret-box';
export * from './authority';
