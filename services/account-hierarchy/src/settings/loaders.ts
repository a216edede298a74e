import DataLoader from 'dataloader';
import { resolveSettings, type AccessControl, type EffectiveSettings, type SettingValues } from '@platform/authz';
import type { Sql } from '@platform/db';
import { findSettingOverrides } from './store';

export interface SettingsLoaders {
  settingsByAccountId: DataLoader<string, EffectiveSettings | null>;
}

/** Per-request loaders: the effective settings of an account resolve along its chain in one batch. */
export function createSettingsLoaders(db: Sql, access: AccessControl): SettingsLoaders {
  const overridesByAccountId = new DataLoader<string, Partial<SettingValues> | null>(async (ids) => {
    const byId = await findSettingOverrides(db, ids);
    return ids.map((id) => byId.get(id) ?? null);
  });

  const settingsByAccountId = new DataLoader<string, EffectiveSettings | null>(async (ids) => {
    const chains = await access.chains.loadMany(ids);
    const pathIds = new Set<string>();
    for (const chain of chains) if (chain && !(chain instanceof Error)) chain.path.forEach((id) => pathIds.add(id));
    const overrides = await overridesByAccountId.loadMany([...pathIds]);
    const overridesMap = new Map<string, Partial<SettingValues>>();
    [...pathIds].forEach((id, i) => {
      const value = overrides[i];
      if (value && !(value instanceof Error)) overridesMap.set(id, value);
    });
    return chains.map((chain) => (chain && !(chain instanceof Error) ? resolveSettings(chain.path, overridesMap) : null));
  });

  return { settingsByAccountId };
}
