import fs from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  parse,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { DEMO_PASSWORD, demoAccount } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { readCommittedSupergraph } from '../supergraph';
import { FIRST_PARTY_DOCUMENTS_DIR } from '../trusted-documents';
import { deadUrl, startExtraGateway, type ExtraGateway } from './extra-gateway';
import { request, type RawResponse } from './http-client';
import { startSubgraphDoubles, startSubgraphRecorder, type SubgraphDoubles, type SubgraphRecorder } from './subgraph-doubles';

jest.setTimeout(120_000);

interface ManifestOperation {
  name: string;
  type: string;
  body: string;
}
const MANIFESTS = [path.join(__dirname, '..', '..', '..', 'documents', 'manifest.json'), path.join(FIRST_PARTY_DOCUMENTS_DIR, 'portal.json')];
const manifestOperations: ManifestOperation[] = MANIFESTS.flatMap((file) => (JSON.parse(fs.readFileSync(file, 'utf8')) as { operations: ManifestOperation[] }).operations);

/** What a client receives, without the stack traces (they name each executor's own functions). */
function comparable(response: RawResponse): unknown {
  const body = response.body as { errors?: { extensions?: Record<string, unknown> }[] };
  return {
    status: response.status,
    body: JSON.parse(JSON.stringify(body, (key, value) => (key === 'stacktrace' ? undefined : value))),
  };
}

/** Values the demo seed answers for, by variable or input field name. */
const KNOWN_VALUES: Record<string, unknown> = {
  accountId: demoAccount('store-n1').id,
  rootId: demoAccount('north').id,
  newParentId: demoAccount('south').id,
  email: 'n1.marketing@retail.example',
  password: DEMO_PASSWORD,
  from: '2026-01-01',
  to: '2026-12-31',
  first: 5,
};
/** The same for input object fields, where some names mean something else (`to` is a recipient there). */
const KNOWN_INPUT_FIELDS: Record<string, unknown> = { accountId: demoAccount('store-n1').id, to: '+447400123456', body: 'differential' };

function sample(type: GraphQLInputType, name: string, known: Record<string, unknown>): unknown {
  if (name in known) return known[name];
  if (isNonNullType(type)) return sample(type.ofType, name, known);
  if (isListType(type)) return [sample(type.ofType, name, known)];
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((field) => isNonNullType(field.type) && field.defaultValue === undefined)
        .map((field) => [field.name, sample(field.type, field.name, KNOWN_INPUT_FIELDS)]),
    );
  }
  const samples: Record<string, unknown> = { ID: demoAccount('store-n1').id, String: 'differential', Int: 1, Float: 1.5, Boolean: false, Date: '2026-06-01', DateTime: '2026-06-01T00:00:00.000Z' };
  return samples[getNamedType(type).name] ?? 'differential';
}

/** Variables for an operation: known values by name, a sample of the type for the other required ones. */
function sampleVariables(schema: GraphQLSchema, body: string): Record<string, unknown> {
  const operation = parse(body).definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined;
    if (!type || (!(name in KNOWN_VALUES) && !isNonNullType(type))) continue;
    variables[name] = sample(type, name, KNOWN_VALUES);
  }
  return variables;
}

