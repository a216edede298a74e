import { Kind, parse, type DocumentNode, type GraphQLFormattedError, type SelectionSetNode } from 'graphql';
import type { AppError } from '@platform/errors';

/** The response keys (alias or name) a selection set asks for, `__typename` aside, through inline fragments. */
function responseKeys(selectionSet: SelectionSetNode | undefined, typeName?: string): string[] {
  const keys = new Set<string>();
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD && selection.name.value !== '__typename') keys.add(selection.alias?.value ?? selection.name.value);
    if (selection.kind === Kind.INLINE_FRAGMENT && (!typeName || !selection.typeCondition || selection.typeCondition.name.value === typeName)) {
      for (const key of responseKeys(selection.selectionSet, typeName)) keys.add(key);
    }
  }
  return [...keys];
}

/**
 * What a subgraph that cannot answer "answers" to the gateway: no data, and the registered
 * SERVICE_UNAVAILABLE error once per field it was asked for — for an entity fetch, on each entity
 * (`_entities.<i>.<field>`, which the gateway rewrites to the entity's place in the client's answer,
 * e.g. `accountTree.3.balance`). So a client sees the error on the paths that failed, and only there.
 */
export function unavailableAnswer(request: { query?: string; variables?: Record<string, unknown> }, document: DocumentNode | undefined, error: AppError): { data?: Record<string, unknown> | null; errors: GraphQLFormattedError[] } {
  const operation = (document ?? (request.query ? parse(request.query) : undefined))?.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const failure = (path?: (string | number)[]) => ({ message: error.message, ...(path ? { path } : {}), extensions: { code: error.code, ...error.extensions } });
  const atLeastOne = (errors: GraphQLFormattedError[]) => (errors.length ? errors : [failure()]);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return { errors: [failure()] };
  const entities = operation.selectionSet.selections.find((selection) => selection.kind === Kind.FIELD && selection.name.value === '_entities');
  const representations = request.variables?.representations;
  if (entities?.kind === Kind.FIELD && Array.isArray(representations)) {
    return {
      data: { _entities: representations.map(() => null) },
      errors: atLeastOne(
        representations.flatMap((representation: { __typename?: string }, index) => responseKeys(entities.selectionSet, representation.__typename).map((key) => failure(['_entities', index, key]))),
      ),
    };
  }
  return { data: null, errors: atLeastOne(responseKeys(operation.selectionSet).map((key) => failure([key]))) };
}
