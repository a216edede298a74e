import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { FetchNode, PlanNode, QueryPlanSelectionNode, ResponsePath } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { GraphQLError, GraphQLObjectType, isAbstractType, type GraphQLSchema } from 'graphql';

type JsonObject = Record<string, unknown>;

const tracer = trace.getTracer('@platform/gateway');

/** GraphQLDataSourceRequestKind.INCOMING_OPERATION: the enum is in @apollo/gateway's types but not among its exports. */
const INCOMING_OPERATION = 'incoming operation' as unknown as Extract<GraphQLDataSourceProcessOptions, { incomingRequestContext: unknown }>['kind'];

const isObject = (value: unknown): value is JsonObject => value !== null && typeof value === 'object';

/** Merges a fetch's answer into the data already fetched: objects field by field, lists item by item. */
function mergeInto(target: JsonObject, source: JsonObject): void {
  for (const key in source) {
    const incoming = source[key];
    const existing = target[key];
    if (isObject(incoming) && isObject(existing)) {
      if (Array.isArray(incoming) && Array.isArray(existing)) {
        for (let index = 0; index < incoming.length; index++) {
          if (isObject(incoming[index]) && isObject(existing[index])) mergeInto(existing[index] as JsonObject, incoming[index] as JsonObject);
          else existing[index] = incoming[index];
        }
      } else {
        mergeInto(existing, incoming);
      }
    } else {
      target[key] = incoming;
    }
  }
}

/** The objects at a Flatten path (`@` steps into each item of a list); with `paths`, also their paths in the answer. */
function collectEntities(value: unknown, path: ResponsePath, depth: number, entities: JsonObject[], at?: (string | number)[], paths?: (string | number)[][]): void {
  if (!isObject(value)) return;
  if (depth === path.length) {
    if (!Array.isArray(value)) {
      entities.push(value);
      paths?.push(at!.slice());
    }
    return;
  }
  const step = path[depth];
  if (step === '@') {
    if (!Array.isArray(value)) return;
    for (let index = 0; index < value.length; index++) {
      at?.push(index);
      collectEntities(value[index], path, depth + 1, entities, at, paths);
      at?.pop();
    }
  } else if (!Array.isArray(value)) {
    at?.push(step);
    collectEntities(value[step], path, depth + 1, entities, at, paths);
    at?.pop();
  }
}

/**
 * An error a subgraph answered, as the client sees it: at its place in the client's answer, naming
 * the subgraph (`extensions.serviceName`), DOWNSTREAM_SERVICE_ERROR when it carries no code.
 * Subgraph locations refer to the subgraph's operation text and are dropped.
 */
function downstreamError(error: { message?: string; extensions?: JsonObject }, serviceName: string, path: readonly (string | number)[] | undefined): GraphQLError {
  const extensions: JsonObject = { ...error.extensions, serviceName };
  if (extensions.code === undefined) extensions.code = 'DOWNSTREAM_SERVICE_ERROR';
  return new GraphQLError(String(error.message), { path, extensions });
}

const asGraphQLError = (error: unknown) => (error instanceof GraphQLError ? error : new GraphQLError((error as Error)?.message ?? String(error), { originalError: error as Error }));

/**
 * One run of a query plan for one request: the plan's fetches through the subgraphs' data sources,
 * each answer merged into `data`, each subgraph error moved to its path in the client's answer.
 */
