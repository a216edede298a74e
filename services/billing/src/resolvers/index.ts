import { Account } from './account';

export const resolvers = { Account };
