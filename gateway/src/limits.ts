import {
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLOutputType,
  type SelectionSetNode,
  type ValidationContext,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  type GraphQLField,
  type GraphQLCompositeType,
} from 'graphql';
import { AppError, type ErrorCode } from '@platform/errors';

/**
 * The gateway's operation limits (SPEC G4). Each is checked once per distinct document: Apollo
 * Server keeps validated documents in its document store, keyed by the SHA-256 of the text.
 */
export const OPERATION_LIMITS = {
  /**
   * Nested field selections, the leaf counted. A full 5-level tree with settings origins
   * (`accountTree { children ×5 { settings { origin { sourceAccount { name } } } } }`) is 10;
   * 12 leaves room for two more levels (e.g. `members { user { … } }`).
   */
  maxDepth: 12,
  /** Aliases in an operation, counted once per use of a fragment (a dashboard fetching 20 accounts by alias fits). */
  maxAliases: 30,
  /** Directives in an operation, counted like aliases. */
  maxDirectives: 20,
  /** Lexical tokens of the operation text (graphql-js `parse({ maxTokens })`); ~10× a typical operation. */
  maxTokens: 2_000,
  /** Static cost estimate, see `estimateCost`; the 5-level tree above costs 3,280. */
  maxCost: 5_000,
  /**
   * Depth of an operation made only of introspection root fields, where introspection is on
   * (development): the standard introspection query of GraphiQL and codegen tools is 15 deep.
   * Such operations skip the cost estimate; production turns introspection off altogether.
   */
  maxIntrospectionDepth: 20,
} as const;

export type OperationLimits = { [K in keyof typeof OPERATION_LIMITS]: number };

/** Items a list field is assumed to return when the operation does not say (`first: <int>`). */
export const ASSUMED_LIST_SIZE = 3;
/** Items assumed when `first` is a variable: validation is cached per document, so values are unknown. */
export const ASSUMED_PAGE_SIZE_FOR_VARIABLES = 100;

interface Measures {
  depth: number;
  aliases: number;
  directives: number;
  cost: number;
}

const ZERO: Measures = { depth: 0, aliases: 0, directives: 0, cost: 0 };

/** The items a list (or a connection's page) of `field` is assumed to hold. */
function pageSize(field: FieldNode): number {
  // `last` pages backwards (the message log, the inbox): it sizes the page like `first`.
  const first = field.arguments?.find((argument) => argument.name.value === 'first') ?? field.arguments?.find((argument) => argument.name.value === 'last');
  if (first?.value.kind === Kind.INT) return Math.max(1, Number(first.value.value));
  if (first?.value.kind === Kind.VARIABLE) return ASSUMED_PAGE_SIZE_FOR_VARIABLES;
  return ASSUMED_LIST_SIZE;
}

function listMultiplier(field: FieldNode, type: GraphQLOutputType | undefined): number {
  if (!type || !isListType(getNullableType(type))) return 1;
  return pageSize(field);
}

/** A Relay connection (edges and pageInfo): its page size is its field's `first`, its edges and nodes are the list. */
function isConnectionType(type: GraphQLCompositeType | undefined): boolean {
  if (!type || !isObjectType(type)) return false;
  const fields = type.getFields();
  return 'edges' in fields && 'pageInfo' in fields;
}

/**
 * Where a selection set sits: in a connection (`page`: its size), whose `edges` and `nodes` are the
 * list; or in an edge, whose `node` is the item. Such wrappers add no depth: `children { nodes { name } }`
 * is as deep as a plain list `children { name }` was.
 */
type Wrapping = { kind: 'connection'; page: number } | { kind: 'edge' } | undefined;

function fieldDefinition(parentType: GraphQLCompositeType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (!parentType || !(isObjectType(parentType) || isInterfaceType(parentType))) return undefined;
  return parentType.getFields()[name];
}

/**
 * Measures an operation with fragments expanded where they are used: depth and counts follow
 * field *names*, never aliases, operation or fragment names, so naming something `__schema`
 * changes nothing (the published bypass of depth limits that skip introspection). Each
 * fragment is measured once (memoised) so reused fragments cannot make measuring expensive;
 * cyclic spreads (refused by the standard rules) measure as empty.
 * Cost: a leaf costs 1, a composite field 1 + its selections × the list size it returns (a
 * connection's `edges` and `nodes`: the connection field's `first`).
 */
class OperationMeasurer {
  private readonly fragmentMeasures = new Map<string, Measures>();
  private readonly inProgress = new Set<string>();

  constructor(private readonly context: ValidationContext) {}

