import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, type ExecutionResult } from 'graphql';
import { AppError } from '@platform/errors';
import { batchEntities, requestedFields, type EntityRepresentation } from '../entities';

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Account @key(fields: "id") { id: ID! name: String }
  type User @key(fields: "id") { id: ID! email: String }
  type Query { ping: String }
`);

/** A subgraph whose Account references go through one batch (recorded), and whose User references through __resolveReference. */
function subgraph() {
  const batches: { ids: string[]; fields: string[] }[] = [];
  const schema = batchEntities(
    buildSubgraphSchema({ typeDefs, resolvers: { User: { __resolveReference: async (reference: { id: string }) => ({ id: reference.id, email: `${reference.id}@example.com` }) } } }),
    {
      Account: (representations: EntityRepresentation[], _context, info) => {
        batches.push({ ids: representations.map((r) => r.id as string), fields: [...requestedFields(info, 'Account')] });
        return representations.map((r) => (r.id === 'gone' ? null : r.id === 'refused' ? new AppError('NOT_FOUND', 'Account not found') : { id: r.id, name: `Account ${r.id}` }));
      },
    },
  );
  return { schema, batches };
}

const ENTITIES = 'query($r: [_Any!]!, $withName: Boolean!) { _entities(representations: $r) { ... on Account { id label: name @include(if: $withName) } ... on User { id email } } }';

describe('_entities resolved in one batch per entity type (issue 17)', () => {
  it('hands every Account representation to one batch call, keeps the order of mixed types, and answers null or an error on that entity alone', async () => {
    // Arrange
    const { schema, batches } = subgraph();
    const r = [
      { __typename: 'Account', id: 'a1' },
      { __typename: 'User', id: 'u1' },
      { __typename: 'Account', id: 'gone' },
      { __typename: 'Account', id: 'refused' },
      { __typename: 'Account', id: 'a2' },
    ];

    // Act
    const result = (await execute({ schema, document: parse(ENTITIES), variableValues: { r, withName: true } })) as ExecutionResult;

    // Assert
    expect(result.data?._entities).toEqual([{ id: 'a1', label: 'Account a1' }, { id: 'u1', email: 'u1@example.com' }, null, null, { id: 'a2', label: 'Account a2' }]);
    expect(result.errors?.map((error) => [error.path, (error.originalError as AppError).code])).toEqual([[['_entities', 3], 'NOT_FOUND']]);
    expect(batches).toEqual([{ ids: ['a1', 'gone', 'refused', 'a2'], fields: ['id', 'name'] }]);
  });

  it('tells the batch which fields are selected, by name, with @include applied', async () => {
    // Arrange
    const { schema, batches } = subgraph();

    // Act
    await execute({ schema, document: parse(ENTITIES), variableValues: { r: [{ __typename: 'Account', id: 'a1' }], withName: false } });

    // Assert
    expect(batches).toEqual([{ ids: ['a1'], fields: ['id'] }]);
  });
});
