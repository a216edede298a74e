import type { Principal } from '@platform/authz';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startSubgraphTestServer, type SubgraphTestServer } from '@platform/platform/testing';
import { typedDocument } from '@platform/testing';

const BALANCES = typedDocument<{ _entities: ({ balance: number | null } | null)[] }, { r: { __typename: string; id: string }[] }>(
  'query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { balance } } }',
);

const userPrincipal = (key: Parameters<typeof demoUser>[0], acting: string): Principal => ({ kind: 'USER', id: demoUser(key).id, actingAccountId: acting, sessionId: null });
const references = (ids: string[]) => ids.map((id) => ({ __typename: 'Account', id }));

/** Account references as the gateway sends them for a tree's balances (issue 17: decided per reference, in one batch). */
describe('Account entities in billing: each reference decided on its own account', () => {
  let server: SubgraphTestServer;
  beforeAll(async () => {
    server = await startSubgraphTestServer('billing', { seedDemo: true });
  });
  afterAll(() => server?.close());

  it('answers the balances of the references the caller holds billing on, and refuses the others alone, each on its own path', async () => {
    // Arrange: the head office's admin holds billing on its tree, not on another customer's
    const ids = [demoAccount('hq').id, demoAccount('acme').id, demoAccount('store-n1').id, 'not-an-id', demoAccount('north').id];

    // Act
    const response = await server.call(BALANCES, { r: references(ids) }, userPrincipal('hq-admin', demoAccount('hq').id));

    // Assert
    const entities = response.data!._entities;
    expect(entities[0]?.balance).toEqual(expect.any(Number));
    expect(entities[2]?.balance).toBe(entities[0]?.balance); // a store draws on the head office's balance
    expect(entities[4]?.balance).toBe(entities[0]?.balance);
    expect(entities[1]).toEqual({ balance: null });
    expect(entities[3]).toEqual({ balance: null });
    const errors = Object.fromEntries((response.errors ?? []).map((error) => [error.path?.join('.'), error.extensions?.code]));
    expect(errors).toEqual({ '_entities.1.balance': 'NOT_FOUND', '_entities.3.balance': 'BAD_USER_INPUT' });
  });

  it('refuses a visible account without billing as FORBIDDEN and an invisible one as NOT_FOUND, in the same request', async () => {
    // Arrange: North's admin sees North and its stores, holds no billing (a sub-account admin), and cannot see the head office
    const ids = [demoAccount('north').id, demoAccount('hq').id, demoAccount('store-n1').id];

    // Act
    const response = await server.call(BALANCES, { r: references(ids) }, userPrincipal('north-admin', demoAccount('north').id));

    // Assert
    const errors = Object.fromEntries((response.errors ?? []).map((error) => [error.path?.join('.'), error.extensions?.code]));
    expect(errors).toEqual({ '_entities.0.balance': 'FORBIDDEN', '_entities.1.balance': 'NOT_FOUND', '_entities.2.balance': 'FORBIDDEN' });
    expect(response.data!._entities).toEqual([{ balance: null }, { balance: null }, { balance: null }]);
  });

  it('answers for each account the balance nearest it on its path, its own first', async () => {
    // Arrange: North and one of its stores' departments pay for themselves (written straight to the table; last test of the file)
    await server.sql.query(`INSERT INTO billing.balances (account_id, units) VALUES ($1, 500), ($2, 7)`, [demoAccount('north').id, demoAccount('store-n1-marketing').id]);
    const keys = ['store-n1-marketing', 'hq', 'north', 'store-n1', 'store-n2-marketing', 'south', 'store-s1-rostering', 'store-n1-rostering'];

    // Act
    const response = await server.call(BALANCES, { r: references(keys.map((key) => demoAccount(key).id)) }, userPrincipal('hq-admin', demoAccount('hq').id));

    // Assert
    expect(response.errors).toBeUndefined();
    const head = response.data!._entities[1]?.balance;
    expect(head).not.toBe(500);
    expect(response.data!._entities.map((entity) => entity?.balance)).toEqual([7, head, 500, 500, 500, head, head, 500]);
  });
});
