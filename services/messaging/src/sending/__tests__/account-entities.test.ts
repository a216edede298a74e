import type { Principal } from '@platform/authz';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startSubgraphTestServer, type SubgraphTestServer } from '@platform/platform/testing';
import { typedDocument } from '@platform/testing';

const COUNTS = typedDocument<{ _entities: ({ messageCount: number | null } | null)[] }, { r: { __typename: string; id: string }[] }>(
  'query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { messageCount } } }',
);

const userPrincipal = (key: Parameters<typeof demoUser>[0], acting: string): Principal => ({ kind: 'USER', id: demoUser(key).id, actingAccountId: acting, sessionId: null });
const references = (keys: string[]) => keys.map((key) => ({ __typename: 'Account', id: demoAccount(key).id }));
const errorsByPath = (errors: { path?: readonly (string | number)[]; extensions?: { code?: unknown } }[] | undefined) =>
  Object.fromEntries((errors ?? []).map((error) => [error.path?.join('.'), error.extensions?.code]));

/** Account references as the gateway sends them for a tree's message counts (issue 17: decided and counted per batch). */
describe('Account entities in messaging: messageCount as each caller may count it (SPEC I2)', () => {
  let server: SubgraphTestServer;
  beforeAll(async () => {
    server = await startSubgraphTestServer('messaging', { seedDemo: true });
  });
  afterAll(() => server?.close());

  it('counts every message for a caller with reports and refuses an invisible account alone', async () => {
    // Act
    const response = await server.call(COUNTS, { r: references(['store-n1', 'acme', 'store-n1-marketing']) }, userPrincipal('hq-admin', demoAccount('hq').id));

    // Assert: the demo data sends 3 messages from Store N1, 2 + 1 from its Marketing department
    expect(response.data!._entities).toEqual([{ messageCount: 3 }, { messageCount: null }, { messageCount: 3 }]);
    expect(errorsByPath(response.errors)).toEqual({ '_entities.1.messageCount': 'NOT_FOUND' });
  });

  it("counts only a basic user's own messages, and refuses the account above them as NOT_FOUND", async () => {
    // Act
    const response = await server.call(COUNTS, { r: references(['store-n1-marketing', 'store-n1']) }, userPrincipal('n1-marketing', demoAccount('store-n1-marketing').id));

    // Assert
    expect(response.data!._entities).toEqual([{ messageCount: 2 }, { messageCount: null }]);
    expect(errorsByPath(response.errors)).toEqual({ '_entities.1.messageCount': 'NOT_FOUND' });
  });

  it('refuses a visible account without reports or reports.own as FORBIDDEN and an invisible one as NOT_FOUND, in the same request', async () => {
    // Arrange: North's admin sees North and its stores; its membership loses reports
    await server.sql.query(`UPDATE identity.memberships SET revoked_permissions = ARRAY['reports'] WHERE user_id = $1`, [demoUser('north-admin').id]);

    // Act
    const response = await server.call(COUNTS, { r: references(['north', 'hq', 'store-n1']) }, userPrincipal('north-admin', demoAccount('north').id));

    // Assert
    expect(response.data!._entities).toEqual([{ messageCount: null }, { messageCount: null }, { messageCount: null }]);
    expect(errorsByPath(response.errors)).toEqual({ '_entities.0.messageCount': 'FORBIDDEN', '_entities.1.messageCount': 'NOT_FOUND', '_entities.2.messageCount': 'FORBIDDEN' });
  });
});
