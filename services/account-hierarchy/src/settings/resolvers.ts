import { SETTING_KEY_BY_NAME, SETTING_KEYS, type EffectiveSettings, type SettingName } from '@platform/authz';
import type { HierarchyContext } from '../context';
import type { AccountRow } from '../accounts/store';
import { SettingsService } from './service';

interface SettingOriginValue {
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

const value = (name: SettingName) => (settings: EffectiveSettings) => settings.values[name];

const AccountSettings = {
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
  origins: (settings: EffectiveSettings) => (Object.keys(settings.origins) as SettingName[]).map((name) => originOf(settings, name)),
  origin: (settings: EffectiveSettings, args: { key: string }) => originOf(settings, SETTING_KEYS[args.key]),
};

const SettingOrigin = {
  sourceAccount: async (origin: SettingOriginValue, _args: unknown, ctx: HierarchyContext) =>
    origin.accountId && (await ctx.access.canView(origin.accountId)) ? ctx.loaders.accountById.load(origin.accountId) : null,
  sourceDepth: (origin: SettingOriginValue) => origin.depth,
};

export const resolvers = {
  Mutation: {
    updateAccountSettings: (_root: unknown, args: { id: string; input: Record<string, unknown> }, ctx: HierarchyContext) =>
      new SettingsService(ctx).updateSettings(args.id, args.input),
  },
  Account: {
    settings: async (account: AccountRow, _args: unknown, ctx: HierarchyContext) => ctx.loaders.settingsByAccountId.load(account.id),
  },
  AccountSettings,
  SettingOrigin,
};
