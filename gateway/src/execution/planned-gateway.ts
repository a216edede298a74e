import { ApolloGateway, type GatewayConfig, type GraphQLDataSource } from '@apollo/gateway';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { prettyFormatQueryPlan, QueryPlanner, type PlanNode, type QueryPlan, type SubscriptionNode } from '@apollo/query-planner';
import type { GatewayExecutionResult, GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface, GatewayLoadResult, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import { getVariableValues, GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { Lru } from '../lru';
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
 * Apollo Gateway loads the supergraph, the API schema Apollo Server validates against and the
 * subgraphs' data sources; the query plans are run by the platform's executor (`PlanRun`, then
 * `AnswerWriter`), which keeps per operation the plan and the compiled answer shape. Operations
 * whose plans it does not run (subscriptions, @defer, introspection) go to Apollo Gateway's executor.
 */
export class PlannedGateway implements GatewayInterface {
  private readonly apollo: ApolloGateway;
  private readonly dataSources = new Map<string, GraphQLDataSource>();
  private readonly operations = new Lru<PreparedOperation>(PREPARED_OPERATIONS);
  private planner?: { supergraph: Supergraph; queryPlanner: QueryPlanner };

  constructor(
    private readonly supergraphSdl: string,
    buildService: NonNullable<GatewayConfig['buildService']>,
    private readonly executorKind: QueryPlanExecutorKind = 'platform',
  ) {
    this.apollo = new ApolloGateway({
      supergraphSdl,
      buildService: (definition) => {
        const dataSource = buildService(definition);
        this.dataSources.set(definition.name, dataSource);
        return dataSource;
      },
    });
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback) {
    return this.apollo.onSchemaLoadOrUpdate(callback);
  }

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    const loaded = await this.apollo.load(options);
    if (this.executorKind === 'apollo' || !loaded.executor) return loaded;
    const supergraph = Supergraph.build(this.supergraphSdl);
    this.planner = { supergraph, queryPlanner: new QueryPlanner(supergraph) };
    const fallback = loaded.executor;
    return { executor: (requestContext) => this.execute(requestContext, fallback) };
  }

  stop() {
    return this.apollo.stop();
  }

  private prepare(requestContext: GatewayGraphQLRequestContext): PreparedOperation {
    const key = `${requestContext.queryHash}\u0000${requestContext.operationName ?? ''}`;
    let prepared = this.operations.get(key);
    if (!prepared) {
      const { supergraph, queryPlanner } = this.planner!;
      const operation = operationFromDocument(supergraph.apiSchema(), requestContext.document, { operationName: requestContext.operationName ?? undefined });
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

  private async execute(requestContext: GatewayGraphQLRequestContext, fallback: GatewayExecutor): Promise<GatewayExecutionResult> {
    const prepared = this.prepare(requestContext);
    if (!prepared.runsHere) return fallback(requestContext);
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
