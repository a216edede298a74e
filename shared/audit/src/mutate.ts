import type { DataSource } from 'typeorm';
import type { AccountChain, Principal } from '@platform/authz';
import { inTransaction, type Sql } from '@platform/db';
import { appendActivity, appendActivityAfter, type ActivityInput } from './activity-log';

type Actor = Pick<Principal, 'kind' | 'id' | 'actingAccountId'>;

/** What an audited change reports about itself; `unchanged` (an idempotent replay, a no-op) writes no entry. */
export interface AuditedChange<T> {
  result: T;
  targetType?: string | null;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  unchanged?: boolean;
  /** Who acted when it is not the request's principal (a login, an accepted invitation). */
  principal?: Actor;
  actingAccountId?: string | null;
}

export interface AuditScope {
  dataSource: DataSource;
  /** the subgraph's own schema, which holds its activity_log */
  schema: string;
  principal: Actor;
  /** the target account's chain (from `access.require`); null → the platform chain */
  chain: AccountChain | null;
}

/**
 * The one way to make an audited change (SPEC I9): `work` runs in one transaction and the
 * activity-log entry for `action` (the GraphQL mutation's field name) is written as its last step,
 * after every row lock it took (so the log's per-tree lock is never waited for while holding
 * them). A thrown refusal writes neither the change nor the entry.
 */
export async function mutate<T>(scope: AuditScope, action: string, work: (tx: Sql) => Promise<AuditedChange<T>>): Promise<T> {
  return inTransaction(scope.dataSource, async (tx) => {
    const change = await work(tx);
    if (!change.unchanged) await recordActivity(tx, scope, action, change);
    return change.result;
  });
}

/**
 * The entry of a change made in a transaction the caller already holds (e.g. a worker's round).
 * An operator's action is written to the operator log too (SPEC O4).
 */
export async function recordActivity(tx: Sql, scope: Omit<AuditScope, 'dataSource'>, action: string, change: Omit<AuditedChange<unknown>, 'result' | 'unchanged'> = {}) {
  const entry = activityEntry(scope, action, change);
  const recorded = await appendActivity(tx, scope.schema, entry);
  if (entry.principal.kind === 'OPERATOR') await appendActivity(tx, scope.schema, entry, 'operator_log');
  return recorded;
}

/**
 * recordActivity with the caller's last statement in front of the entry, in one statement
 * (appendActivityAfter): the entry is written only when `lead.when` holds. Answers the lead's
 * `answer` and whether the entry was written.
 */
export async function recordActivityAfter(
  tx: Sql,
  scope: Omit<AuditScope, 'dataSource'>,
  action: string,
  change: Omit<AuditedChange<unknown>, 'result' | 'unchanged'>,
  lead: { ctes: string; parameters: unknown[]; when: string; answer: string },
): Promise<{ answer: unknown; recorded: boolean }> {
  const entry = activityEntry(scope, action, change);
  const appended = await appendActivityAfter(tx, scope.schema, entry, lead);
  if (appended.entry && entry.principal.kind === 'OPERATOR') await appendActivity(tx, scope.schema, entry, 'operator_log');
  return { answer: appended.answer, recorded: appended.entry !== null };
}

/** The entry recordActivity writes for a change. */
export function activityEntry(scope: Omit<AuditScope, 'dataSource'>, action: string, change: Omit<AuditedChange<unknown>, 'result' | 'unchanged'>): ActivityInput {
  return {
    principal: change.principal ?? scope.principal,
    treeId: scope.chain?.rootId ?? null,
    targetAccountPath: scope.chain?.path ?? [],
    action,
    targetType: change.targetType ?? null,
    targetId: change.targetId ?? null,
    before: change.before ?? null,
    after: change.after ?? null,
    actingAccountId: change.actingAccountId,
  };
}