describe("the platform's query-plan executor answers as Apollo Gateway's does (issue 17)", () => {
  let stack: TestStack;
  let recorder: SubgraphRecorder;
  let apolloGateway: ExtraGateway;
  let ownGateway: ExtraGateway;
  let hqAdmin: string;

  beforeAll(async () => {
    stack = await startTestStack();
    recorder = await startSubgraphRecorder(stack.subgraphUrls);
    apolloGateway = await startExtraGateway(stack, stack.config, { subgraphUrls: recorder.urls, queryPlanExecutor: 'apollo' });
    ownGateway = await startExtraGateway(stack, stack.config, { subgraphUrls: recorder.urls });
    hqAdmin = await stack.login('hq.admin@retail.example');
  });
  afterAll(async () => {
    await ownGateway?.close();
    await apolloGateway?.close();
    await recorder?.close();
    await stack?.close();
  });

  /** The same request through Apollo's executor (fetches recorded), then through ours (the same fetches answered from the recording). */
  async function throughBoth(body: Record<string, unknown>, headers: Record<string, string>, ownHeaders = headers) {
    recorder.record();
    const apollo = await request(apolloGateway.url, { body, headers });
    recorder.replay();
    const own = await request(ownGateway.url, { body, headers: ownHeaders });
    const unrecorded = recorder.unrecorded.splice(0);
    return { apollo: comparable(apollo), own: comparable(own), unrecorded };
  }

  it('gives the same answer to every operation of the trusted-document manifests, with the same subgraph fetches', async () => {
    // Arrange
    const schema = Supergraph.build(readCommittedSupergraph()).apiSchema().toGraphQLJSSchema();
    // queries first, so the mutations' changes (a suspension, a logout last) do not empty the others' answers
    const order = (operation: ManifestOperation) => (operation.type === 'query' ? 0 : /Logout/.test(operation.name) ? 2 : 1);
    const operations = [...manifestOperations].sort((a, b) => order(a) - order(b));
    // a session of its own: PortalLogout ends it
    const session = await stack.login('hq.admin@retail.example');

    // Act
    const results = [];
    for (const operation of operations) {
      const body = { query: operation.body, variables: sampleVariables(schema, operation.body) };
      // these end the session they run in (the gateway checks it before any fetch): one session per gateway
      const endsSession = /Logout|SwitchAccount/.test(operation.name);
      const ownSession = endsSession ? await stack.login('hq.admin@retail.example') : session;
      const compared = await throughBoth(body, { authorization: `Bearer ${endsSession ? await stack.login('hq.admin@retail.example') : session}` }, { authorization: `Bearer ${ownSession}` });
      results.push({ name: operation.name, ...compared });
    }

    // Assert
    expect(results).toHaveLength(manifestOperations.length);
    expect(results.map((result) => ({ name: result.name, answer: result.own, unrecorded: result.unrecorded }))).toEqual(results.map((result) => ({ name: result.name, answer: result.apollo, unrecorded: [] })));
    // the comparison is not vacuous: about half the operations answer data with the sampled variables (38 of 73 when written)
    expect(results.filter((result) => (result.apollo as { body: { data?: unknown } }).body.data).length).toBeGreaterThan(30);
  });

  it.each([
    ['aliases, fragments, __typename at every level, @skip/@include by variables', 'query Edge($withMoney: Boolean!, $skipName: Boolean!) { __typename t: accountTree { __typename key: id ... on Account { n: name @skip(if: $skipName) depth } ...Money @include(if: $withMoney) parent { __typename id } } } fragment Money on Account { __typename balance messageCount billing { __typename } }', { withMoney: true, skipName: true }],
    ['the same with the other conditions', 'query Edge($withMoney: Boolean!, $skipName: Boolean!) { t: accountTree { key: id ... on Account { n: name @skip(if: $skipName) } ...Money @include(if: $withMoney) } } fragment Money on Account { balance }', { withMoney: false, skipName: false }],
    ['variables that do not coerce', 'query Tree($id: ID) { accountTree(rootId: $id) { id } }', { id: { not: 'an id' } }],
    ['an entity field through two subgraphs, nested', '{ accountTree { id parent { id name balance messageCount } ancestors { id balance } } }', {}],
    // ours hands these to Apollo Gateway's executor, which it loads on the first of them
    ['introspection beside fields of the subgraphs', '{ __schema { queryType { name } } __type(name: "Account") { name } accountTree { id balance } }', {}],
  ])('%s', async (_title, query, variables) => {
    // Act
    const compared = await throughBoth({ query: query.replace('(rootId: $root)', ''), variables }, { authorization: `Bearer ${hqAdmin}` });

    // Assert
    expect(compared.own).toEqual(compared.apollo);
    expect(compared.unrecorded).toEqual([]);
    expect(JSON.stringify(compared.own)).not.toMatch(/UNAUTHENTICATED|INTERNAL_SERVER_ERROR/);
  });

  it('a subgraph error inside an entity list (FORBIDDEN balance per account) lands on the same paths', async () => {
    // Arrange
    const advanced = await stack.login('n1.advanced@retail.example');

    // Act
    const compared = await throughBoth({ query: '{ accountTree { id name balance messageCount } }' }, { authorization: `Bearer ${advanced}` });

    // Assert
    expect(compared.own).toEqual(compared.apollo);
    expect((compared.own as { body: { errors: unknown[] } }).body.errors.length).toBeGreaterThan(0);
  });

  it('an unavailable subgraph: the same SERVICE_UNAVAILABLE errors on the same paths', async () => {
    // Arrange
    const dead = await deadUrl();
    const urls = { ...stack.subgraphUrls, billing: dead };
    const apollo = await startExtraGateway(stack, stack.config, { subgraphUrls: urls, queryPlanExecutor: 'apollo' });
    const own = await startExtraGateway(stack, stack.config, { subgraphUrls: urls });
    try {
      const body = { query: '{ accountTree { id name balance } }' };
      const headers = { authorization: `Bearer ${hqAdmin}` };

      // Act
      const fromApollo = await request(apollo.url, { body, headers });
      const fromOwn = await request(own.url, { body, headers });

      // Assert
      expect(comparable(fromOwn)).toEqual(comparable(fromApollo));
      expect(fromOwn.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await own.close();
      await apollo.close();
    }
  });
});


/** Two subgraphs that answer what each case says, including what real subgraphs never send (nulls in non-null places, unknown enum values). */
const CATALOGUE = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { items: [Item!]! node: Node search: [SearchResult!] one: Item status: Status! }
interface Node { id: ID! }
type Item implements Node @key(fields: "id") { id: ID! name: String! kind: Kind count: Int }
type Other implements Node { id: ID! label: String }
union SearchResult = Item | Other
enum Kind { A B }
enum Status { UP DOWN }`;
const PRICES = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Item @key(fields: "id") { id: ID! price: Int! tags: [String!] }`;

type CannedAnswer = (subgraph: string, request: { query: string; variables?: Record<string, unknown> }) => unknown;
const TWO_ITEMS = { items: [{ __typename: 'Item', id: '1' }, { __typename: 'Item', id: '2' }] };
const catalogueThenPrices = (catalogue: unknown, prices: unknown): CannedAnswer => (subgraph) => (subgraph === 'catalogue' ? { data: catalogue } : prices);

describe("the platform's executor on answers real subgraphs never give (canned subgraphs over HTTP)", () => {
  let stack: TestStack;
  let doubles: SubgraphDoubles;
  let apolloGateway: ExtraGateway;
  let ownGateway: ExtraGateway;
  let answer: CannedAnswer = () => ({ data: null });

  beforeAll(async () => {
    stack = await startTestStack();
    doubles = await startSubgraphDoubles(['catalogue', 'prices'], async (subgraph, body) => ({ status: 200, body: JSON.stringify(answer(subgraph, JSON.parse(body))) }));
    const composed = composeServices([
      { name: 'catalogue', url: doubles.urls.catalogue, typeDefs: parse(CATALOGUE) },
      { name: 'prices', url: doubles.urls.prices, typeDefs: parse(PRICES) },
    ]);
    if (composed.errors) throw composed.errors[0];
    apolloGateway = await startExtraGateway(stack, stack.config, { supergraphSdl: composed.supergraphSdl, subgraphUrls: doubles.urls, queryPlanExecutor: 'apollo' });
    ownGateway = await startExtraGateway(stack, stack.config, { supergraphSdl: composed.supergraphSdl, subgraphUrls: doubles.urls });
  });
  afterAll(async () => {
    await ownGateway?.close();
    await apolloGateway?.close();
    await doubles?.close();
    await stack?.close();
  });

  // every row has its variables: jest would take a missing last argument for a done callback
  it.each<[string, string, CannedAnswer, Record<string, unknown>]>([
    ['null in a non-null field of a list item: the list and its non-null parent are null', '{ items { id name } }', () => ({ data: { items: [{ id: '1', name: 'x' }, { id: '2', name: null }] } }), {}],
    ['null in a non-null root field', '{ status }', () => ({ data: { status: null } }), {}],
    ['an unknown enum value and a refused scalar are null, with their errors', '{ one { id kind count } status }', () => ({ data: { one: { id: '1', kind: 'C', count: 1.5 }, status: 'UP' } }), {}],
    ['a subgraph error inside an entity list, with null entities', '{ items { id price } }', catalogueThenPrices(TWO_ITEMS, { data: { _entities: [{ price: 3 }, null] }, errors: [{ message: 'boom', path: ['_entities', 1, 'price'], extensions: { code: 'FORBIDDEN' } }] }), {}],
    ['a subgraph error on a nullable entity field', '{ items { id tags } }', catalogueThenPrices(TWO_ITEMS, { data: { _entities: [{ tags: ['a'] }, null] }, errors: [{ message: 'gone', path: ['_entities', 1, 'tags'], extensions: { code: 'F' } }] }), {}],
    ['an entity answer of the wrong length', '{ items { id tags } }', catalogueThenPrices(TWO_ITEMS, { data: { _entities: [{ tags: ['a'] }] } }), {}],
    ['a null and a refused value among list items', '{ one { id tags } }', catalogueThenPrices({ one: { __typename: 'Item', id: '1' } }, { data: { _entities: [{ tags: ['a', null, 3] }] } }), {}],
    ['fragments on an interface', '{ node { __typename id ... on Item { name } ... on Other { label } } }', () => ({ data: { node: { __typename: 'Other', id: '9', label: 'l' } } }), {}],
    ['fragments on a union, with aliases', '{ search { __typename ... on Item { id n: name } ... on Other { label } } }', () => ({ data: { search: [{ __typename: 'Other', label: 'l' }, { __typename: 'Item', id: '1', n: 'x' }] } }), {}],
    ['an unknown __typename', '{ node { __typename id } search { __typename } }', () => ({ data: { node: { __typename: 'Nope', id: '1' }, search: [{ __typename: 'Nope' }] } }), {}],
    ['@skip and @include by variables, on fields and fragments', 'query($s: Boolean!, $i: Boolean = true) { one { id name @skip(if: $s) count @include(if: $i) ... on Item @include(if: $s) { kind } } }', () => ({ data: { one: { id: '1', name: 'x', count: 2, kind: 'A' } } }), { s: true }],
    ['__typename at every level', '{ __typename items { __typename id price tags } one { __typename ... on Node { id } } }', catalogueThenPrices({ items: [{ __typename: 'Item', id: '1' }], one: { __typename: 'Item', id: '1' } }, { data: { _entities: [{ __typename: 'Item', price: 1, tags: [] }] } }), {}],
    ['errors without a code, and errors without a path', '{ one { id } }', () => ({ data: { one: null }, errors: [{ message: 'm', path: ['one'], extensions: { x: 1 } }, { message: 'n' }] }), {}],
    ['a subgraph answering errors only', '{ items { id tags } }', (subgraph) => (subgraph === 'catalogue' ? { data: TWO_ITEMS } : { errors: [{ message: 'crash' }] }), {}],
  ])('%s', async (_title, query, canned, variables) => {
    // Arrange
    answer = canned;

    // Act
    const fromApollo = await request(apolloGateway.url, { body: { query, variables } });
    const fromOwn = await request(ownGateway.url, { body: { query, variables } });

    // Assert
    expect(comparable(fromOwn)).toEqual(comparable(fromApollo));
  });
});
