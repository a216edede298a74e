import { collectSubfields } from 'graphql/execution/collectFields';
import { isObjectType, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';

/** A representation of an entity, as the gateway sends it to `_entities`: `__typename` and the key fields. */
export type EntityRepresentation = { __typename: string } & Record<string, unknown>;

/**
 * Resolves every representation of one entity type in an `_entities` call at once, in order (in place
 * of the type's `__resolveReference`, which @apollo/subgraph calls once per representation): an
 * object, null, or an Error (reported on that entity's path alone). Objects whose fields are loaded
 * here can be completed by graphql-js without a promise per field.
 */
export type EntityBatchResolver<TContext = any> = (representations: EntityRepresentation[], context: TContext, info: GraphQLResolveInfo) => Promise<unknown[]> | unknown[]; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The fields (by name, aliases aside) an `_entities` call selects on an entity type, @skip and @include applied. */
export function requestedFields(info: GraphQLResolveInfo, typeName: string): Set<string> {
  const type = info.schema.getType(typeName);
  if (!isObjectType(type)) return new Set();
  const fields = collectSubfields(info.schema, info.fragments, info.variableValues, type, info.fieldNodes);
  return new Set([...fields.values()].map((nodes) => nodes[0].name.value));
}

/**
 * Replaces the schema's `Query._entities` resolver (@apollo/subgraph's) by one that hands every
 * representation of a type with a batch resolver to it in one call, and the others to the original
 * (one `__resolveReference` per representation); the answer keeps the representations' order.
 */
export function batchEntities(schema: GraphQLSchema, batches: Record<string, EntityBatchResolver>): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  if (!field || Object.keys(batches).length === 0) return schema;
  const perReference = field.resolve as GraphQLFieldResolver<unknown, unknown, { representations: EntityRepresentation[] }>;
  field.resolve = (source, args: { representations: EntityRepresentation[] }, context, info) => {
    const { representations } = args;
    const byType = new Map<string, number[]>();
    const others: number[] = [];
    representations.forEach((representation, i) => {
      if (!Object.hasOwn(batches, representation.__typename)) return others.push(i);
      const indexes = byType.get(representation.__typename);
      if (indexes) indexes.push(i);
      else byType.set(representation.__typename, [i]);
    });
    if (byType.size === 0) return perReference(source, args, context, info);
    const results: unknown[] = new Array(representations.length);
    if (others.length) {
      const resolved = perReference(source, { representations: others.map((i) => representations[i]) }, context, info) as unknown[];
      others.forEach((index, k) => (results[index] = resolved[k]));
    }
    const batches$ = [...byType].map(async ([typename, indexes]) => {
      const resolved = await batches[typename](indexes.map((i) => representations[i]), context, info);
      indexes.forEach((index, k) => (results[index] = withTypename(resolved[k], typename)));
    });
    return Promise.all(batches$).then(() => results);
  };
  return schema;
}

/** _Entity's resolveType reads `__typename` (as @apollo/subgraph adds it to what `__resolveReference` returns). */
function withTypename(value: unknown, typename: string): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Error || '__typename' in value) return value;
  return Object.defineProperty(value, '__typename', { value: typename });
}
