import fs from 'node:fs';
import path from 'node:path';
import { insertAccountTree } from '@platform/account-hierarchy';
import { demoUser, DEMO_PASSWORD } from '@platform/demo-data';
import { INSTALL_AND_START_MS, overflowsHorizontally, saveScreenshot, signIn, startPortalStack, type PortalStack } from './browser-stack';

/** Rendering times are recorded for bench/README.md ("Portal"), never asserted: the machine is shared. */
const FIGURES_FILE = path.join(__dirname, '..', '..', '..', 'bench', 'results', 'portal-tree.json');
const EXPANDED_LEVEL_ONE = 5;
/** The tree page's row height (Tree.tsx). */
const ROW_HEIGHT = 52;

jest.setTimeout(180_000);

describe('the tree page on a 10,000-account tree (issue 18)', () => {
  let env: PortalStack;
  let rootId: string;

  beforeAll(async () => {
    env = await startPortalStack();
    // 1 parent, 100 level-1 accounts, 9,899 level-2 accounts: a level holds hundreds of rows once a few are open.
    const tree = await insertAccountTree(env.stack.sql, { size: 10_000, fanout: 100, name: 'Scale tree' });
    rootId = tree.rootId;
    await env.stack.sql.query(`INSERT INTO identity.memberships (user_id, account_id, role) VALUES ($1, $2, 'ADMIN')`, [demoUser('hq-admin').id, rootId]);
    await env.stack.sql.query('ANALYZE');
  }, INSTALL_AND_START_MS);
  afterAll(() => env?.close());

  it('shows the first level, expands levels of 100 children and searches, rendering only the rows on screen', async () => {
    // Arrange
    const page = await env.newPage();
    const tree = page.getByRole('list', { name: 'Account tree' });
    await signIn(page, 'hq.admin@retail.example', DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Act in Scale tree' }).waitFor();
    const timed = async (action: () => Promise<void>): Promise<number> => {
      const startedAt = performance.now();
      await action();
      return Math.round(performance.now() - startedAt);
    };

    const hq = await env.stack.login('hq.admin@retail.example');
    const levelOne = (
      await env.stack.graphql<{ accounts: { nodes: { name: string; childCount: number }[] } }>(
        `query($root: ID!) { accounts(rootId: $root, filter: { depth: 1 }, first: 100) { nodes { name childCount } } }`,
        { root: rootId },
        hq,
      )
    ).data!.accounts.nodes;
    const opened = levelOne.filter((account) => account.childCount > 0).slice(0, EXPANDED_LEVEL_ONE);
    const scrollToRow = (index: number) => page.getByTestId('tree-scroll').evaluate((element, top) => element.scrollTo(0, top), Math.max(0, index * ROW_HEIGHT - 100));

    // Act
    const firstLevelMs = await timed(async () => {
      await page.getByRole('button', { name: 'Act in Scale tree' }).click();
      await tree.getByRole('link', { name: levelOne[0].name, exact: true }).waitFor();
    });
    const expandMs: number[] = [];
    let openRowsAbove = 0;
    for (const account of opened) {
      // Rows: the root, then each level-1 account followed by the children of those already open.
      await scrollToRow(1 + levelOne.indexOf(account) + openRowsAbove);
      expandMs.push(
        await timed(async () => {
          await tree.getByRole('button', { name: `Expand ${account.name}`, exact: true }).click();
          await tree.getByRole('link', { name: `${account.name}.1`, exact: true }).waitFor();
        }),
      );
      openRowsAbove += account.childCount;
    }
    const renderedRows = await tree.locator('li').count();
    const listHeight = await tree.evaluate((element) => element.getBoundingClientRect().height);
    const scrollToEndMs = await timed(async () => {
      await page.getByTestId('tree-scroll').evaluate((element) => element.scrollTo(0, element.scrollHeight));
      await tree.getByRole('link', { name: levelOne[levelOne.length - 1].name, exact: true }).waitFor();
    });
    const searchMs = await timed(async () => {
      await page.getByLabel('Search accounts by name').fill('Scale tree.42.');
      await page.getByText('100 accounts match “Scale tree.42.”').waitFor();
    });
    await saveScreenshot(page, 'tree-10000-accounts');

    // Assert
    const listedRows = 1 + levelOne.length + openRowsAbove;
    expect(levelOne).toHaveLength(100);
    expect(listHeight).toBe(listedRows * ROW_HEIGHT);
    expect(renderedRows).toBeLessThan(60);
    await expect(overflowsHorizontally(page)).resolves.toBe(false);
    fs.mkdirSync(path.dirname(FIGURES_FILE), { recursive: true });
    const figures = { measuredAt: new Date().toISOString(), accounts: 10_000, listedRows, renderedRows, firstLevelMs, expandMs, scrollToEndMs, searchMs };
    fs.writeFileSync(FIGURES_FILE, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`portal tree figures: ${JSON.stringify(figures)}`);
  });
});