export class PlanRun {
  readonly data: JsonObject = {};
  readonly errors: GraphQLError[] = [];

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly dataSources: ReadonlyMap<string, GraphQLDataSource>,
    private readonly requestContext: GatewayGraphQLRequestContext,
    /** the request's variables after coercion, for Condition nodes */
    private readonly coercedVariables: JsonObject,
  ) {}

  async run(node: PlanNode): Promise<void> {
    switch (node.kind) {
      case 'Sequence':
        for (const child of node.nodes) await this.run(child);
        return;
      case 'Parallel':
        await Promise.all(node.nodes.map((child) => this.run(child)));
        return;
      case 'Condition': {
        const branch = this.coercedVariables[node.condition] ? node.ifClause : node.elseClause;
        if (branch) await this.run(branch);
        return;
      }
      case 'Fetch':
        return this.fetchRoot(node);
      case 'Flatten':
        return this.fetchEntities(node.node as FetchNode, node.path);
      default:
        throw new Error(`Plan node ${node.kind} reached the platform's executor`);
    }
  }

  private variablesOf(fetch: FetchNode): JsonObject {
    const variables: JsonObject = {};
    const given = this.requestContext.request.variables;
    if (given) for (const name of fetch.variableUsages ?? []) if (given[name] !== undefined) variables[name] = given[name];
    return variables;
  }

  private async fetchRoot(fetch: FetchNode): Promise<void> {
    const response = await this.send(fetch, this.variablesOf(fetch), []);
    if (!response) return;
    for (const error of response.errors ?? []) this.errors.push(downstreamError(error as { message: string; extensions?: JsonObject }, fetch.serviceName, error.path));
    if (response.data) mergeInto(this.data, response.data);
  }

  private async fetchEntities(fetch: FetchNode, path: ResponsePath): Promise<void> {
    const candidates: JsonObject[] = [];
    collectEntities(this.data, path, 0, candidates);
    const representations: JsonObject[] = [];
    const entities: JsonObject[] = [];
    /** each entity's index among the candidates, for its path (computed only when an error needs it) */
    const candidateIndexes: number[] = [];
    for (let index = 0; index < candidates.length; index++) {
      const representation = this.select(candidates[index], fetch.requires ?? []);
      if (!representation) continue;
      representations.push(representation);
      entities.push(candidates[index]);
      candidateIndexes.push(index);
    }
    if (!representations.length) return;
    const variables = this.variablesOf(fetch);
    variables.representations = representations;
    const response = await this.send(fetch, variables, path);
    if (!response) return;
    if (response.errors?.length) {
      const candidatePaths: (string | number)[][] = [];
      collectEntities(this.data, path, 0, [], [], candidatePaths);
      for (const error of response.errors) {
        const [root, index, ...rest] = error.path ?? [];
        const entityPath = root === '_entities' && typeof index === 'number' && index < candidateIndexes.length ? candidatePaths[candidateIndexes[index]] : undefined;
        this.errors.push(downstreamError(error as { message: string; extensions?: JsonObject }, fetch.serviceName, entityPath ? [...entityPath, ...rest] : undefined));
      }
    }
    if (!response.data) return;
    const results = response.data._entities;
    if (!Array.isArray(results) || results.length !== entities.length) {
      this.errors.push(new GraphQLError(`Expected "data._entities" to contain ${entities.length} elements`));
      return;
    }
    for (let index = 0; index < results.length; index++) if (isObject(results[index])) mergeInto(entities[index], results[index]);
  }

  /** The representation of an entity (the fetch's `requires` read from it); undefined when its type has no fragment there or a field is missing. */
  private select(source: JsonObject, selections: readonly QueryPlanSelectionNode[]): JsonObject | undefined {
    let representation: JsonObject | undefined;
    for (const selection of selections) {
      if (selection.kind === 'InlineFragment') {
        if (selection.typeCondition && !this.isOfType(source.__typename, selection.typeCondition)) continue;
        const part = this.select(source, selection.selections);
        if (!part) return undefined;
        representation = representation ? Object.assign(representation, part) : part;
        continue;
      }
      let value = source[selection.alias ?? selection.name];
      if (value === undefined) return undefined;
      if (selection.selections && isObject(value)) {
        value = Array.isArray(value) ? value.map((item) => (isObject(item) ? this.select(item, selection.selections!) : item)) : this.select(value, selection.selections);
        if (value === undefined) return undefined;
      }
      (representation ??= {})[selection.name] = value;
    }
    return representation;
  }

  private isOfType(typename: unknown, typeCondition: string): boolean {
    if (typeof typename !== 'string') return false;
    if (typename === typeCondition) return true;
    const condition = this.schema.getType(typeCondition);
    const type = this.schema.getType(typename);
    return Boolean(condition && isAbstractType(condition) && type instanceof GraphQLObjectType && this.schema.isSubType(condition, type));
  }

  /** One subgraph fetch in its own span; a data source that throws fails this fetch alone. */
  private send(fetch: FetchNode, variables: JsonObject, path: ResponsePath): Promise<GatewayGraphQLResponse | undefined> {
    const dataSource = this.dataSources.get(fetch.serviceName);
    if (!dataSource) throw new Error(`No data source for subgraph ${fetch.serviceName}`);
    return tracer.startActiveSpan('gateway.fetch', { attributes: { 'graphql.subgraph.name': fetch.serviceName } }, async (span) => {
      try {
        return await dataSource.process({
          kind: INCOMING_OPERATION,
          request: { query: fetch.operation, variables, operationName: fetch.operationName },
          incomingRequestContext: this.requestContext,
          context: this.requestContext.context,
          document: fetch.operationDocumentNode,
          pathInIncomingRequest: path,
        });
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        this.errors.push(asGraphQLError(error));
        return undefined;
      } finally {
        span.end();
      }
    });
  }
}
