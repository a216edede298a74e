import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { AccessControl } from '@platform/authz';
import { errors } from '@platform/errors';
import { drainUsageOutbox } from './usage-outbox';
import { usageRowsByAccount, type UsageMeasures, type UsageQuery, type UsageRow } from './store';

/** Rows one GraphQL answer may carry; beyond it the client narrows the query or exports it as CSV. */
export const MAX_USAGE_ROWS = 10_000;

export interface AccountUsageResult {
  totals: UsageMeasures;
  rows: UsageRow[];
}

/** The reporting part of a request's context: one usage loader per distinct query. */
export class UsageLoaders {
  private readonly byQuery = new Map<string, DataLoader<string, AccountUsageResult>>();

  constructor(
    private readonly access: AccessControl,
    readonly dataSource: DataSource,
  ) {}

  /**
   * The usage of an account under a query, batched: every account asked with the same
   * (range, groupBy, includeDescendants, scope) in one tick is answered by one SQL statement.
   */
  load(accountId: string, query: UsageQuery): Promise<AccountUsageResult> {
    const key = JSON.stringify([query.from, query.to, query.groupBy, query.includeDescendants, query.ownUserId]);
    let loader = this.byQuery.get(key);
    if (!loader) {
      loader = new DataLoader((accountIds) => batchUsage(this.access, this.dataSource, accountIds, query));
      this.byQuery.set(key, loader);
    }
    return loader.load(accountId);
  }
}

async function batchUsage(access: AccessControl, dataSource: DataSource, accountIds: readonly string[], query: UsageQuery): Promise<(AccountUsageResult | Error)[]> {
  const chains = await access.chains.loadMany(accountIds);
  const targets = accountIds.flatMap((_accountId, i) => {
    const chain = chains[i];
    return chain && !(chain instanceof Error) ? [{ accountId: chain.id, depth: chain.depth }] : [];
  });
  const grouped = query.groupBy.length > 0;
  const rowsByAccount =
    targets.length > 0
      ? await usageRowsByAccount(dataSource, query, targets, { ...(grouped ? { limit: (MAX_USAGE_ROWS + 1) * targets.length } : {}), beforeRereading: () => drainUsageOutbox(dataSource).then(() => undefined) })
      : new Map<string, UsageRow[]>();
  return accountIds.map((accountId) => {
    const rows = rowsByAccount.get(accountId.toLowerCase()) ?? [];
    if (rows.length > MAX_USAGE_ROWS) {
      return errors.badInput(`The report has more than ${MAX_USAGE_ROWS} rows; narrow the range or groupBy, or export it (createUsageExport)`, 'groupBy');
    }
    return { totals: sumMeasures(rows), rows: grouped ? rows : [] };
  });
}

function sumMeasures(rows: readonly UsageMeasures[]): UsageMeasures {
  const totals: UsageMeasures = { messages: 0, parts: 0, delivered: 0, failed: 0, costUnits: 0 };
  for (const row of rows) {
    totals.messages += row.messages;
    totals.parts += row.parts;
    totals.delivered += row.delivered;
    totals.failed += row.failed;
    totals.costUnits += row.costUnits;
  }
  return totals;
}
