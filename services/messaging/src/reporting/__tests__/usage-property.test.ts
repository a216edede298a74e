import fc from 'fast-check';
import { demoUser } from '@platform/demo-data';
import { service as messaging } from '@platform/messaging';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { insertAccountTree } from '@platform/account-hierarchy';
import type { DataSource } from 'typeorm';
import { rebuildUsage } from '../store';
import { acceptMessages, changeStatus, QUIET_STACK_ENV, rawSubtreeTotals } from './usage-fixtures';

const USERS = [demoUser('hq-admin').id, demoUser('north-admin').id, null];
const SENDERS = ['6f1c2d6e-98a4-4f3e-9d41-7c1b2a3e4f50', null];

/** Rollup totals of each account's subtree, from both tables. */
async function rollupTotals(stack: TestStack, accountIds: string[]) {
  const { rows } = await stack.sql.query(
    `SELECT t.id AS account_id,
            (SELECT coalesce(sum(messages), 0)::int FROM messaging.usage_subtree_daily WHERE ancestor_id = t.id) AS subtree_messages,
            (SELECT coalesce(sum(parts), 0)::int FROM messaging.usage_subtree_daily WHERE ancestor_id = t.id) AS subtree_parts,
            (SELECT coalesce(sum(delivered), 0)::int FROM messaging.usage_subtree_daily WHERE ancestor_id = t.id) AS subtree_delivered,
            (SELECT coalesce(sum(failed), 0)::int FROM messaging.usage_subtree_daily WHERE ancestor_id = t.id) AS subtree_failed,
            (SELECT coalesce(sum(cost_units), 0)::int FROM messaging.usage_subtree_daily WHERE ancestor_id = t.id) AS subtree_cost,
            (SELECT coalesce(sum(messages), 0)::int FROM messaging.usage_account_daily WHERE t.id = ANY(path)) AS detail_messages,
            (SELECT coalesce(sum(delivered + failed), 0)::int FROM messaging.usage_account_daily WHERE t.id = ANY(path)) AS detail_outcomes
       FROM unnest($1::uuid[]) AS t(id)`,
    [accountIds],
  );
  return new Map(rows.map((r) => [r.account_id as string, r]));
}

describe('usage rollups equal raw sums (SPEC R1, property-based)', () => {
  let stack: TestStack;
  let dataSource: DataSource;
  let token: string;

  beforeAll(async () => {
    stack = await startTestStack({ env: QUIET_STACK_ENV });
    dataSource = messaging.createDataSource(stack.database.url, { poolSize: 1 });
    await dataSource.initialize();
    token = await stack.login('hq.admin@retail.example');
  });
  afterAll(async () => {
    await dataSource.destroy();
    await stack.close();
  });

  it('after random sends, status changes and moves, every subtree total equals the raw messages, and a rebuild changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.record({ account: fc.nat(), user: fc.nat(2), sender: fc.nat(1), day: fc.integer({ min: 1, max: 28 }), parts: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.record({ message: fc.nat(), status: fc.constantFrom('DELIVERED' as const, 'FAILED' as const, 'EXPIRED' as const, 'CANCELLED' as const) }), { maxLength: 30 }),
        fc.array(fc.record({ account: fc.nat(), newParent: fc.nat() }), { maxLength: 4 }),
        async (size, fanout, sends, statusChanges, moves) => {
          // Arrange: a random tree, sends, status changes, moves (through the gateway, as clients do)
          const tree = await insertAccountTree(stack.sql, { size, fanout });
          await stack.sql.query(`INSERT INTO identity.memberships (user_id, account_id, role) VALUES ($1, $2, 'ADMIN')`, [demoUser('hq-admin').id, tree.rootId]);
          const pick = (n: number) => tree.accountIds[n % tree.accountIds.length];
          const { ids } = await acceptMessages(
            stack.sql,
            sends.map((s) => ({ accountId: pick(s.account), userId: USERS[s.user], senderId: SENDERS[s.sender], day: `2024-02-${String(s.day).padStart(2, '0')}`, parts: s.parts })),
          );
          for (const change of statusChanges) await changeStatus(stack.sql, [ids[change.message % ids.length]], change.status);
          for (const move of moves) {
            const account = tree.accountIds.slice(1)[move.account % (tree.accountIds.length - 1)];
            // refusals (own subtree, depth limit) are fine: they must leave the rollups untouched
            if (account) await stack.graphql(`mutation($id: ID!, $to: ID!) { moveAccount(id: $id, newParentId: $to) { id } }`, { id: account, to: pick(move.newParent) }, token);
          }

          // Act
          const incremental = await rollupTotals(stack, tree.accountIds);
          const raw = await rawSubtreeTotals(stack.sql, tree.accountIds);
          await rebuildUsage(dataSource);
          const rebuilt = await rollupTotals(stack, tree.accountIds);

          // Assert
          for (const accountId of tree.accountIds) {
            const expected = raw.get(accountId)!;
            const actual = incremental.get(accountId)!;
            expect([actual.subtree_messages, actual.subtree_parts, actual.subtree_delivered, actual.subtree_failed, actual.subtree_cost]).toEqual([
              expected.messages,
              expected.parts,
              expected.delivered,
              expected.failed,
              expected.costUnits,
            ]);
            expect([actual.detail_messages, actual.detail_outcomes]).toEqual([expected.messages, expected.delivered + expected.failed]);
            expect(rebuilt.get(accountId)).toEqual(actual);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
