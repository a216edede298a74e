import { assertId, errors, invalidFieldsOf, type InvalidField } from '@platform/errors';
import { prepared } from '@platform/db';

/** SPEC H5: the settings an account may set for itself and its descendants. */
export interface SettingValues {
  timezone: string;
  optOutKeywords: string[];
  allowDuplicateContacts: boolean;
  defaultTemplateId: string | null;
  defaultSenderId: string | null;
  sendingWindow: { days: string[]; start: string; end: string } | null;
  smsLimits: { daily: number | null; monthly: number | null };
  trackableLinks: boolean;
  deliveryReceipts: boolean;
  emailToSmsEnabled: boolean;
}

export type SettingName = keyof SettingValues;

export const PLATFORM_DEFAULTS: SettingValues = {
  timezone: 'UTC',
  optOutKeywords: ['STOP', 'UNSUBSCRIBE', 'ARRET'],
  allowDuplicateContacts: false,
  defaultTemplateId: null,
  defaultSenderId: null,
  sendingWindow: null,
  smsLimits: { daily: null, monthly: null },
  trackableLinks: false,
  deliveryReceipts: true,
  emailToSmsEnabled: false,
};

export const SETTING_KEYS: Record<string, SettingName> = {
  TIMEZONE: 'timezone',
  OPT_OUT_KEYWORDS: 'optOutKeywords',
  ALLOW_DUPLICATE_CONTACTS: 'allowDuplicateContacts',
  DEFAULT_TEMPLATE_ID: 'defaultTemplateId',
  DEFAULT_SENDER_ID: 'defaultSenderId',
  SENDING_WINDOW: 'sendingWindow',
  SMS_LIMITS: 'smsLimits',
  TRACKABLE_LINKS: 'trackableLinks',
  DELIVERY_RECEIPTS: 'deliveryReceipts',
  EMAIL_TO_SMS_ENABLED: 'emailToSmsEnabled',
};
export const SETTING_KEY_BY_NAME = Object.fromEntries(Object.entries(SETTING_KEYS).map(([k, v]) => [v, k])) as Record<SettingName, string>;

export type SettingSource = 'OWN' | 'INHERITED' | 'DEFAULT';

export interface EffectiveSettings {
  values: SettingValues;
  origins: Record<SettingName, { source: SettingSource; accountId: string | null; depth: number | null }>;
}

/** Resolves each setting from the account itself, then its ancestors nearest first, then the default. */
export function resolveSettings(path: string[], overridesByAccount: Map<string, Partial<SettingValues>>): EffectiveSettings {
  const values = { ...PLATFORM_DEFAULTS } as Record<SettingName, unknown>;
  const origins = {} as EffectiveSettings['origins'];
  const selfDepth = path.length - 1;
  for (const name of Object.keys(PLATFORM_DEFAULTS) as SettingName[]) {
    origins[name] = { source: 'DEFAULT', accountId: null, depth: null };
    for (let depth = selfDepth; depth >= 0; depth--) {
      const overrides = overridesByAccount.get(path[depth]);
      if (overrides && name in overrides) {
        values[name] = overrides[name];
        origins[name] = { source: depth === selfDepth ? 'OWN' : 'INHERITED', accountId: path[depth], depth };
        break;
      }
    }
  }
  return { values: values as unknown as SettingValues, origins };
}

const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];
const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
const KEYWORD = /^[\p{L}\p{N}]{1,20}$/u;
const MAX_LIMIT = 100_000_000;

function isTimeZone(value: string): boolean {
  if (value.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function limit(value: number | null | undefined, field: string): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 0 || value > MAX_LIMIT) {
    throw errors.badInput(`${field} must be an integer between 0 and ${MAX_LIMIT}`, field);
  }
  return value;
}

/**
 * Validates a settings input into the overrides to store. Every invalid field is reported at once:
 * BAD_USER_INPUT with extensions.fields ([{ field, code, message }]).
 */
