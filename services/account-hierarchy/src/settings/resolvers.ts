import { SETTING_KEY_BY_NAME, SETTING_KEYS, type EffectiveSettings, type SettingName, type SettingValues } from '@platform/authz';
import type { AccountSettingsResolvers, Resolvers, SettingOriginResolvers } from '../__generated__/resolvers-types';
import { SettingsService } from './service';

/** Where one effective setting comes from (the parent of SettingOrigin's fields). */
export interface SettingOriginValue {
  key: string;
  source: string;
  accountId: string | null;
  depth: number | null;
}

const originOf = (settings: EffectiveSettings, name: SettingName): SettingOriginValue => ({
  key: SETTING_KEY_BY_NAME[name],
  source: settings.origins[name].source,
  accountId: settings.origins[name].accountId,
  depth: settings.origins[name].depth,
});

const value =
  <TName extends SettingName>(name: TName) =>
  (settings: EffectiveSettings): SettingValues[TName] =>
    settings.values[name];

const AccountSettings: AccountSettingsResolvers = {
  timezone: value('timezone'),
  optOutKeywords: value('optOutKeywords'),
  allowDuplicateContacts: value('allowDuplicateContacts'),
  defaultTemplateId: value('defaultTemplateId'),
  defaultSenderId: value('defaultSenderId'),
  sendingWindow: value('sendingWindow'),
  smsLimits: value('smsLimits'),
  trackableLinks: value('trackableLinks'),
  deliveryReceipts: value('deliveryReceipts'),
  emailToSmsEnabled: value('emailToSmsEnabled'),
  origins: (settings) => (Object.keys(settings.origins) as SettingName[]).map((name) => originOf(settings, name)),
  origin: (settings, args) => originOf(settings, SETTING_KEYS[args.key]),
};

const SettingOrigin: SettingOriginResolvers = {
  sourceAccount: async (origin, _args, ctx) =>
    origin.accountId && (await ctx.access.canView(origin.accountId)) ? ctx.loaders.accountById.load(origin.accountId) : null,
  sourceDepth: (origin) => origin.depth,
};

export const resolvers: Resolvers = {
  Mutation: {
    updateAccountSettings: (_root, args, ctx) =>
      new SettingsService(ctx).updateSettings(args.id, args.input),
  },
  Account: {
    settings: async (account, _args, ctx) => {
      const settings = await ctx.loaders.settingsByAccountId.load(account.id);
      // An account row always has a chain; without one the non-null field could not be answered anyway.
      if (!settings) throw new Error(`No chain for account ${account.id}`);
      return settings;
    },
  },
  AccountSettings,
  SettingOrigin,
};
