import crypto from 'node:crypto';
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
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf, type GraphQLResponse } from '@platform/testing';

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

/**
 * SPEC I6 on the write and forwarding paths: a user with selected contact groups gains no access to a
 * contact outside their FULL groups and learns nothing of it; numbers they may not see never leave
 * through automation or webhooks they configure; and a basic user reads the same outbound messages in
 * a conversation as in `messages`.
 */
describe('restricted callers gain nothing through writes, forwards and the inbox (SPEC I6, M4, M11)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  /** n1-advanced: FULL on "Mine", RESTRICTED on "Send only"; no access to "Head office". */
  let restrictedUser: string;
  /** north-admin: RESTRICTED on "Send only" (an ADMIN of store N1's parent). */
  let restrictedAdmin: string;
  const storeN1 = demoAccount('store-n1').id;
  const groups: Record<'mine' | 'sendOnly' | 'headOffice', string> = { mine: '', sendOnly: '', headOffice: '' };
  const contacts: Record<'mine' | 'sendOnly' | 'hidden' | 'hiddenForImport' | 'hiddenForUpdate', string> = { mine: '', sendOnly: '', hidden: '', hiddenForImport: '', hiddenForUpdate: '' };
  const PHONES = { mine: '+447400800001', sendOnly: '+447400800002', hidden: '+447400800003', hiddenForImport: '+447400800004', hiddenForUpdate: '+447400800005' };

  const gql = async (query: string, variables: Record<string, unknown>, token = hqAdmin) => {
    const response = await stack.graphql(query, variables, token);
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    return response.data;
  };
  const membershipOf = async (userKey: string, accountKey: string) =>
    (await stack.sql.query(`SELECT id FROM identity.memberships WHERE user_id = $1 AND account_id = $2`, [demoUser(userKey).id, demoAccount(accountKey).id])).rows[0].id;
  const setLimits = async (membershipId: string, contactGroups: { groupId: string; access: 'FULL' | 'RESTRICTED' }[]) =>
    gql(`mutation($id: ID!, $groups: [ContactGroupGrantInput!]!) { setMembershipLimits(membershipId: $id, limits: { allSenderIds: true, contactAccess: SELECTED, contactGroups: $groups }) { id } }`, {
      id: membershipId,
      groups: contactGroups,
    });
  const errorsOf = (response: GraphQLResponse) => (response.errors ?? []).map((e) => ({ message: e.message, code: e.extensions?.code }));
  const storedContact = async (id: string) =>
    (
      await stack.sql.query(
        `SELECT c.first_name, c.last_name, c.email, c.phone_number, coalesce(array_agg(m.group_id ORDER BY m.group_id) FILTER (WHERE m.group_id IS NOT NULL), '{}') AS group_ids
           FROM messaging.contacts c LEFT JOIN messaging.group_members m ON m.contact_id = c.id WHERE c.id = $1 GROUP BY c.id`,
        [id],
      )
    ).rows[0];

  beforeAll(async () => {
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0' } });
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    await gql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW] }) { id } }`, { id: demoAccount('hq').id });
    for (const [key, name] of [['mine', 'Mine'], ['sendOnly', 'Send only'], ['headOffice', 'Head office']] as const) {
      groups[key] = (await gql(`mutation($a: ID!, $n: String!) { createContactGroup(accountId: $a, name: $n) { id } }`, { a: storeN1, n: name })).createContactGroup.id;
    }
    const groupOf = { mine: groups.mine, sendOnly: groups.sendOnly, hidden: groups.headOffice, hiddenForImport: groups.headOffice, hiddenForUpdate: groups.headOffice };
    for (const key of Object.keys(contacts) as (keyof typeof contacts)[]) {
      const input = { phoneNumber: PHONES[key], firstName: 'Hidden', lastName: `Person ${key}`, email: `${key.toLowerCase()}@customer.example`, groupIds: [groupOf[key]] };
      contacts[key] = (await gql(`mutation($a: ID!, $input: ContactInput!) { createContact(accountId: $a, input: $input) { id } }`, { a: storeN1, input })).createContact.id;
    }
    await setLimits(await membershipOf('n1-advanced', 'store-n1'), [
      { groupId: groups.mine, access: 'FULL' },
      { groupId: groups.sendOnly, access: 'RESTRICTED' },
    ]);
    await setLimits(await membershipOf('north-admin', 'north'), [{ groupId: groups.sendOnly, access: 'RESTRICTED' }]);
    restrictedUser = await stack.login(demoUser('n1-advanced').email);
    restrictedAdmin = await stack.login(demoUser('north-admin').email);
  });
  afterAll(() => stack?.close());

  it('a contact search matches a number only where the caller sees it in full; names match with the number masked', async () => {
    // Arrange
    const SEARCH = `query($a: ID!, $search: String!) { contacts(accountId: $a, filter: { search: $search }) { nodes { id phoneNumber } totalCount } }`;
    const search = async (text: string, token: string) => (await gql(SEARCH, { a: storeN1, search: text }, token)).contacts;

    // Act
    const ownNumber = await search(PHONES.mine.slice(-6), restrictedUser);
    const restrictedNumber = await search(PHONES.sendOnly.slice(-6), restrictedUser);
    const hiddenNumber = await search(PHONES.hidden.slice(-6), restrictedUser);
    const restrictedName = await search('Person sendOnly', restrictedUser);
    const byAdmin = await search(PHONES.sendOnly.slice(-6), hqAdmin);

    // Assert
    expect(ownNumber).toEqual({ nodes: [{ id: contacts.mine, phoneNumber: PHONES.mine }], totalCount: 1 });
    expect(restrictedNumber).toEqual({ nodes: [], totalCount: 0 });
    expect(hiddenNumber).toEqual({ nodes: [], totalCount: 0 });
    expect(restrictedName).toEqual({ nodes: [{ id: contacts.sendOnly, phoneNumber: `+44${'*'.repeat(PHONES.sendOnly.length - 5)}02` }], totalCount: 1 });
    expect(byAdmin).toEqual({ nodes: [{ id: contacts.sendOnly, phoneNumber: PHONES.sendOnly }], totalCount: 1 });
  });

  it('updateContactGroup adds only contacts the caller may see and edit; a hidden one answers like an unknown id and nothing is written', async () => {
    // Arrange
    const add = (contactId: string) =>
      stack.graphql(`mutation($g: ID!, $c: ID!) { updateContactGroup(id: $g, input: { addContactIds: [$c] }) { id contactCount } }`, { g: groups.mine, c: contactId }, restrictedUser);
    const before = await storedContact(contacts.hidden);

    // Act
    const hidden = await add(contacts.hidden);
    const unknown = await add(crypto.randomUUID());
    const sendOnly = await add(contacts.sendOnly);
    const listed = await gql(`query($a: ID!, $g: ID) { contacts(accountId: $a, groupId: $g) { nodes { id phoneNumber } } }`, { a: storeN1, g: groups.mine }, restrictedUser);

    // Assert
    expect(errorsOf(hidden)).toEqual([{ message: 'Contact not found', code: 'NOT_FOUND' }]);
    expect(errorsOf(hidden)).toEqual(errorsOf(unknown));
    expect(hidden.data).toEqual(unknown.data);
    expect(errorsOf(sendOnly).map((e) => e.code)).toEqual(['FORBIDDEN']);
    expect(await storedContact(contacts.hidden)).toEqual(before);
    expect((await storedContact(contacts.sendOnly)).group_ids).toEqual([groups.sendOnly]);
    expect(listed.contacts.nodes).toEqual([{ id: contacts.mine, phoneNumber: PHONES.mine }]);
  });

  it('createContact, importContacts and updateContact with a number kept outside the caller\'s FULL groups make a separate contact and answer as for a new number', async () => {
    // Arrange
    const SELECTION = 'id phoneNumber firstName lastName email groupIds editable';
    const create = (phoneNumber: string) =>
      stack.graphql(`mutation($a: ID!, $input: ContactInput!) { createContact(accountId: $a, input: $input) { ${SELECTION} } }`, { a: storeN1, input: { phoneNumber, firstName: 'Mine', groupIds: [groups.mine] } }, restrictedUser);
    const hiddenBefore = await Promise.all([contacts.hidden, contacts.hiddenForImport, contacts.hiddenForUpdate, contacts.sendOnly].map(storedContact));

    // Act
    const overHidden = await create(PHONES.hidden);
    const overSendOnly = await create(PHONES.sendOnly);
    const fresh = await create('+447400800091');
    const imported = await stack.graphql(
      `mutation($a: ID!, $csv: String!, $g: ID) { importContacts(accountId: $a, csv: $csv, groupId: $g) { imported merged rejected { line } } }`,
      { a: storeN1, csv: `phone,first_name\n${PHONES.hiddenForImport},Imported\n+447400800092,Imported`, g: groups.mine },
      restrictedUser,
    );
    const renumbered = await stack.graphql(
      `mutation($id: ID!, $phone: String!) { updateContact(id: $id, input: { phoneNumber: $phone }) { id phoneNumber } }`,
      { id: fresh.data?.createContact.id, phone: PHONES.hiddenForUpdate },
      restrictedUser,
    );
    const mergedIntoOwn = await create(PHONES.mine);

    // Assert
    for (const [response, phoneNumber] of [[overHidden, PHONES.hidden], [overSendOnly, PHONES.sendOnly], [fresh, '+447400800091']] as const) {
      expect(response.errors).toBeUndefined();
      expect(response.data.createContact).toEqual({ id: expect.any(String), phoneNumber, firstName: 'Mine', lastName: null, email: null, groupIds: [groups.mine], editable: true });
    }
    expect(overHidden.data.createContact.id).not.toBe(contacts.hidden);
    expect(overSendOnly.data.createContact.id).not.toBe(contacts.sendOnly);
    expect(imported.errors).toBeUndefined();
    expect(imported.data.importContacts).toEqual({ imported: 2, merged: 0, rejected: [] });
    expect(renumbered.errors).toBeUndefined();
    expect(renumbered.data.updateContact.phoneNumber).toBe(PHONES.hiddenForUpdate);
    expect(await Promise.all([contacts.hidden, contacts.hiddenForImport, contacts.hiddenForUpdate, contacts.sendOnly].map(storedContact))).toEqual(hiddenBefore);
    // Within the caller's FULL groups the account's rule (no duplicate contacts) still merges.
    expect(mergedIntoOwn.data.createContact).toMatchObject({ id: contacts.mine, firstName: 'Mine', lastName: 'Person mine' });
  });

  it('a restricted admin may not configure forwards or webhooks that would send numbers out in full; nothing is written', async () => {
    // Arrange
    const hqRule = (await gql(`mutation($a: ID!) { createAutomationRule(accountId: $a, input: { name: "To head office", action: FORWARD_EMAIL, forwardEmail: "desk@retail.example" }) { id } }`, { a: storeN1 }))
      .createAutomationRule.id;
    const RULE = `mutation($a: ID!, $input: AutomationRuleInput!) { createAutomationRule(accountId: $a, input: $input) { id action } }`;
    const ENDPOINT = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id eventTypes } } }`;
    const endpointInput = (eventTypes: string[]) => ({ input: { accountId: storeN1, url: 'https://93.184.215.14/north', eventTypes } });
    const counts = async () =>
      (await stack.sql.query(`SELECT (SELECT count(*)::int FROM messaging.automation_rules) AS rules, (SELECT count(*)::int FROM messaging.webhook_endpoints) AS endpoints`)).rows[0];
    const before = await counts();

    // Act
    const forwardEmail = await stack.graphql(RULE, { a: storeN1, input: { name: "North's copy", action: 'FORWARD_EMAIL', forwardEmail: 'north@elsewhere.example' } }, restrictedAdmin);
    const forwardWebhook = await stack.graphql(RULE, { a: storeN1, input: { name: "North's hook", action: 'FORWARD_WEBHOOK' } }, restrictedAdmin);
    const redirected = await stack.graphql(
      `mutation($id: ID!) { updateAutomationRule(id: $id, input: { forwardEmail: "north@elsewhere.example" }) { id } }`,
      { id: hqRule },
      restrictedAdmin,
    );
    const autoReply = await stack.graphql(RULE, { a: storeN1, input: { name: 'Hours', keyword: 'HOURS', action: 'AUTO_REPLY', replyBody: 'We open at 9' } }, restrictedAdmin);
    const carryingEndpoint = await stack.graphql(ENDPOINT, endpointInput(['account.created', 'automation.forwarded']), restrictedAdmin);
    const plainEndpoint = await stack.graphql(ENDPOINT, endpointInput(['account.created']), restrictedAdmin);
    const resubscribed = await stack.graphql(
      `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { eventTypes: ["automation.forwarded"] }) { id } }`,
      { id: plainEndpoint.data?.createWebhookEndpoint.endpoint.id },
      restrictedAdmin,
    );
    const byFullAdmin = await stack.graphql(ENDPOINT, endpointInput(['automation.forwarded']), hqAdmin);
    const after = await counts();

    // Assert
    for (const refused of [forwardEmail, forwardWebhook, redirected, carryingEndpoint, resubscribed]) expect(codeOf(refused)).toBe('CONTACT_ACCESS_RESTRICTED');
    expect(autoReply.data.createAutomationRule.action).toBe('AUTO_REPLY');
    expect(plainEndpoint.data.createWebhookEndpoint.endpoint.eventTypes).toEqual(['account.created']);
    expect(byFullAdmin.errors).toBeUndefined();
    expect(after).toEqual({ rules: before.rules + 1, endpoints: before.endpoints + 2 });
    const stored = await stack.sql.query(`SELECT forward_email FROM messaging.automation_rules WHERE id = $1`, [hqRule]);
    expect(stored.rows[0].forward_email).toBe('desk@retail.example');
    const plain = await stack.sql.query(`SELECT event_types FROM messaging.webhook_endpoints WHERE id = $1`, [plainEndpoint.data.createWebhookEndpoint.endpoint.id]);
    expect(plain.rows[0].event_types).toEqual(['account.created']);
  });

  it('email to SMS rejections show the destination number masked to a restricted admin', async () => {
    // Arrange
    await gql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { emailToSmsEnabled: true }) { id } }`, { id: storeN1 });
    await gql(`mutation($a: ID!) { registerEmailToSmsSender(accountId: $a, email: "alerts@store-n1.example") { id } }`, { a: storeN1 });
    const secret = (await gql(`mutation($a: ID!) { rotateEmailToSmsSecret(accountId: $a) { secret } }`, { a: storeN1 })).rotateEmailToSmsSecret.secret;
    const refused = await fetch(`${new URL(stack.gatewayUrl).origin}/inbound/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-email-to-sms-secret': secret },
      body: JSON.stringify({ from: 'intruder@elsewhere.example', to: '447400800009@sms.example', subject: 'Hello', text: 'Hello' }),
    });
    const REJECTIONS = `query($a: ID!) { emailToSms(accountId: $a) { rejections { from to code reason } } }`;

    // Act
    const asRestricted = await gql(REJECTIONS, { a: storeN1 }, restrictedAdmin);
    const asFull = await gql(REJECTIONS, { a: storeN1 });

    // Assert
    expect(refused.status).toBe(403);
    expect(asRestricted.emailToSms.rejections).toEqual([{ from: 'intruder@elsewhere.example', to: '447*******09@sms.example', code: 'EMAIL_SENDER_NOT_REGISTERED', reason: expect.any(String) }]);
    expect(JSON.stringify(asRestricted)).not.toContain('7400800009');
    expect(asFull.emailToSms.rejections[0].to).toBe('447400800009@sms.example');
  });

  it('a basic user reads in a conversation only the outbound messages that messages() shows them', async () => {
    // Arrange
    const marketing = demoAccount('store-n1-marketing').id;
    const basic = await stack.login(demoUser('n1-marketing').email);
    const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { batchId } }`;
    const customer = '+447400800050';
    await gql(SEND, { input: { accountId: marketing, to: customer, body: 'Head office: staff discount code 4411' } });
    await gql(SEND, { input: { accountId: marketing, to: customer, body: 'Marketing: spring sale' } }, basic);
    await gql(`mutation($a: ID!, $from: String!) { injectInboundMessage(accountId: $a, from: $from, body: "Count me in") { conversationId } }`, { a: marketing, from: customer });

    // Act
    const inbox = await gql(`query($a: ID!) { inbox(accountId: $a) { nodes { messages { nodes { direction body } } } } }`, { a: marketing }, basic);
    const listed = await gql(`query($a: ID!) { messages(accountId: $a, first: 500) { nodes { body } } }`, { a: marketing }, basic);

    // Assert
    const entries = inbox.inbox.nodes.flatMap((c: { messages: { nodes: { direction: string; body: string }[] } }) => c.messages.nodes);
    const outboundInInbox = entries.filter((e: { direction: string }) => e.direction === 'OUTBOUND').map((e: { body: string }) => e.body);
    const listedBodies = listed.messages.nodes.map((m: { body: string }) => m.body);
    expect(entries).toEqual(expect.arrayContaining([{ direction: 'INBOUND', body: 'Count me in' }, { direction: 'OUTBOUND', body: 'Marketing: spring sale' }]));
    expect(outboundInInbox.every((body: string) => listedBodies.includes(body))).toBe(true);
    expect(JSON.stringify(inbox)).not.toContain('staff discount');
    expect(JSON.stringify(listed)).not.toContain('staff discount');
  });
});