export function validateSettingsInput(input: Record<string, unknown>): { set: Partial<SettingValues>; clear: SettingName[] } {
  const set: Partial<SettingValues> = {};
  const invalid: InvalidField[] = [];
  const refuse = (field: string, message: string) => void invalid.push({ field, code: 'BAD_USER_INPUT', message });
  const attempt = (work: () => void) => {
    try {
      work();
    } catch (error) {
      const fields = invalidFieldsOf(error);
      if (!fields) throw error;
      invalid.push(...fields);
    }
  };
  if (input.timezone !== undefined && input.timezone !== null) {
    const timezone = String(input.timezone);
    if (!isTimeZone(timezone)) refuse('timezone', 'timezone must be an IANA time zone such as Europe/Paris');
    else set.timezone = new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
  }
  if (input.optOutKeywords !== undefined && input.optOutKeywords !== null) {
    const keywords = input.optOutKeywords as string[];
    const normalised = keywords.map((k) => k.trim().toUpperCase());
    if (keywords.length === 0 || keywords.length > 20) refuse('optOutKeywords', 'optOutKeywords must hold 1 to 20 keywords');
    else if (!normalised.every((k) => KEYWORD.test(k))) refuse('optOutKeywords', 'each opt-out keyword is one word of 1 to 20 letters or digits');
    else set.optOutKeywords = [...new Set(normalised)];
  }
  for (const flag of ['allowDuplicateContacts', 'trackableLinks', 'deliveryReceipts', 'emailToSmsEnabled'] as const) {
    if (input[flag] !== undefined && input[flag] !== null) set[flag] = Boolean(input[flag]);
  }
  for (const idField of ['defaultTemplateId', 'defaultSenderId'] as const) {
    if (input[idField] !== undefined && input[idField] !== null) attempt(() => (set[idField] = assertId(String(input[idField]), idField)));
  }
  if (input.sendingWindow !== undefined && input.sendingWindow !== null) {
    const window = input.sendingWindow as { days: string[]; start: string; end: string };
    if (window.days.length === 0) refuse('sendingWindow', 'sendingWindow.days must name at least one day');
    else if (!window.days.every((d) => WEEKDAYS.includes(d))) refuse('sendingWindow', 'sendingWindow.days holds an unknown day');
    else if (!TIME_OF_DAY.test(window.start) || !TIME_OF_DAY.test(window.end)) refuse('sendingWindow', 'sendingWindow start and end are times HH:MM');
    else if (window.start >= window.end) refuse('sendingWindow', 'sendingWindow start must be before end');
    else set.sendingWindow = { days: WEEKDAYS.filter((d) => window.days.includes(d)), start: window.start, end: window.end };
  }
  if (input.smsLimits !== undefined && input.smsLimits !== null) {
    const limits = input.smsLimits as { daily?: number | null; monthly?: number | null };
    let daily: number | null = null;
    let monthly: number | null = null;
    let valid = true;
    attempt(() => void (daily = limit(limits.daily, 'smsLimits.daily')));
    attempt(() => void (monthly = limit(limits.monthly, 'smsLimits.monthly')));
    if (invalid.some((problem) => problem.field.startsWith('smsLimits.'))) valid = false;
    else if (daily !== null && monthly !== null && daily > monthly) {
      refuse('smsLimits', 'smsLimits.daily cannot exceed smsLimits.monthly');
      valid = false;
    }
    if (valid) set.smsLimits = { daily, monthly };
  }
  const clear = ((input.clear as string[] | undefined) ?? []).map((key) => SETTING_KEYS[key]);
  for (const name of clear) {
    if (name in set) refuse('clear', `${SETTING_KEY_BY_NAME[name]} cannot be both set and cleared`);
  }
  if (invalid.length) throw errors.invalidFields(invalid);
  return { set, clear };
}

/** The overrides rows of the given accounts in one statement (the shared read model of SPEC H5). */
export async function loadSettingOverrides(
  db: { query(sql: string, parameters?: unknown[]): Promise<any> }, // eslint-disable-line @typescript-eslint/no-explicit-any
  accountIds: readonly string[],
): Promise<Map<string, Partial<SettingValues>>> {
  if (accountIds.length === 0) return new Map();
  const rows: { account_id: string; overrides: Partial<SettingValues> }[] = await db.query(
    prepared(`SELECT account_id, overrides FROM hierarchy.account_settings WHERE account_id = ANY($1::uuid[])`),
    [[...new Set(accountIds)]],
  );
  return new Map(rows.map((row) => [row.account_id, row.overrides]));
}

/**
 * Effective settings of every account on `path` (root first), index i = the account path[i]:
 * messaging needs the sending account's values and each ancestor's SMS limits. One query.
 */
export async function loadEffectiveSettingsAlongPath(
  db: { query(sql: string, parameters?: unknown[]): Promise<any> }, // eslint-disable-line @typescript-eslint/no-explicit-any
  path: string[],
): Promise<EffectiveSettings[]> {
  return effectiveSettingsAlongPath(path, await loadSettingOverrides(db, path));
}

/**
 * loadSettingOverrides as a part of a caller's own statement (issue 19: a send reads its settings
 * with its opt-outs): an expression answering the overrides of the accounts of `accounts` (a uuid[]
 * parameter or expression) as one JSON object by account id, for settingOverridesOf.
 */
export const settingOverridesSql = (accounts: string) =>
  `(SELECT coalesce(jsonb_object_agg(account_id, overrides), '{}'::jsonb) FROM hierarchy.account_settings WHERE account_id = ANY(${accounts}))`;

/** The overrides of settingOverridesSql's object, as loadSettingOverrides answers them. */
export const settingOverridesOf = (byAccount: Record<string, Partial<SettingValues>>): Map<string, Partial<SettingValues>> => new Map(Object.entries(byAccount));

/** Effective settings of every account on `path` (root first) from the overrides of its accounts, as loadEffectiveSettingsAlongPath answers them. */
export function effectiveSettingsAlongPath(path: string[], overrides: Map<string, Partial<SettingValues>>): EffectiveSettings[] {
  return path.map((_, depth) => resolveSettings(path.slice(0, depth + 1), overrides));
}

/**
 * The effective timezone of the account at the end of `path` (root first): for subgraphs that need
 * only the timezone (billing: invoice periods, monthly limit renewals).
 */
export async function loadEffectiveTimezone(
  db: { query(sql: string, parameters?: unknown[]): Promise<any> }, // eslint-disable-line @typescript-eslint/no-explicit-any
  path: string[],
): Promise<string> {
  if (path.length === 0) return PLATFORM_DEFAULTS.timezone;
  return resolveSettings(path, await loadSettingOverrides(db, path)).values.timezone;
}
