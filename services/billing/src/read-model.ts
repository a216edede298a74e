import { loadAccountChains, loadAccountNames, loadEffectiveTimezone } from '@platform/authz';
import { queryableOf, type Sql } from './sql';

/**
 * What billing needs of the hierarchy, in one place. Billing never queries `hierarchy.*` or
 * `identity.*` itself: chains, names and the effective timezone come from @platform/authz, the
 * one module that reads the shared account read model (visibility and chains too).
 */
export function effectiveTimezone(db: Sql, path: string[]): Promise<string> {
  return loadEffectiveTimezone(queryableOf(db), path);
}

/** Names of the given accounts, one batched statement; unknown ids are absent. */
export function accountNames(db: Sql, ids: string[]): Promise<Map<string, string>> {
  return loadAccountNames(queryableOf(db), ids);
}

/** Name and depth of each given account (invoice lines), two batched statements; unknown ids are absent. */
export async function accountLabels(db: Sql, ids: string[]): Promise<Map<string, { name: string; depth: number }>> {
  const names = await accountNames(db, ids);
  const chains = await loadAccountChains(queryableOf(db), ids);
  const labels = new Map<string, { name: string; depth: number }>();
  for (const [id, name] of names) labels.set(id, { name, depth: chains.get(id)?.depth ?? 0 });
  return labels;
}
