/** The settings model (SPEC H5) lives in the shared authz package so messaging resolves settings with the same code. */
export {
  PLATFORM_DEFAULTS,
  SETTING_KEYS,
  SETTING_KEY_BY_NAME,
  resolveSettings,
  validateSettingsInput,
  type EffectiveSettings,
  type SettingName,
  type SettingSource,
  type SettingValues,
} from '@platform/authz';
