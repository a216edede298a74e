import { Account } from './account';
import { AccountSettings, SettingOrigin } from './account-settings';
import { Mutation } from './mutation';
import { Query } from './query';

export const resolvers = { Query, Mutation, Account, AccountSettings, SettingOrigin };
