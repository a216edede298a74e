import { appendActivity } from '@platform/audit';
import type { AccountChain, Principal } from '@platform/authz';
import { SCHEMA } from './data-source';
import { queryableOf, type Sql } from './sql';

export interface BillingActivity {
  targetType: 'Account' | 'UserCredit' | 'Transfer' | 'TopUp' | 'BillingProfile' | 'PaymentMethod' | 'Invoice';
  targetId: string;
  before?: unknown;
  after?: unknown;
}

/**
 * Billing's activity-log entry (SPEC I9) for `action`, the public mutation's field name, written
 * with `tx` as the transaction's last step (after every row lock it takes, so the per-tree
 * advisory lock of the log is never waited for while holding it), so a refusal leaves no entry.
 * `chain` is the target account's, from `access.require`. before/after hold limits, modes and
 * billing details, never provider tokens nor card digits. A call that changed nothing (an
 * idempotent replay, an already enabled balance, removing an absent limit) writes no entry.
 *
 * reserveCredit / captureCredit / releaseCredit are not logged: they are @inaccessible SERVICE
 * calls on the send path, and the append-only ledger (SPEC B2) records each of them.
 */
export async function recordActivity(
  tx: Sql,
  principal: Pick<Principal, 'kind' | 'id' | 'actingAccountId'>,
  chain: AccountChain,
  action: string,
  activity: BillingActivity,
): Promise<void> {
  await appendActivity(queryableOf(tx), SCHEMA, {
    principal,
    treeId: chain.rootId,
    targetAccountPath: chain.path,
    action,
    targetType: activity.targetType,
    targetId: activity.targetId,
    before: activity.before,
    after: activity.after,
  });
}
