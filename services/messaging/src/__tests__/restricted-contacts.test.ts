import {
  buildASTSchema,
  getNamedType,
  isEnumType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  parse,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { readCommittedSupergraph } from '@platform/gateway';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type GraphQLResponse, type TestStack } from '@platform/testing';

jest.setTimeout(120_000);

/** Types whose data is contacts, messages, the inbox or groups (SPEC I6, M4, M5). */
const CONTACT_DATA = new Set(['Contact', 'ContactGroup', 'Message', 'Conversation', 'ConversationEntry']);
const NUMBERS = ['+447400700001', '+447400700002', '+447400700003'];
/** An E.164 number with more than the 2 digits the mask keeps after `+`: `+44*******01` does not match. */
const UNMASKED = /\+\d{4,}/;

type Annotated = { astNode?: { directives?: readonly ConstDirectiveNode[] } | null };
const directives = (node: Annotated): readonly ConstDirectiveNode[] => node.astNode?.directives ?? [];
const graphsOf = (node: Annotated, directive: string) =>
  directives(node)
    .filter((d) => d.name.value === directive)
    .map((d) => d.arguments?.find((a) => a.name.value === 'graph')?.value)
    .map((value) => (value?.kind === Kind.ENUM ? value.value : undefined));
const inaccessible = (node: Annotated) => directives(node).some((d) => d.name.value === 'inaccessible');

/** The fields of `type` the messaging subgraph resolves (all of a messaging-only type; the @join__field(graph: MESSAGING) ones of a shared entity). */
function messagingFields(type: GraphQLObjectType): GraphQLField<unknown, unknown>[] {
  const owners = graphsOf(type, 'join__type');
  return Object.values(type.getFields()).filter((field) => {
    if (inaccessible(field)) return false;
    const resolvedBy = graphsOf(field, 'join__field');
    return resolvedBy.length ? resolvedBy.includes('MESSAGING') : owners.length === 1 && owners[0] === 'MESSAGING';
  });
}

/** Whether a field's type leads, through any object fields, to contact data. */
function reachesContactData(type: GraphQLNamedType, seen = new Set<string>()): boolean {
  if (CONTACT_DATA.has(type.name)) return true;
  if (!isObjectType(type) || seen.has(type.name)) return false;
  seen.add(type.name);
  return Object.values(type.getFields()).some((f) => !inaccessible(f) && reachesContactData(getNamedType(f.type), seen));
}

type ArgumentValues = (argument: string, returnType: string) => string | undefined;

/** Every messaging field of `type`, recursively (a type is not re-entered on its own path); arguments from `values`. */
function selectionOf(type: GraphQLObjectType, values: ArgumentValues, path: string[] = []): string {
  const parts: string[] = ['__typename'];
  for (const field of messagingFields(type)) {
    const named = getNamedType(field.type);
    const args = argumentsOf(`${type.name}.${field.name}`, field, values, false);
    if (isScalarType(named) || isEnumType(named)) parts.push(`${field.name}${args}`);
    else if (isObjectType(named) && !path.includes(named.name) && path.length < 5) parts.push(`${field.name}${args} { ${selectionOf(named, values, [...path, type.name])} }`);
  }
  return parts.join(' ');
}

/** `(a: "…", …)`: required arguments always (a test failure names one without a known value), optional ones when `optional`. */
function argumentsOf(coordinate: string, field: GraphQLField<unknown, unknown>, values: ArgumentValues, optional: boolean): string {
  const given: string[] = [];
  for (const argument of field.args) {
    const value = values(argument.name, getNamedType(field.type).name);
    if (isNonNullType(argument.type) && argument.defaultValue === undefined) {
      if (value === undefined) throw new Error(`no test value for the required argument ${coordinate}(${argument.name}:): add it to the test's values`);
      given.push(`${argument.name}: ${value}`);
    } else if (optional && value !== undefined) given.push(`${argument.name}: ${value}`);
  }
  return given.length ? `(${given.join(', ')})` : '';
}

/**
 * SPEC I6: a user whose contact access is a RESTRICTED group may send to it but never sees its phone
 * numbers. Every Query field of the supergraph that the messaging subgraph resolves and that can
 * return contacts, messages, the inbox or groups is called with every messaging field selected
 * (walked from the committed supergraph, so a field added later is scanned too).
 */