  measureSelectionSet(selectionSet: SelectionSetNode, parentType: GraphQLCompositeType | undefined, wrapping?: Wrapping): Measures {
    let depth = 0;
    let aliases = 0;
    let directives = 0;
    let cost = 0;
    for (const selection of selectionSet.selections) {
      directives += selection.directives?.length ?? 0;
      let inner: Measures;
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases += 1;
        const definition = fieldDefinition(parentType, selection.name.value);
        const namedType = definition ? getNamedType(definition.type) : undefined;
        const childType = namedType && isCompositeType(namedType) ? namedType : undefined;
        const name = selection.name.value;
        const pageOfConnection = wrapping?.kind === 'connection' && (name === 'edges' || name === 'nodes') ? wrapping.page : undefined;
        const wrapper = pageOfConnection !== undefined || (wrapping?.kind === 'edge' && name === 'node');
        const childWrapping: Wrapping = isConnectionType(childType) ? { kind: 'connection', page: pageSize(selection) } : wrapping?.kind === 'connection' && name === 'edges' ? { kind: 'edge' } : undefined;
        const children = selection.selectionSet ? this.measureSelectionSet(selection.selectionSet, childType, childWrapping) : ZERO;
        inner = {
          depth: children.depth + (wrapper ? 0 : 1),
          aliases: children.aliases,
          directives: children.directives,
          cost: selection.selectionSet ? 1 + children.cost * (pageOfConnection ?? listMultiplier(selection, definition?.type)) : 1,
        };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typeName = selection.typeCondition?.name.value;
        const type = typeName ? this.context.getSchema().getType(typeName) : parentType;
        inner = this.measureSelectionSet(selection.selectionSet, type && isCompositeType(type) ? type : undefined, wrapping);
      } else {
        inner = this.measureFragment(selection.name.value, wrapping);
      }
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
      directives += inner.directives;
      cost += inner.cost;
    }
    return { depth, aliases, directives, cost };
  }

  private measureFragment(name: string, wrapping: Wrapping): Measures {
    const memo = `${name}:${JSON.stringify(wrapping ?? null)}`;
    const known = this.fragmentMeasures.get(memo);
    if (known) return known;
    const fragment: FragmentDefinitionNode | null | undefined = this.context.getFragment(name);
    if (!fragment || this.inProgress.has(name)) return ZERO;
    this.inProgress.add(name);
    const type = this.context.getSchema().getType(fragment.typeCondition.name.value);
    const measured = this.measureSelectionSet(fragment.selectionSet, type && isCompositeType(type) ? type : undefined, wrapping);
    const withOwnDirectives = { ...measured, directives: measured.directives + (fragment.directives?.length ?? 0) };
    this.inProgress.delete(name);
    this.fragmentMeasures.set(memo, withOwnDirectives);
    return withOwnDirectives;
  }
}

function limitError(code: ErrorCode, message: string, limit: number, actual: number): AppError {
  return new AppError(code, message, { limit, actual });
}

const INTROSPECTION_ROOT_FIELDS = new Set(['__schema', '__type', '__typename']);

/** Every root selection is an introspection field by its real name (an alias or a spread does not count). */
function isIntrospectionOnly(selectionSet: SelectionSetNode): boolean {
  return selectionSet.selections.every((selection) => selection.kind === Kind.FIELD && INTROSPECTION_ROOT_FIELDS.has(selection.name.value));
}

/** One validation rule measuring every operation of the document against the limits. */
export function operationLimitsRule(limits: OperationLimits = OPERATION_LIMITS, options: { introspection: boolean } = { introspection: false }) {
  return (context: ValidationContext): ASTVisitor => {
    const measurer = new OperationMeasurer(context);
    return {
      OperationDefinition(operation) {
        const rootType = context.getSchema().getRootType(operation.operation) ?? undefined;
        const measures = measurer.measureSelectionSet(operation.selectionSet, rootType);
        const directives = measures.directives + (operation.directives?.length ?? 0);
        const introspection = options.introspection && isIntrospectionOnly(operation.selectionSet);
        const maxDepth = introspection ? limits.maxIntrospectionDepth : limits.maxDepth;
        if (measures.depth > maxDepth) {
          context.reportError(limitError('QUERY_TOO_DEEP', `Operation depth ${measures.depth} exceeds the limit of ${maxDepth}`, maxDepth, measures.depth));
        }
        if (measures.aliases > limits.maxAliases) {
          context.reportError(limitError('TOO_MANY_ALIASES', `Operation uses ${measures.aliases} aliases; the limit is ${limits.maxAliases}`, limits.maxAliases, measures.aliases));
        }
        if (directives > limits.maxDirectives) {
          context.reportError(limitError('TOO_MANY_DIRECTIVES', `Operation uses ${directives} directives; the limit is ${limits.maxDirectives}`, limits.maxDirectives, directives));
        }
        if (!introspection && measures.cost > limits.maxCost) {
          context.reportError(limitError('QUERY_TOO_COSTLY', `Operation cost ${measures.cost} exceeds the limit of ${limits.maxCost}`, limits.maxCost, measures.cost));
        }
        return false;
      },
    };
  };
}

// graphql-js 16 spells it "more that"; accept the corrected spelling of later versions too.
const TOO_MANY_TOKENS_MESSAGE = /^Syntax Error: Document contains more (?:that|than) \d+ tokens/;

/** graphql-js reports the token limit as a syntax error; the gateway gives it its own code. */
export function isTokenLimitError(message: string): boolean {
  return TOO_MANY_TOKENS_MESSAGE.test(message);
}
