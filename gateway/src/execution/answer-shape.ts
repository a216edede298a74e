import {
  getNullableType,
  GraphQLObjectType,
  isAbstractType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLScalarType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * The client's operation compiled against the API schema into plain objects: per selection set and
 * runtime type, the fields to answer in order (fragments flattened, @skip/@include decided), and per
 * field what may stand there (leaf, list, object; nullable or not). Compiled once per operation and
 * per set of condition variables; a request only walks it.
 */
export type ValueShape = LeafShape | ListShape | ObjectShape;

interface LeafShape {
  kind: 'leaf';
  nonNull: boolean;
  accepts(value: unknown): boolean;
}

interface ListShape {
  kind: 'list';
  nonNull: boolean;
  item: ValueShape;
  /** the list's type without its non-null mark, and its items', as errors print them */
  typeName: string;
  itemTypeName: string;
}

interface ObjectShape {
  kind: 'object';
  nonNull: boolean;
  selection: SelectionShape;
}

interface FieldShape {
  responseName: string;
  /** `Type.field`, as errors print it */
  coordinate: string;
  /** null for `__typename` */
  value: ValueShape | null;
}

/** The boolean variables the operation's @skip/@include read, in a fixed order: their values pick a compiled shape. */
export function conditionVariables(document: { definitions: readonly { kind: Kind; selectionSet?: SelectionSetNode }[] }): string[] {
  const names = new Set<string>();
  const visit = (selectionSet: SelectionSetNode | undefined) => {
    for (const selection of selectionSet?.selections ?? []) {
      for (const directive of selection.directives ?? []) {
        if (directive.name.value !== 'skip' && directive.name.value !== 'include') continue;
        const argument = directive.arguments?.find((candidate) => candidate.name.value === 'if');
        if (argument?.value.kind === Kind.VARIABLE) names.add(argument.value.name.value);
      }
      if (selection.kind !== Kind.FRAGMENT_SPREAD) visit(selection.selectionSet);
    }
  };
  for (const definition of document.definitions) visit(definition.selectionSet);
  return [...names].sort();
}

function isIncluded(directives: FieldNode['directives'], variables: Record<string, unknown>): boolean {
  if (!directives?.length) return true;
  const test = (value: ValueNode | undefined): boolean => (value?.kind === Kind.VARIABLE ? variables[value.name.value] === true : value?.kind === Kind.BOOLEAN ? value.value : false);
  for (const directive of directives) {
    const argument = directive.arguments?.find((candidate) => candidate.name.value === 'if')?.value;
    if (directive.name.value === 'skip' && test(argument)) return false;
    if (directive.name.value === 'include' && !test(argument)) return false;
  }
  return true;
}

const BUILT_IN_LEAVES: Record<string, (value: unknown) => boolean> = {
  String: (value) => typeof value === 'string',
  Boolean: (value) => typeof value === 'boolean',
  Int: (value) => Number.isInteger(value),
  Float: (value) => typeof value === 'number',
  ID: (value) => typeof value === 'string' || Number.isInteger(value),
};

export class OperationShapeCompiler {
  constructor(
    readonly schema: GraphQLSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
  ) {}

  selection(parentType: GraphQLCompositeType, selectionSets: readonly SelectionSetNode[]): SelectionShape {
    return new SelectionShape(this, parentType, selectionSets);
  }

  /** Whether a fragment on `condition` applies to an object of `runtimeType` (an object type, or the abstract type itself when the object's type is not known). */
  appliesTo(condition: string | undefined, runtimeType: GraphQLCompositeType): boolean {
    if (condition === undefined || condition === runtimeType.name) return true;
    const conditionType = this.schema.getType(condition);
    return Boolean(conditionType && isAbstractType(conditionType) && isObjectType(runtimeType) && this.schema.isSubType(conditionType, runtimeType));
  }

  /** The fields of `selectionSets` an object of `runtimeType` answers, merged by response name in first-seen order. */
  collectFields(runtimeType: GraphQLCompositeType, selectionSets: readonly SelectionSetNode[]): Map<string, FieldNode[]> {
    const fields = new Map<string, FieldNode[]>();
    const visitedFragments = new Set<string>();
    const visit = (selectionSet: SelectionSetNode) => {
      for (const selection of selectionSet.selections) {
        if (!isIncluded(selection.directives, this.variables)) continue;
        if (selection.kind === Kind.FIELD) {
          const responseName = selection.alias?.value ?? selection.name.value;
          const existing = fields.get(responseName);
          if (existing) existing.push(selection);
          else fields.set(responseName, [selection]);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (this.appliesTo(selection.typeCondition?.name.value, runtimeType)) visit(selection.selectionSet);
        } else {
          const name = selection.name.value;
          const fragment = this.fragments.get(name);
          if (!fragment || visitedFragments.has(name)) continue;
          visitedFragments.add(name);
          if (this.appliesTo(fragment.typeCondition.name.value, runtimeType)) visit(fragment.selectionSet);
        }
      }
    };
    for (const selectionSet of selectionSets) visit(selectionSet);
    return fields;
  }

  value(type: GraphQLOutputType, selectionSets: readonly SelectionSetNode[]): ValueShape {
    const nonNull = isNonNullType(type);
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      const itemType = nullable.ofType as GraphQLOutputType;
      return { kind: 'list', nonNull, item: this.value(itemType, selectionSets), typeName: String(nullable), itemTypeName: String(getNullableType(itemType)) };
    }
    if (isEnumType(nullable)) {
      const names = new Set(nullable.getValues().map((value) => value.name));
      return { kind: 'leaf', nonNull, accepts: (value) => typeof value === 'string' && names.has(value) };
    }
    if (isObjectType(nullable) || isAbstractType(nullable)) return { kind: 'object', nonNull, selection: this.selection(nullable, selectionSets) };
    const scalar = nullable as GraphQLScalarType;
    return { kind: 'leaf', nonNull, accepts: BUILT_IN_LEAVES[scalar.name] ?? ((value) => acceptedByScalar(scalar, value)) };
  }
}