describe('restricted contact access hides phone numbers everywhere (SPEC I6, M4, M5)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  let advanced: string;
  let membershipId: string;
  let groupId: string;
  let schema: GraphQLSchema;
  const ids: Record<string, string> = {};
  const storeN1 = demoAccount('store-n1').id;

  beforeAll(async () => {
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0' } });
    schema = buildASTSchema(parse(readCommittedSupergraph()), { assumeValidSDL: true });
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    advanced = await stack.login(demoUser('n1-advanced').email);
    await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW] }) { id } }`, { id: demoAccount('hq').id }, hqAdmin);
    // A group of three contacts, a message to each (sent by the user), and a reply in the inbox.
    const group = await stack.graphql(`mutation($a: ID!) { createContactGroup(accountId: $a, name: "Restricted customers") { id } }`, { a: storeN1 }, hqAdmin);
    groupId = group.data.createContactGroup.id;
    for (const [i, phoneNumber] of NUMBERS.entries()) {
      const contact = await stack.graphql(
        `mutation($a: ID!, $input: ContactInput!) { createContact(accountId: $a, input: $input) { id } }`,
        { a: storeN1, input: { phoneNumber, firstName: `Customer ${'ABC'[i]}`, groupIds: [groupId] } },
        hqAdmin,
      );
      ids.contact = contact.data.createContact.id;
    }
    const sent = await stack.graphql(`mutation($input: SendBulkInput!) { sendBulk(input: $input) { batchId messageIds } }`, { input: { accountId: storeN1, groupIds: [groupId], body: 'Spring sale' } }, advanced);
    ids.message = sent.data.sendBulk.messageIds[0];
    ids.batch = sent.data.sendBulk.batchId;
    const inbound = await stack.graphql(`mutation($a: ID!, $from: String!) { injectInboundMessage(accountId: $a, from: $from, body: "Thanks") { conversationId } }`, { a: storeN1, from: NUMBERS[0] }, hqAdmin);
    ids.conversation = inbound.data.injectInboundMessage.conversationId;
    membershipId = (await stack.sql.query(`SELECT id FROM identity.memberships WHERE user_id = $1 AND account_id = $2`, [demoUser('n1-advanced').id, storeN1])).rows[0].id;
  });
  afterAll(() => stack?.close());

  const values: ArgumentValues = (argument, returnType) => {
    const byReturnType: Record<string, string | undefined> = { Contact: ids.contact, ContactGroup: groupId, Message: ids.message, Conversation: ids.conversation };
    const value =
      { accountId: storeN1, groupId, contactId: ids.contact, messageId: ids.message, batchId: ids.batch, conversationId: ids.conversation }[argument] ??
      (argument === 'id' ? byReturnType[returnType] : undefined);
    return value === undefined ? undefined : JSON.stringify(value);
  };

  /** Every in-scope root query, with required arguments only and with every argument the test knows. */
  const scanDocuments = (): { field: string; document: string }[] => {
    const query = schema.getQueryType()!;
    return messagingFields(query)
      .filter((field) => reachesContactData(getNamedType(field.type)))
      .flatMap((field) => {
        const named = getNamedType(field.type);
        const selection = isObjectType(named) ? ` { ${selectionOf(named, values)} }` : '';
        const variants = [argumentsOf(`Query.${field.name}`, field, values, false), argumentsOf(`Query.${field.name}`, field, values, true)];
        return [...new Set(variants)].map((args) => ({ field: field.name, document: `{ ${field.name}${args}${selection} }` }));
      });
  };

  const setContactAccess = (access: 'RESTRICTED' | 'FULL') =>
    stack.graphql(
      `mutation($id: ID!, $g: ID!, $access: ContactGroupAccess!) {
         setMembershipLimits(membershipId: $id, limits: { allSenderIds: true, contactAccess: SELECTED, contactGroups: [{ groupId: $g, access: $access }] }) { id }
       }`,
      { id: membershipId, g: groupId, access },
      hqAdmin,
    );

  const scan = async (token: string) => {
    const documents = scanDocuments();
    const responses: (GraphQLResponse & { field: string })[] = [];
    for (const { field, document } of documents) responses.push({ field, ...(await stack.graphql(document, {}, token)) });
    return { documents, responses, text: JSON.stringify(responses) };
  };

  it('a RESTRICTED user gets answers from every such field, with every phone number masked', async () => {
    // Arrange
    const limited = await setContactAccess('RESTRICTED');

    // Act
    const { documents, responses, text } = await scan(advanced);

    // Assert
    expect(limited.errors).toBeUndefined();
    expect(documents.map((d) => d.field)).toEqual(expect.arrayContaining(['contacts', 'contactGroups', 'messages', 'inbox']));
    expect(responses.filter((r) => r.errors)).toEqual([]);
    expect(text).not.toMatch(UNMASKED);
    for (const number of NUMBERS) {
      expect(text).not.toContain(number.slice(3)); // not even in national form
      expect(text).toContain(`+44${'*'.repeat(number.length - 5)}${number.slice(-2)}`);
    }
    expect(text).toContain('Restricted customers');
    expect(text).toContain('Thanks');
  });

  it('a FULL user sees the phone numbers in the same answers', async () => {
    // Arrange
    await setContactAccess('FULL');

    // Act
    const { responses, text } = await scan(advanced);

    // Assert
    expect(responses.filter((r) => r.errors)).toEqual([]);
    for (const number of NUMBERS) expect(text).toContain(number);
    for (const r of responses.filter((x) => ['contacts', 'messages', 'inbox'].includes(x.field))) expect(JSON.stringify(r.data)).toMatch(UNMASKED);
  });
});
