import { LRUCache } from 'lru-cache';
import type { ApolloGateway, GraphQLDataSource } from '@apollo/gateway';
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { prettyFormatQueryPlan, QueryPlanner, type PlanNode, type QueryPlan, type SubscriptionNode } from '@apollo/query-planner';
import type { GatewayExecutionResult, GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface, GatewayLoadResult, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import { getVariableValues, GraphQLError, Kind, parse, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { AnswerWriter, conditionVariables, OperationShapeCompiler, type SelectionShape } from './answer-shape';
import { PlanRun } from './plan-run';

/** Which executor runs query plans: the platform's own, or Apollo Gateway's (the reference the differential test compares with). */
export type QueryPlanExecutorKind = 'platform' | 'apollo';

interface PreparedOperation {
  plan: QueryPlan;
  /** false when the plan holds a node this executor does not run (Defer, Subscription, rewrites): Apollo Gateway's executor runs the operation */
  runsHere: boolean;
  conditionVariables: string[];
  /** the compiled answer shape per values of the condition variables (`01…`) */
  shapes: Map<string, SelectionShape>;
}

const PREPARED_OPERATIONS = 1_000;

function runsHere(node: PlanNode | SubscriptionNode | undefined): boolean {
  if (!node) return true;
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return node.nodes.every(runsHere);
    case 'Condition':
      return runsHere(node.ifClause) && runsHere(node.elseClause);
    case 'Flatten':
      return node.node.kind === 'Fetch' && node.path.every((step) => typeof step === 'string' && !step.includes('|')) && runsHere(node.node);
    case 'Fetch':
      return !node.inputRewrites?.length && !node.outputRewrites?.length && !node.contextRewrites?.length && !node.hasDefers;
    default:
      return false;
  }
}

function selectsIntrospection(document: DocumentNode): boolean {
  const visit = (selectionSet: SelectionSetNode | undefined): boolean =>
    Boolean(selectionSet?.selections.some((selection) => (selection.kind === Kind.FIELD && (selection.name.value === '__schema' || selection.name.value === '__type')) || (selection.kind !== Kind.FRAGMENT_SPREAD && visit(selection.selectionSet))));
  return document.definitions.some((definition) => (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) && visit(definition.selectionSet));
}

/**
 * The gateway Apollo Server runs on: loads the supergraph (the API schema Apollo Server validates
 * against, the query planner, a data source per subgraph); the query plans are run by the platform's
 * executor (`PlanRun`, then `AnswerWriter`), which keeps per operation the plan and the compiled
 * answer shape. Operations whose plans it does not run (subscriptions, @defer, rewrites,
 * introspection) go to Apollo Gateway's executor, loaded on the first of them: @apollo/gateway's
 * modules (an OpenTelemetry SDK among them) and its own supergraph and planner cost ~20 MB of heap
 * that a gateway serving the platform's operations never needs.
 */
export class PlannedGateway implements GatewayInterface {
  private readonly dataSources = new Map<string, GraphQLDataSource>();
  private readonly operations = new LRUCache<string, PreparedOperation>({ max: PREPARED_OPERATIONS });
  private readonly listeners = new Set<GatewaySchemaLoadOrUpdateCallback>();
  private planner?: { apiSchema: Schema; queryPlanner: QueryPlanner };
  private loadOptions: Parameters<GatewayInterface['load']>[0];
  private apollo?: { gateway: ApolloGateway; executor: Promise<GatewayExecutor> };

  constructor(
    private readonly supergraphSdl: string,
    private readonly buildService: (definition: { name: string; url: string }) => GraphQLDataSource,
    private readonly executorKind: QueryPlanExecutorKind = 'platform',
  ) {}

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback) {
    this.listeners.add(callback);
    return () => {
      this.listeners.delete(callback);
    };
  }

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    this.loadOptions = options;
    // Without the tokens' locations, which nothing reads once the supergraph is validated: 8.4 -> 4.7 MB of heap for it and its planner.
    const supergraph = Supergraph.build(parse(this.supergraphSdl, { noLocation: true }));
    for (const definition of supergraph.subgraphsMetadata()) this.dataSources.set(definition.name, this.buildService(definition));
    const apiSchema = supergraph.apiSchema();
    this.planner = { apiSchema, queryPlanner: new QueryPlanner(supergraph) };
    const schema = apiSchema.toGraphQLJSSchema();
    for (const listener of this.listeners) listener({ apiSchema: schema, coreSupergraphSdl: this.supergraphSdl });
    if (this.executorKind === 'apollo') return { executor: await this.apolloExecutor() };
    return { executor: (requestContext) => this.execute(requestContext) };
  }

  async stop() {
    await this.apollo?.gateway.stop();
  }

  /** Apollo Gateway on the same supergraph and data sources, created on first use. */
  private apolloExecutor(): Promise<GatewayExecutor> {
    if (!this.apollo) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { ApolloGateway: Gateway } = require('@apollo/gateway') as typeof import('@apollo/gateway');
      const gateway = new Gateway({ supergraphSdl: this.supergraphSdl, buildService: ({ name }) => this.dataSources.get(name)! });
      this.apollo = { gateway, executor: gateway.load(this.loadOptions).then(({ executor }) => executor!) };
    }
    return this.apollo.executor;
  }

  private prepare(requestContext: GatewayGraphQLRequestContext): PreparedOperation {
    const key = `${requestContext.queryHash}\u0000${requestContext.operationName ?? ''}`;
    let prepared = this.operations.get(key);
    if (!prepared) {
      const { apiSchema, queryPlanner } = this.planner!;
      const operation = operationFromDocument(apiSchema, requestContext.document, { operationName: requestContext.operationName ?? undefined });
      const plan = queryPlanner.buildQueryPlan(operation);
      prepared = {
        plan,
        runsHere: requestContext.operation.operation !== 'subscription' && !selectsIntrospection(requestContext.document) && runsHere(plan.node),
        conditionVariables: conditionVariables(requestContext.document),
        shapes: new Map(),
      };
      this.operations.set(key, prepared);
    }
    return prepared;
  }

  private shapeOf(prepared: PreparedOperation, schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): SelectionShape {
    const key = prepared.conditionVariables.map((name) => (variables[name] === true ? '1' : '0')).join('');
    let shape = prepared.shapes.get(key);
    if (!shape) {
      const fragments = new Map(document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]));
      const rootType = schema.getRootType(operation.operation)!;
      shape = new OperationShapeCompiler(schema, fragments, variables).selection(rootType, [operation.selectionSet]);
      prepared.shapes.set(key, shape);
    }
    return shape;
  }

  private async execute(requestContext: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> {
    const prepared = this.prepare(requestContext);
    if (!prepared.runsHere) return (await this.apolloExecutor())(requestContext);
    const { schema, document, operation, request } = requestContext;
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
    if (coerced.errors) return { errors: coerced.errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, originalError: error.originalError, extensions: { ...error.extensions, code: 'BAD_USER_INPUT' } })) };

    const run = new PlanRun(schema, this.dataSources, requestContext, coerced.coerced);
    if (prepared.plan.node) await run.run(prepared.plan.node as PlanNode);
    const writer = new AnswerWriter();
    const data = writer.root(run.data, this.shapeOf(prepared, schema, document, operation, coerced.coerced));

    const extensions: Record<string, unknown> = {};
    // As Apollo Gateway: the plan in the answer when the client asks for it.
    if (request.http?.headers.get('apollo-query-plan-experimental')) {
      extensions.__queryPlanExperimental = request.http.headers.get('apollo-query-plan-experimental-format') === 'internal' ? prepared.plan : prettyFormatQueryPlan(prepared.plan);
    }
    if (writer.errors.length && !run.errors.length) extensions.valueCompletion = writer.errors;
    return { ...(run.errors.length ? { errors: run.errors } : {}), ...(Object.keys(extensions).length ? { extensions } : {}), data };
  }
}