function acceptedByScalar(scalar: GraphQLScalarType, value: unknown): boolean {
  try {
    scalar.parseValue(value);
    return true;
  } catch {
    return false;
  }
}

/** One selection set of the operation at one place; its fields per runtime type are compiled on first use. */
export class SelectionShape {
  private readonly fieldsByType = new Map<string, FieldShape[]>();

  constructor(
    private readonly compiler: OperationShapeCompiler,
    readonly staticType: GraphQLCompositeType,
    private readonly selectionSets: readonly SelectionSetNode[],
  ) {}

  /**
   * The type of an object found here: the static type when it is an object type; else the object's
   * `__typename` when it names a possible type (the abstract type itself when it has none); null when it names another.
   */
  runtimeType(typename: unknown): GraphQLCompositeType | null {
    if (isObjectType(this.staticType)) return this.staticType;
    if (typeof typename !== 'string') return this.staticType;
    const type = this.compiler.schema.getType(typename);
    return type instanceof GraphQLObjectType && isAbstractType(this.staticType) && this.compiler.schema.isSubType(this.staticType, type) ? type : null;
  }

  fields(runtimeType: GraphQLCompositeType): FieldShape[] {
    let fields = this.fieldsByType.get(runtimeType.name);
    if (!fields) {
      fields = [];
      for (const [responseName, nodes] of this.compiler.collectFields(runtimeType, this.selectionSets)) {
        const fieldName = nodes[0].name.value;
        if (fieldName === '__typename') {
          fields.push({ responseName, coordinate: `${runtimeType.name}.__typename`, value: null });
          continue;
        }
        const definition = 'getFields' in runtimeType ? runtimeType.getFields()[fieldName] : undefined;
        if (!definition) continue;
        const subSelections = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
        fields.push({ responseName, coordinate: `${runtimeType.name}.${fieldName}`, value: this.compiler.value(definition.type, subSelections) });
      }
      this.fieldsByType.set(runtimeType.name, fields);
    }
    return fields;
  }
}

export interface ValueCompletionError {
  message: string;
  path: (string | number)[];
  extensions: { code: 'INVALID_GRAPHQL' };
}

/** Returned by a completion whose null must reach the nearest nullable parent. */
const NULL_BUBBLES = Symbol('null bubbles');

/**
 * Writes the client's answer from the merged subgraph data (GraphQL spec, CompleteValue): the
 * operation's response names in its order, leaves checked against their type (a refused value is
 * null), null in a non-null place made the nearest nullable parent's null. Errors go to `errors`
 * with their paths. The source objects are read, never changed.
 */
export class AnswerWriter {
  readonly errors: ValueCompletionError[] = [];
  private readonly path: (string | number)[] = [];

  /** The answer for the root object; null when a non-null root field is null. */
  root(source: Record<string, unknown>, selection: SelectionShape): Record<string, unknown> | null {
    const answer = this.object(source, selection, null);
    return answer === NULL_BUBBLES ? null : answer;
  }

  private fail(message: string, position: string) {
    this.errors.push({ message: `${message} ${position}.`, path: this.path.slice(), extensions: { code: 'INVALID_GRAPHQL' } });
  }

  private object(source: Record<string, unknown>, selection: SelectionShape, position: string | null): Record<string, unknown> | typeof NULL_BUBBLES | null {
    const typename = source.__typename;
    const runtimeType = selection.runtimeType(typename);
    if (!runtimeType) {
      this.fail('Invalid __typename found for object at', position!);
      return NULL_BUBBLES;
    }
    const answer: Record<string, unknown> = {};
    for (const field of selection.fields(runtimeType)) {
      const key = field.responseName;
      if (field.value === null) {
        answer[key] = typeof typename === 'string' ? typename : runtimeType.name;
        continue;
      }
      this.path.push(key);
      const value = this.complete(source[key], field.value, `field ${field.coordinate}`);
      this.path.pop();
      if (value === NULL_BUBBLES) return NULL_BUBBLES;
      answer[key] = value;
    }
    return answer;
  }

  /** The completed value; NULL_BUBBLES when it is null (or refused) in a non-null place. */
  private complete(value: unknown, shape: ValueShape, position: string): unknown {
    if (value === null || value === undefined) {
      if (!shape.nonNull) return null;
      this.fail('Cannot return null for non-nullable', position);
      return NULL_BUBBLES;
    }
    let completed: unknown;
    if (shape.kind === 'leaf') {
      if (shape.accepts(value)) return value;
      this.fail('Invalid value found for', position);
      completed = null;
    } else if (shape.kind === 'object') {
      completed = this.object(value as Record<string, unknown>, shape.selection, position);
    } else {
      if (!Array.isArray(value)) throw new Error(`Invalid non-list value ${String(value)} returned by subgraph for list type ${shape.typeName}`);
      completed = this.list(value, shape);
    }
    if (completed === NULL_BUBBLES || completed === null) return shape.nonNull ? NULL_BUBBLES : null;
    return completed;
  }

  private list(items: unknown[], shape: ListShape): unknown[] | null {
    const answer = new Array<unknown>(items.length);
    let bubbled = false;
    for (let index = 0; index < items.length; index++) {
      this.path.push(index);
      const item = this.complete(items[index], shape.item, `array element of type ${shape.itemTypeName} at index ${index}`);
      this.path.pop();
      if (item === NULL_BUBBLES) bubbled = true;
      else answer[index] = item;
    }
    return bubbled ? null : answer;
  }
}
