import { loadAccountChains, loadAccountNames, type AccessControl } from '@platform/authz';
import type { Sql } from '@platform/db';

// Billing never queries `hierarchy.*` or `identity.*` itself: chains, names and the effective
// timezone come from @platform/authz, the one module that reads the shared account read model.

/** Name and depth of each given account (invoice lines), two batched statements; unknown ids are absent. */
export async function accountLabels(db: Sql, ids: string[]): Promise<Map<string, { name: string; depth: number }>> {
  const names = await loadAccountNames(db, ids);
  const chains = await loadAccountChains(db, ids);
  const labels = new Map<string, { name: string; depth: number }>();
  for (const [id, name] of names) labels.set(id, { name, depth: chains.get(id)?.depth ?? 0 });
  return labels;
}

/** An Account as billing resolves it: the entity's key (the other subgraphs own its other fields). */
export interface AccountReference {
  id: string;
  /** loaded with the other references of its `_entities` call (accountEntities) */
  balance?: number;
}

/**
 * A reference to an account the caller may see, else null: billing rows name the ancestors that pay
 * or fund an account, and a sub-account's admin must not learn their ids (SPEC H3).
 */
export async function visibleAccount(accountId: string, access: AccessControl): Promise<AccountReference | null> {
  return (await access.canView(accountId)) ? { id: accountId } : null;
}
