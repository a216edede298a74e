import { execute, parse, type ExecutionResult } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { AppError, errors } from '@platform/errors';
import { AccessControl, type AccountChain } from '../access-control';
import { allow, applyShield, canViewParentAccount } from '../rules';

const VISIBLE = ['a', 'b', 'c'];

/** The request's AccessControl with its chain-and-grant decision replaced (it would read the database): ids outside VISIBLE are NOT_FOUND; calls are counted. */
class CountingAccess extends AccessControl {
  requireCalls = 0;
  constructor() {
    super({ kind: 'USER', id: 'u', actingAccountId: null, sessionId: null }, { query: () => Promise.reject(new Error('no SQL in this test')) });
  }
  override async require(accountId: string): Promise<AccountChain> {
    this.requireCalls += 1;
    if (!VISIBLE.includes(accountId)) throw errors.notFound('Account');
    return { id: accountId, rootId: accountId, parentId: null, path: [accountId], depth: 0, status: 'ACTIVE', chainStatus: 'ACTIVE', suspendedFromDepth: null };
  }
}
const accessOf = () => new CountingAccess();
type TestAccess = CountingAccess;

const schema = applyShield(
  makeExecutableSchema({
    typeDefs: `
      type Account { id: ID! name: String! depth: Int! }
      type Secret { value: String }
      type Query {
        references(ids: [ID!]!): [Account]
        loaded: [Account!]!
        secret: Secret
        failing: String
      }`,
    resolvers: {
      Query: {
        // As _entities: fresh objects, nothing decided about them yet.
        references: (_root: unknown, args: { ids: string[] }) => args.ids.map((id) => ({ id, name: `Account ${id}`, depth: 1 })),
        // As a subtree read under a visible root: marked where loaded.
        loaded: (_root: unknown, _args: unknown, ctx: { access: TestAccess }) => {
          const rows = VISIBLE.map((id) => ({ id, name: `Account ${id}`, depth: 1 }));
          ctx.access.markVisible(rows);
          return rows;
        },
        secret: () => ({ value: 'hidden' }),
        failing: () => {
          throw new AppError('INVALID_STATE', 'the resolver refused');
        },
      },
    },
  }),
  { Query: { references: allow, loaded: allow, secret: allow, failing: allow }, Account: canViewParentAccount },
);

function run(query: string, access: TestAccess) {
  return execute({ schema, document: parse(query), contextValue: { access } });
}

describe('shield decided per object (issue 17)', () => {
  it('decides each referenced object once, whatever the number of its fields', async () => {
    // Arrange
    const access = accessOf();

    // Act
    const result = (await run('{ references(ids: ["a", "b", "c"]) { id name depth } }', access)) as ExecutionResult;

    // Assert
    expect(result.errors).toBeUndefined();
    expect(result.data?.references).toEqual(VISIBLE.map((id) => ({ id, name: `Account ${id}`, depth: 1 })));
    expect(access.requireCalls).toBe(3);
  });

  it('answers the fields of objects marked visible where they were loaded without a decision, and synchronously', () => {
    // Arrange
    const access = accessOf();

    // Act
    const result = run('{ loaded { id name depth } }', access);

    // Assert: no field went through shield's asynchronous wrapper, so execution completed at once
    expect(result).not.toBeInstanceOf(Promise);
    expect((result as ExecutionResult).data?.loaded).toHaveLength(3);
    expect(access.requireCalls).toBe(0);
  });

  it('refuses every field of an object the caller may not see, with NOT_FOUND, and keeps the others', async () => {
    // Arrange
    const access = accessOf();

    // Act
    const result = (await run('{ references(ids: ["a", "hidden"]) { id name } }', access)) as ExecutionResult;

    // Assert
    const refs = result.data?.references as ({ id: string; name: string } | null)[];
    expect(refs[0]).toEqual({ id: 'a', name: 'Account a' });
    expect(refs[1]).toBeNull();
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(result.errors?.[0].path).toEqual(['references', 1, expect.any(String)]);
  });

  it('still denies a field without a rule (fallbackRule: deny) and passes a resolver error of an allowed field through', async () => {
    // Act
    const result = (await run('{ secret { value } failing }', accessOf())) as ExecutionResult;

    // Assert
    expect(result.data).toEqual({ secret: { value: null }, failing: null });
    const codes = Object.fromEntries((result.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code ?? (e.originalError as AppError | undefined)?.code]));
    expect(codes).toEqual({ 'secret.value': 'FORBIDDEN', failing: 'INVALID_STATE' });
  });
});
