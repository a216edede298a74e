import crypto from 'node:crypto';
import { Kind, parse, type ObjectTypeDefinitionNode } from 'graphql';
import { DEMO_ACCOUNTS, demoAccount, demoUser, type DemoAccount } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { readCommittedSupergraph } from '../supergraph';
import { request } from './http-client';

jest.setTimeout(60_000);

/**
 * Cross-tenant probe matrix (SPEC H3, G2, G3): every root field of the supergraph × every kind of
 * principal × target positions relative to it. The oracle is independent of shared/authz: an
 * account is visible iff one of the principal's memberships is on its chain; admin actions need
 * an ADMIN membership there, billing actions (and verifying the activity log's hash chain) an ADMIN
 * membership of a parent (depth-0) account.
 * Where the oracle refuses, the response must refuse (and carry no foreign id or phone number);
 * where it allows, queries must answer, while mutations are not executed (they would change the
 * demo tree; their allowed paths are tested by their subgraphs' suites).
 *
 * EVERY root field needs an entry in ROOT_FIELDS; the first test fails for a field without one.
 *
 * Fields that target an object other than an account are also probed with an object that EXISTS
 * but that the principal may not see (`invisible`): the answer must be the very answer to an id that
 * exists nowhere (same status, data, messages and codes), so no resolver can tell the two apart.
 */

type Rule = 'visible' | 'admin' | 'rootAdmin' | 'user' | 'customer' | 'credential' | 'operator' | 'operatorAdmin';
type Position = 'own' | 'ancestor' | 'descendant' | 'sibling' | 'other tenant';

interface TargetedField {
  kind: 'account';
  rule: Rule;
  /** The operation with `$target` as the probed account id. */
  document: string;
  variables?: (target: string, principal: Probe) => Record<string, unknown>;
  /** For queries: the answer when allowed is data, checked here. */
  query?: boolean;
}
interface UnknownObjectField {
  /** Targets an object that is not an account (invoice, membership, key…): probed with an id that exists nowhere. */
  kind: 'unknown-object';
  document: string;
  variables: (unknownId: string) => Record<string, unknown>;
  /** Codes that count as a refusal for this field (besides UNAUTHENTICATED, FORBIDDEN, NOT_FOUND). */
  alsoRefusedWith?: string[];
  /** Also probed with an existing object, by every principal the oracle does not allow `rule` on the object's account. */
  invisible?: { object: FixtureObject; rule: Rule };
}
/** Objects the suite creates (beforeAll) to probe with existing ids; the account they belong to. */
const FIXTURE_ACCOUNTS = {
  webhookEndpoint: 'store-n1',
  webhookDelivery: 'store-n1',
  automationRule: 'store-n1',
  emailToSmsSender: 'store-n1',
  contactGroup: 'store-n1',
  // in a tree no probe lists contacts of (listed numbers would fail every allowed contacts query)
  contact: 'acme',
} as const;
type FixtureObject = keyof typeof FIXTURE_ACCOUNTS;
interface UntargetedField {
  kind: 'untargeted';
  rule: Rule;
  document: string;
}
interface NotProbedField {
  kind: 'not-probed';
  reason: string;
}
type FieldExpectation = TargetedField | UnknownObjectField | UntargetedField | NotProbedField;

const REFUSALS = ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'PERSISTED_QUERY_REQUIRED'];

const key = () => crypto.randomUUID();

export const ROOT_FIELDS: Record<string, FieldExpectation> = {
  // Query
  account: { kind: 'account', rule: 'visible', query: true, document: 'query($target: ID!) { account(id: $target) { id name } }' },
  accountTree: { kind: 'account', rule: 'visible', query: true, document: 'query($target: ID) { accountTree(rootId: $target) { id name } }' },
  accounts: { kind: 'account', rule: 'visible', query: true, document: 'query($target: ID) { accounts(rootId: $target, first: 5) { nodes { id name } totalCount } }' },
  activityLog: { kind: 'account', rule: 'admin', query: true, document: 'query($target: ID!) { activityLog(accountId: $target) { __typename } }' },
  verifyActivityLog: { kind: 'account', rule: 'rootAdmin', query: true, document: 'query($target: ID!) { verifyActivityLog(accountId: $target) { __typename } }' },
  invoice: { kind: 'unknown-object', document: 'query($id: ID!) { invoice(id: $id) { id } }', variables: (id) => ({ id }) },
  // A user session or an API key (issue 14: a key asks what it is); operators have operatorMe.
  me: { kind: 'untargeted', rule: 'customer', document: '{ me { kind } }' },
  permissionCatalogue: { kind: 'untargeted', rule: 'credential', document: '{ permissionCatalogue }' },
  // Query / Mutation: messaging (SPEC M1-M5, M7)
  contacts: { kind: 'account', rule: 'visible', query: true, document: 'query($target: ID!) { contacts(accountId: $target) { nodes { id phoneNumber } } }' },
  contactGroups: { kind: 'account', rule: 'visible', query: true, document: 'query($target: ID!) { contactGroups(accountId: $target) { nodes { id name } } }' },
  senderIds: { kind: 'account', rule: 'visible', query: true, document: 'query($target: ID!) { senderIds(accountId: $target) { nodes { id value } } }' },
  messages: { kind: 'account', rule: 'visible', query: true, document: 'query($target: ID!) { messages(accountId: $target) { nodes { id status } } }' },
  inbox: { kind: 'account', rule: 'visible', query: true, document: 'query($target: ID!) { inbox(accountId: $target) { nodes { id } } }' },
  conversation: { kind: 'unknown-object', document: 'query($id: ID!) { conversation(id: $id) { id } }', variables: (id) => ({ id }) },
  createContact: { kind: 'account', rule: 'visible', document: 'mutation($target: ID!) { createContact(accountId: $target, input: { phoneNumber: "+447400123456" }) { id } }' },
  updateContact: { kind: 'unknown-object', document: 'mutation($id: ID!) { updateContact(id: $id, input: { firstName: "Probe" }) { id } }', variables: (id) => ({ id }), invisible: { object: 'contact', rule: 'visible' } },
  deleteContact: { kind: 'unknown-object', document: 'mutation($id: ID!) { deleteContact(id: $id) }', variables: (id) => ({ id }), invisible: { object: 'contact', rule: 'visible' } },
  startContactImport: { kind: 'account', rule: 'visible', document: 'mutation($target: ID!) { startContactImport(accountId: $target) { uploadUrl } }' },
  importJob: { kind: 'unknown-object', document: 'query($id: ID!) { importJob(id: $id) { id } }', variables: (id) => ({ id }) },
  importContacts: { kind: 'account', rule: 'visible', document: 'mutation($target: ID!) { importContacts(accountId: $target, csv: "phone\\n+447400123456") { imported } }' },
  createContactGroup: { kind: 'account', rule: 'visible', document: 'mutation($target: ID!) { createContactGroup(accountId: $target, name: "Probe") { id } }' },
  updateContactGroup: { kind: 'unknown-object', document: 'mutation($id: ID!) { updateContactGroup(id: $id, input: { name: "Probe" }) { id } }', variables: (id) => ({ id }), invisible: { object: 'contactGroup', rule: 'visible' } },
  deleteContactGroup: { kind: 'unknown-object', document: 'mutation($id: ID!) { deleteContactGroup(id: $id) }', variables: (id) => ({ id }), invisible: { object: 'contactGroup', rule: 'visible' } },
  requestSenderId: { kind: 'account', rule: 'admin', document: 'mutation($target: ID!) { requestSenderId(accountId: $target, input: { kind: ALPHANUMERIC, value: "Probe" }) { id } }' },
  verifySenderId: { kind: 'unknown-object', document: 'mutation($id: ID!) { verifySenderId(id: $id, code: "000000") { id } }', variables: (id) => ({ id }) },
  activateSenderId: { kind: 'unknown-object', document: 'mutation($id: ID!) { activateSenderId(id: $id) { id } }', variables: (id) => ({ id }) },
  rejectSenderId: { kind: 'unknown-object', document: 'mutation($id: ID!) { rejectSenderId(id: $id, reason: "probe") { id } }', variables: (id) => ({ id }) },
  pendingSenderIds: { kind: 'untargeted', rule: 'operator', document: '{ pendingSenderIds { nodes { id } } }' },
  sendMessage: { kind: 'account', rule: 'visible', document: 'mutation($target: ID!) { sendMessage(input: { accountId: $target, to: "+447400123456", body: "probe" }) { batchId } }' },
  sendBulk: { kind: 'account', rule: 'visible', document: 'mutation($target: ID!) { sendBulk(input: { accountId: $target, to: ["+447400123456"], body: "probe" }) { batchId } }' },
  cancelMessage: { kind: 'unknown-object', document: 'mutation($id: ID!) { cancelMessage(id: $id) { id } }', variables: (id) => ({ id }) },
  replyToConversation: { kind: 'unknown-object', document: 'mutation($id: ID!) { replyToConversation(conversationId: $id, body: "probe") { batchId } }', variables: (id) => ({ id }) },
  resubscribeContact: { kind: 'account', rule: 'admin', document: 'mutation($target: ID!) { resubscribeContact(accountId: $target, phoneNumber: "+447400123456") }' },
  injectInboundMessage: { kind: 'account', rule: 'admin', document: 'mutation($target: ID!) { injectInboundMessage(accountId: $target, from: "+447400123456", body: "probe") { optedOut } }' },
  // Webhooks (messaging, SPEC M10): `webhooks` is an ADMIN default at every level
  webhookEventTypes: { kind: 'untargeted', rule: 'credential', document: '{ webhookEventTypes { type } }' },
  smsParts: { kind: 'untargeted', rule: 'credential', document: '{ smsParts(body: "Probe") { parts } }' },
  webhookEndpoints: { kind: 'account', rule: 'admin', query: true, document: 'query($target: ID!) { webhookEndpoints(accountId: $target) { nodes { id url } } }' },
  webhookEndpoint: { kind: 'unknown-object', document: 'query($id: ID!) { webhookEndpoint(id: $id) { id } }', variables: (id) => ({ id }), invisible: { object: 'webhookEndpoint', rule: 'admin' } },
  createWebhookEndpoint: {
    kind: 'account',
    rule: 'admin',
    document: 'mutation($target: ID!) { createWebhookEndpoint(input: { accountId: $target, url: "https://93.184.215.14/probe", eventTypes: ["message.status"] }) { endpoint { id } } }',
  },
  updateWebhookEndpoint: { kind: 'unknown-object', document: 'mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { description: "probe" }) { id } }', variables: (id) => ({ id }), invisible: { object: 'webhookEndpoint', rule: 'admin' } },
  rotateWebhookSecret: { kind: 'unknown-object', document: 'mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }', variables: (id) => ({ id }), invisible: { object: 'webhookEndpoint', rule: 'admin' } },
  disableWebhookEndpoint: { kind: 'unknown-object', document: 'mutation($id: ID!) { disableWebhookEndpoint(id: $id) { id } }', variables: (id) => ({ id }), invisible: { object: 'webhookEndpoint', rule: 'admin' } },
  enableWebhookEndpoint: { kind: 'unknown-object', document: 'mutation($id: ID!) { enableWebhookEndpoint(id: $id) { id } }', variables: (id) => ({ id }), invisible: { object: 'webhookEndpoint', rule: 'admin' } },
  deleteWebhookEndpoint: { kind: 'unknown-object', document: 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', variables: (id) => ({ id }), invisible: { object: 'webhookEndpoint', rule: 'admin' } },
  replayWebhookDelivery: { kind: 'unknown-object', document: 'mutation($id: ID!) { replayWebhookDelivery(id: $id) { id } }', variables: (id) => ({ id }), invisible: { object: 'webhookDelivery', rule: 'admin' } },
  // Messaging features (SPEC M6, M8, M9, M11): templates need `contacts` to change; email to SMS and automation are ADMIN defaults
  messageTemplates: { kind: 'account', rule: 'visible', query: true, document: 'query($target: ID!) { messageTemplates(accountId: $target) { nodes { id name } } }' },
  batchClicks: { kind: 'unknown-object', document: 'query($id: ID!) { batchClicks(batchId: $id) { clicks } }', variables: (id) => ({ id }) },
  emailToSms: { kind: 'account', rule: 'admin', query: true, document: 'query($target: ID!) { emailToSms(accountId: $target) { enabled senders { email } } }' },
  automationRules: { kind: 'account', rule: 'admin', query: true, document: 'query($target: ID!) { automationRules(accountId: $target) { nodes { id name } } }' },
  createMessageTemplate: { kind: 'account', rule: 'visible', document: 'mutation($target: ID!) { createMessageTemplate(accountId: $target, input: { name: "Probe", body: "probe" }) { id } }' },
  updateMessageTemplate: { kind: 'unknown-object', document: 'mutation($id: ID!) { updateMessageTemplate(id: $id, input: { name: "Probe" }) { id } }', variables: (id) => ({ id }) },
  deleteMessageTemplate: { kind: 'unknown-object', document: 'mutation($id: ID!) { deleteMessageTemplate(id: $id) }', variables: (id) => ({ id }) },
  registerEmailToSmsSender: { kind: 'account', rule: 'admin', document: 'mutation($target: ID!) { registerEmailToSmsSender(accountId: $target, email: "probe@example.com") { id } }' },
  removeEmailToSmsSender: { kind: 'unknown-object', document: 'mutation($id: ID!) { removeEmailToSmsSender(id: $id) }', variables: (id) => ({ id }), invisible: { object: 'emailToSmsSender', rule: 'admin' } },
  rotateEmailToSmsSecret: { kind: 'account', rule: 'admin', document: 'mutation($target: ID!) { rotateEmailToSmsSecret(accountId: $target) { secretPrefix } }' },
  createAutomationRule: { kind: 'account', rule: 'admin', document: 'mutation($target: ID!) { createAutomationRule(accountId: $target, input: { name: "Probe", action: FORWARD_WEBHOOK }) { id } }' },
  updateAutomationRule: { kind: 'unknown-object', document: 'mutation($id: ID!) { updateAutomationRule(id: $id, input: { enabled: false }) { id } }', variables: (id) => ({ id }), invisible: { object: 'automationRule', rule: 'admin' } },
  deleteAutomationRule: { kind: 'unknown-object', document: 'mutation($id: ID!) { deleteAutomationRule(id: $id) }', variables: (id) => ({ id }), invisible: { object: 'automationRule', rule: 'admin' } },
  // Mutation: account hierarchy
  createSubAccount: { kind: 'account', rule: 'admin', document: 'mutation($target: ID!) { createSubAccount(input: { parentId: $target, name: "Probe" }) { id } }' },
  moveAccount: {
    kind: 'account',
    rule: 'admin',
    document: 'mutation($target: ID!, $parent: ID!) { moveAccount(id: $target, newParentId: $parent) { id } }',
    variables: (target, principal) => ({ target, parent: principal.ownAccountId ?? target }),
  },
  updateAccountSettings: { kind: 'account', rule: 'admin', document: 'mutation($target: ID!) { updateAccountSettings(id: $target, input: { deliveryReceipts: true }) { id } }' },
  closeAccount: { kind: 'account', rule: 'admin', document: 'mutation($target: ID!) { closeAccount(id: $target) { id } }' },
  suspendAccount: { kind: 'account', rule: 'admin', document: 'mutation($target: ID!) { suspendAccount(id: $target) { id } }' },
  resumeAccount: { kind: 'account', rule: 'admin', document: 'mutation($target: ID!) { resumeAccount(id: $target) { id } }' },
  // Mutation: reporting
  createUsageExport: { kind: 'account', rule: 'admin', document: 'mutation($target: ID!) { createUsageExport(accountId: $target, from: "2024-01-01", to: "2024-01-31") { url } }' },
  // Mutation: billing
  // SPEC O3: credit terms, plans, invoicing and payments are the operator's; customers read them (and request a plan).
  setBillingMode: { kind: 'account', rule: 'operator', document: 'mutation($target: ID!) { setBillingMode(accountId: $target, mode: PREPAID) { id } }' },
  adjustCredit: { kind: 'account', rule: 'operator', document: 'mutation($target: ID!) { adjustCredit(input: { accountId: $target, units: 1, reason: "probe" }) { id } }' },
  enableOwnBalance: { kind: 'account', rule: 'rootAdmin', document: 'mutation($target: ID!) { enableOwnBalance(accountId: $target) { __typename } }' },
  setCreditLimit: { kind: 'account', rule: 'rootAdmin', document: 'mutation($target: ID!) { setCreditLimit(accountId: $target, limit: 10) { __typename } }' },
  setUserCreditLimit: {
    kind: 'account',
    rule: 'rootAdmin',
    document: 'mutation($target: ID!, $user: ID!) { setUserCreditLimit(accountId: $target, userId: $user, limit: 10) { __typename } }',
    variables: (target) => ({ target, user: demoUser('n1-advanced').id }),
  },
  transferBalance: {
    kind: 'account',
    rule: 'rootAdmin',
    document: 'mutation($target: ID!, $key: String!) { transferBalance(input: { fromAccountId: $target, toAccountId: $target, units: 1, idempotencyKey: $key }) { __typename } }',
    variables: (target) => ({ target, key: key() }),
  },
  transferCredit: {
    kind: 'account',
    rule: 'rootAdmin',
    document: 'mutation($target: ID!, $key: String!) { transferCredit(input: { fromAccountId: $target, toAccountId: $target, units: 1, idempotencyKey: $key }) { __typename } }',
    variables: (target) => ({ target, key: key() }),
  },
  topUp: {
    kind: 'account',
    rule: 'rootAdmin',
    document: 'mutation($target: ID!, $key: String!) { topUp(input: { accountId: $target, units: 1, idempotencyKey: $key }) { __typename } }',
    variables: (target) => ({ target, key: key() }),
  },
  setAutoTopUp: { kind: 'account', rule: 'rootAdmin', document: 'mutation($target: ID!) { setAutoTopUp(accountId: $target, threshold: 1, units: 1) { __typename } }' },
  setLowBalanceThreshold: { kind: 'account', rule: 'rootAdmin', document: 'mutation($target: ID!) { setLowBalanceThreshold(accountId: $target, threshold: 1) { __typename } }' },
  updateBillingProfile: { kind: 'account', rule: 'rootAdmin', document: 'mutation($target: ID!) { updateBillingProfile(accountId: $target, input: { billingEmail: "probe@example.com" }) { __typename } }' },
  requestPlanChange: { kind: 'account', rule: 'rootAdmin', document: 'mutation($target: ID!) { requestPlanChange(accountId: $target, plan: ENTERPRISE) { __typename } }' },
  setCustomerPlan: { kind: 'account', rule: 'operator', document: 'mutation($target: ID!) { setCustomerPlan(accountId: $target, plan: ENTERPRISE) { __typename } }' },
  addPaymentMethod: {
    kind: 'account',
    rule: 'rootAdmin',
    document: 'mutation($target: ID!) { addPaymentMethod(accountId: $target, providerToken: "tok_probe", brand: "visa", last4: "4242") { __typename } }',
  },
  setDefaultPaymentMethod: {
    kind: 'account',
    rule: 'rootAdmin',
    document: 'mutation($target: ID!, $pm: ID!) { setDefaultPaymentMethod(accountId: $target, paymentMethodId: $pm) { __typename } }',
    variables: (target) => ({ target, pm: key() }),
  },
  removePaymentMethod: {
    kind: 'account',
    rule: 'rootAdmin',
    document: 'mutation($target: ID!, $pm: ID!) { removePaymentMethod(accountId: $target, paymentMethodId: $pm) }',
    variables: (target) => ({ target, pm: key() }),
  },
  generateInvoice: { kind: 'account', rule: 'operator', document: 'mutation($target: ID!) { generateInvoice(accountId: $target, period: "2020-01") { id } }' },
  issueInvoice: { kind: 'unknown-object', document: 'mutation($id: ID!) { issueInvoice(id: $id) { id } }', variables: (id) => ({ id }) },
  markInvoicePaid: { kind: 'unknown-object', document: 'mutation($id: ID!) { markInvoicePaid(id: $id) { id } }', variables: (id) => ({ id }) },
  // Mutation: identity
  login: { kind: 'not-probed', reason: 'anonymous by design; covered by the identity suites (wrong passwords, rate of failures)' },
  logout: { kind: 'not-probed', reason: 'acts only on the caller\'s own session (no target); covered by the identity suites' },
  // The operator realm (SPEC O1-O3): operators only; every customer principal is refused.
  customers: { kind: 'untargeted', rule: 'operator', document: '{ customers { nodes { account { id } } } }' },
  operators: { kind: 'untargeted', rule: 'operatorAdmin', document: '{ operators { id } }' },
  operatorMe: { kind: 'not-probed', reason: 'answers null to anyone but an operator (never an error); covered by the operator suite' },
  requestAccountClosure: { kind: 'account', rule: 'rootAdmin', document: 'mutation($target: ID!) { requestAccountClosure(accountId: $target, reason: "probe") { requestedAt } }' },
  createCustomer: { kind: 'untargeted', rule: 'operator', document: 'mutation { createCustomer(input: { name: "Probe customer" }) { id } }' },
  operatorLog: { kind: 'account', rule: 'operator', query: true, document: 'query($target: ID!) { operatorLog(accountId: $target) { entries { id } } }' },
  inviteCustomerAdmin: { kind: 'account', rule: 'operator', document: 'mutation($target: ID!) { inviteCustomerAdmin(accountId: $target, email: "probe-admin@example.com") { id } }' },
  operatorSetAccountStatus: {
    kind: 'account',
    rule: 'operator',
    document: 'mutation($target: ID!) { operatorSetAccountStatus(input: { accountId: $target, status: SUSPENDED, reason: "probe" }) { id } }',
  },
  operatorLogin: { kind: 'not-probed', reason: 'anonymous by design (a password proves the operator); covered by the operator suite, throttled like login' },
  operatorLogout: { kind: 'not-probed', reason: "acts only on the caller's own operator session; covered by the operator suite" },
  completeOperatorSetup: {
    kind: 'unknown-object',
    document: 'mutation($id: String!) { completeOperatorSetup(token: $id, password: "a-long-enough-password") { token } }',
    variables: (id) => ({ id: `opsetup_${id}` }),
    alsoRefusedWith: ['INVALID_TOKEN'],
  },
  createOperator: { kind: 'untargeted', rule: 'operatorAdmin', document: 'mutation { createOperator(input: { email: "probe@platform.example", name: "Probe", role: OPERATOR_SUPPORT }) { setupLink } }' },
  setOperatorStatus: { kind: 'unknown-object', document: 'mutation($id: ID!) { setOperatorStatus(id: $id, status: DISABLED) { id } }', variables: (id) => ({ id }) },
  switchAccount: { kind: 'account', rule: 'visible', document: 'mutation($target: ID!) { switchAccount(accountId: $target) { expiresAt } }' },
  addAccountMember: {
    kind: 'account',
    rule: 'admin',
    document: 'mutation($target: ID!) { addAccountMember(accountId: $target, email: "n1.marketing@retail.example", role: BASIC_USER) { membership { id } } }',
  },
  removeAccountMember: {
    kind: 'account',
    rule: 'admin',
    document: 'mutation($target: ID!, $user: ID!) { removeAccountMember(accountId: $target, userId: $user) }',
    variables: (target) => ({ target, user: demoUser('n1-marketing').id }),
  },
  setMembershipPermissions: { kind: 'unknown-object', document: 'mutation($id: ID!) { setMembershipPermissions(membershipId: $id, granted: ["billing"], revoked: []) { id } }', variables: (id) => ({ id }) },
  deactivateMembership: { kind: 'unknown-object', document: 'mutation($id: ID!) { deactivateMembership(membershipId: $id) { id } }', variables: (id) => ({ id }) },
  reactivateMembership: { kind: 'unknown-object', document: 'mutation($id: ID!) { reactivateMembership(membershipId: $id) { id } }', variables: (id) => ({ id }) },
  setMembershipLimits: {
    kind: 'unknown-object',
    document: 'mutation($id: ID!) { setMembershipLimits(membershipId: $id, limits: { allSenderIds: true, contactAccess: ALL }) { id } }',
    variables: (id) => ({ id }),
  },
  inviteUser: { kind: 'account', rule: 'admin', document: 'mutation($target: ID!) { inviteUser(accountId: $target, email: "probe@example.com", role: BASIC_USER) { __typename } }' },
  revokeInvitation: { kind: 'unknown-object', document: 'mutation($id: ID!) { revokeInvitation(invitationId: $id) { __typename } }', variables: (id) => ({ id }) },
  acceptInvitation: {
    kind: 'unknown-object',
    document: 'mutation($id: String!) { acceptInvitation(token: $id) { __typename } }',
    variables: (id) => ({ id: `inv_${id}` }),
    alsoRefusedWith: ['INVALID_TOKEN', 'BAD_USER_INPUT'],
  },
  declineInvitation: {
    kind: 'unknown-object',
    document: 'mutation($id: String!) { declineInvitation(token: $id) { __typename } }',
    variables: (id) => ({ id: `inv_${id}` }),
    alsoRefusedWith: ['INVALID_TOKEN', 'BAD_USER_INPUT'],
  },
  acceptMyInvitation: {
    kind: 'unknown-object',
    document: 'mutation($id: ID!) { acceptMyInvitation(invitationId: $id) { __typename } }',
    variables: (id) => ({ id }),
  },
  declineMyInvitation: {
    kind: 'unknown-object',
    document: 'mutation($id: ID!) { declineMyInvitation(invitationId: $id) { __typename } }',
    variables: (id) => ({ id }),
  },
  createApiKey: { kind: 'account', rule: 'admin', document: 'mutation($target: ID!) { createApiKey(accountId: $target, name: "probe", role: BASIC_USER) { apiKey { id } } }' },
  revokeApiKey: { kind: 'unknown-object', document: 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', variables: (id) => ({ id }) },
  registerPartnerApp: { kind: 'account', rule: 'admin', document: 'mutation($target: ID!) { registerPartnerApp(accountId: $target, name: "probe") { id } }' },
  uploadPartnerManifest: {
    kind: 'unknown-object',
    document: 'mutation($id: ID!) { uploadPartnerManifest(appId: $id, manifest: { format: "apollo-persisted-query-manifest", version: 1, operations: [] }) { version } }',
    variables: (id) => ({ id }),
    alsoRefusedWith: ['INVALID_MANIFEST'],
  },
  retirePartnerManifest: { kind: 'unknown-object', document: 'mutation($id: ID!) { retirePartnerManifest(appId: $id, version: 1) { version } }', variables: (id) => ({ id }) },
  configureSso: {
    kind: 'account',
    rule: 'admin',
    document: 'mutation($target: ID!) { configureSso(accountId: $target, input: { issuer: "https://probe.example.com", clientId: "probe", allowedDomains: ["probe.example.com"] }) { __typename } }',
  },
  beginSsoLogin: {
    kind: 'unknown-object',
    document: 'mutation($id: String!) { beginSsoLogin(email: $id, redirectUri: "https://app.example/cb") { state } }',
    variables: (id) => ({ id: `probe-${id}@unknown-sso.example` }),
    alsoRefusedWith: ['SSO_NOT_CONFIGURED'],
  },
  loginWithSso: {
    kind: 'unknown-object',
    document: 'mutation($id: String!) { loginWithSso(idToken: $id, state: "probe-state") { __typename } }',
    variables: (id) => ({ id }),
    alsoRefusedWith: ['SSO_TOKEN_INVALID', 'SSO_NOT_CONFIGURED', 'SSO_STATE_INVALID'],
  },
};

interface Probe {
  name: string;
  /** Memberships as (account key, role); none for anonymous. */
  memberships: { accountKey: string; role: string }[];
  kind: 'USER' | 'API_KEY' | 'PARTNER' | 'OPERATOR' | 'ANONYMOUS';
  positions: Partial<Record<Position, string>>;
  ownAccountId?: string;
  token?: string;
}

function chainOf(account: DemoAccount): string[] {
  const keys: string[] = [];
  for (let current: DemoAccount | undefined = account; current; current = current.parentKey ? demoAccount(current.parentKey) : undefined) keys.unshift(current.key);
  return keys;
}

function oracle(probe: Probe, rule: Rule, accountKey?: string): boolean {
  if (probe.kind === 'ANONYMOUS') return false;
  // Operators hold the operator operations; they change customers through nothing else.
  if (rule === 'operator' || rule === 'operatorAdmin') return probe.kind === 'OPERATOR';
  if (probe.kind === 'OPERATOR') return rule === 'credential';
  if (rule === 'credential' || rule === 'customer') return true;
  if (rule === 'user') return probe.kind === 'USER';
  if (!accountKey) return false;
  const chain = chainOf(demoAccount(accountKey));
  const onChain = probe.memberships.filter((m) => chain.includes(m.accountKey));
  if (rule === 'visible') return onChain.length > 0;
  if (rule === 'admin') return onChain.some((m) => m.role === 'ADMIN');
  return onChain.some((m) => m.role === 'ADMIN' && demoAccount(m.accountKey).parentKey === null);
}

function visibleAccountIds(probe: Probe): Set<string> {
  if (probe.kind === 'OPERATOR') return new Set(DEMO_ACCOUNTS.map((account) => account.id));
  return new Set(DEMO_ACCOUNTS.filter((account) => oracle(probe, 'visible', account.key)).map((account) => account.id));
}

const PHONE_NUMBER = /\+[1-9]\d{7,14}/;

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/** Manifests name their operations: the partner variant of a field's document. */
const named = (fieldName: string, document: string) =>
  document.startsWith('{') ? `query Probe_${fieldName} ${document}` : document.replace(/^(query|mutation)/, `$1 Probe_${fieldName}`);

function partnerManifestOperations() {
  return Object.entries(ROOT_FIELDS).flatMap(([fieldName, field]) => {
    if (!('document' in field)) return [];
    const body = named(fieldName, field.document);
    return [{ id: sha256(body), name: `Probe_${fieldName}`, type: body.startsWith('mutation') ? 'mutation' : 'query', body }];
  });
}

/** What tells two answers apart: status, data, and each error's message, code and path. */
const answerOf = (response: { status: number; body: { data?: unknown; errors?: { message: string; path?: unknown; extensions?: { code?: string } }[] } }) => ({
  status: response.status,
  data: response.body.data ?? null,
  errors: (response.body.errors ?? []).map((e) => ({ message: e.message, code: e.extensions?.code, path: e.path })),
});

describe('cross-tenant probe matrix over every root field (SPEC H3, G2, G3)', () => {
  let stack: TestStack;
  const fixtures = {} as Record<FixtureObject, string>;
  const probes: Probe[] = [
    { name: 'parent admin', kind: 'USER', memberships: [{ accountKey: 'hq', role: 'ADMIN' }], positions: { own: 'hq', descendant: 'north', 'other tenant': 'acme' } },
    { name: 'sub-account admin', kind: 'USER', memberships: [{ accountKey: 'north', role: 'ADMIN' }], positions: { own: 'north', ancestor: 'hq', descendant: 'store-n1', sibling: 'south', 'other tenant': 'acme' } },
    {
      name: 'advanced user',
      kind: 'USER',
      memberships: [{ accountKey: 'store-n1', role: 'ADVANCED_USER' }],
      positions: { own: 'store-n1', ancestor: 'north', descendant: 'store-n1-marketing', sibling: 'store-n2', 'other tenant': 'acme' },
    },
    {
      name: 'basic user',
      kind: 'USER',
      memberships: [{ accountKey: 'store-n1-marketing', role: 'BASIC_USER' }],
      positions: { own: 'store-n1-marketing', ancestor: 'store-n1', sibling: 'store-n1-sales-support', 'other tenant': 'acme' },
    },
    {
      name: 'guest (admin of another tenant)',
      kind: 'USER',
      memberships: [
        { accountKey: 'acme', role: 'ADMIN' },
        { accountKey: 'store-s1', role: 'ADVANCED_USER' },
      ],
      positions: { own: 'store-s1', ancestor: 'south', descendant: 'store-s1-marketing', sibling: 'store-s2', 'other tenant': 'north' },
    },
    { name: 'API key of a sub-account', kind: 'API_KEY', memberships: [{ accountKey: 'north', role: 'ADMIN' }], positions: { own: 'north', ancestor: 'hq', descendant: 'store-n1', sibling: 'south', 'other tenant': 'acme' } },
    {
      name: 'partner app key',
      kind: 'PARTNER',
      memberships: [{ accountKey: 'north', role: 'ADMIN' }],
      positions: { own: 'north', ancestor: 'hq', descendant: 'store-n1', sibling: 'south', 'other tenant': 'acme' },
    },
    { name: 'anonymous', kind: 'ANONYMOUS', memberships: [], positions: { 'other tenant': 'hq' } },
    // The platform operator (OPERATOR_ADMIN): every operator operation; no customer mutation; its reads of customer fields are the operator suite's.
    { name: 'operator', kind: 'OPERATOR', memberships: [], positions: { 'other tenant': 'acme', own: 'hq' } },
  ];

  beforeAll(async () => {
    stack = await startTestStack();
    const userEmails: Record<string, string> = {
      'parent admin': 'hq.admin@retail.example',
      'sub-account admin': 'north.admin@retail.example',
      'advanced user': 'n1.advanced@retail.example',
      'basic user': 'n1.marketing@retail.example',
      'guest (admin of another tenant)': 'accountant@acme.example',
    };
    probes.find((p) => p.kind === 'OPERATOR')!.token = await stack.loginOperator();
    for (const probe of probes) {
      if (probe.kind === 'OPERATOR') continue;
      probe.ownAccountId = probe.positions.own ? demoAccount(probe.positions.own).id : undefined;
      if (userEmails[probe.name]) probe.token = await stack.login(userEmails[probe.name], probe.name.startsWith('guest') ? { accountId: demoAccount('store-s1').id } : {});
    }
    const northAdmin = probes[1].token!;
    const north = demoAccount('north').id;
    const admin = async (query: string, variables: Record<string, unknown>) => {
      const response = await stack.graphql(query, variables, northAdmin);
      if (!response.data) throw new Error(JSON.stringify(response.errors));
      return response.data;
    };
    probes[5].token = (await admin('mutation($a: ID!) { createApiKey(accountId: $a, name: "matrix", role: ADMIN) { key } }', { a: north })).createApiKey.key;
    const appId = (await admin('mutation($a: ID!) { registerPartnerApp(accountId: $a, name: "matrix") { id } }', { a: north })).registerPartnerApp.id;
    const operations = partnerManifestOperations();
    await admin('mutation($app: ID!, $m: JSON!) { uploadPartnerManifest(appId: $app, manifest: $m) { version } }', {
      app: appId,
      m: { format: 'apollo-persisted-query-manifest', version: 1, operations },
    });
    probes[6].token = (await admin('mutation($a: ID!, $app: ID) { createApiKey(accountId: $a, name: "partner", role: ADMIN, partnerAppId: $app) { key } }', { a: north, app: appId })).createApiKey.key;

    // The existing objects of the invisible-object probes, made by admins of their accounts.
    const as = async (token: string, query: string, variables: Record<string, unknown>) => {
      const response = await stack.graphql(query, variables, token);
      if (!response.data || response.errors) throw new Error(JSON.stringify(response.errors));
      return response.data;
    };
    const hqAdmin = probes[0].token!;
    const acmeAdmin = probes[4].token!;
    const storeN1 = demoAccount(FIXTURE_ACCOUNTS.webhookEndpoint).id;
    fixtures.webhookEndpoint = (
      await as(hqAdmin, 'mutation($a: ID!) { createWebhookEndpoint(input: { accountId: $a, url: "https://93.184.215.14/matrix", eventTypes: ["account.created"] }) { endpoint { id } } }', { a: storeN1 })
    ).createWebhookEndpoint.endpoint.id;
    // A delivery as the dispatcher records it, already SUCCEEDED so that no dispatcher sends it.
    const eventId = crypto.randomUUID();
    await stack.sql.query(
      `INSERT INTO messaging.webhook_events (id, source_schema, type, account_id, account_path, occurred_at, data)
       SELECT $1, 'hierarchy', 'account.created', id, path, now(), '{}' FROM hierarchy.accounts WHERE id = $2`,
      [eventId, storeN1],
    );
    fixtures.webhookDelivery = (
      await stack.sql.query(
        `INSERT INTO messaging.webhook_deliveries (event_id, endpoint_id, status, attempt_count, next_attempt_at, completed_at) VALUES ($1, $2, 'SUCCEEDED', 1, now(), now()) RETURNING id`,
        [eventId, fixtures.webhookEndpoint],
      )
    ).rows[0].id;
    fixtures.automationRule = (
      await as(hqAdmin, 'mutation($a: ID!) { createAutomationRule(accountId: $a, input: { name: "Matrix", keyword: "MATRIX", action: AUTO_REPLY, replyBody: "probe" }) { id } }', { a: storeN1 })
    ).createAutomationRule.id;
    await as(hqAdmin, 'mutation($a: ID!) { updateAccountSettings(id: $a, input: { emailToSmsEnabled: true }) { id } }', { a: storeN1 });
    fixtures.emailToSmsSender = (await as(hqAdmin, 'mutation($a: ID!) { registerEmailToSmsSender(accountId: $a, email: "matrix@retail.example") { id } }', { a: storeN1 })).registerEmailToSmsSender.id;
    fixtures.contactGroup = (await as(hqAdmin, 'mutation($a: ID!) { createContactGroup(accountId: $a, name: "Matrix") { id } }', { a: storeN1 })).createContactGroup.id;
    fixtures.contact = (
      await as(acmeAdmin, 'mutation($a: ID!) { createContact(accountId: $a, input: { phoneNumber: "+447400123499" }) { id } }', { a: demoAccount(FIXTURE_ACCOUNTS.contact).id })
    ).createContact.id;
  });
  afterAll(() => stack?.close());

  const send = (probe: Probe, fieldName: string, document: string, variables: Record<string, unknown>) =>
    request(stack.gatewayUrl, {
      body: probe.kind === 'PARTNER' ? { variables, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(named(fieldName, document)) } } } : { query: document, variables },
      headers: probe.token ? { authorization: `Bearer ${probe.token}` } : {},
    });

  it('every root field of the supergraph (minus @inaccessible) has an expectation, and no expectation names a removed field', () => {
    // Arrange
    const document = parse(readCommittedSupergraph());
    const rootFields = document.definitions
      .filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && (d.name.value === 'Query' || d.name.value === 'Mutation'))
      .flatMap((d) => (d.fields ?? []).filter((f) => !f.directives?.some((x) => x.name.value === 'inaccessible')).map((f) => f.name.value));

    // Act
    const missing = rootFields.filter((name) => !(name in ROOT_FIELDS));
    const stale = Object.keys(ROOT_FIELDS).filter((name) => !rootFields.includes(name));

    // Assert
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  it('partner keys are refused any query text, whatever the field', async () => {
    // Act
    const response = await request(stack.gatewayUrl, { body: { query: ROOT_FIELDS.account.kind === 'account' ? ROOT_FIELDS.account.document : '', variables: { target: probes[6].ownAccountId } }, headers: { authorization: `Bearer ${probes[6].token}` } });

    // Assert
    expect(response.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_REQUIRED');
  });

  /** A customer query, which an operator reads in full (its answers are the operator suite's to check, not this oracle's). */
  const isCustomerQuery = (field: FieldExpectation) =>
    'document' in field && !field.document.startsWith('mutation') && !('rule' in field && (field.rule === 'operator' || field.rule === 'operatorAdmin'));
  const cases = Object.entries(ROOT_FIELDS)
    .filter(([, field]) => field.kind !== 'not-probed')
    .flatMap(([fieldName, field]) => probes.filter((probe) => probe.kind !== 'OPERATOR' || !isCustomerQuery(field)).map((probe) => [fieldName, probe.name] as const));

  it.each(cases)('%s × %s', async (fieldName, probeName) => {
    const field = ROOT_FIELDS[fieldName];
    const probe = probes.find((p) => p.name === probeName)!;
    const visible = visibleAccountIds(probe);
    const outcomes: string[] = [];

    const check = (label: string, response: Awaited<ReturnType<typeof send>>, allowed: boolean, assertAnswer: boolean, alsoRefused: string[] = []) => {
      const codes = (response.body.errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code);
      const text = JSON.stringify(response.body);
      const foreignIds = DEMO_ACCOUNTS.filter((a) => !visible.has(a.id) && text.includes(a.id)).map((a) => a.key);
      if (PHONE_NUMBER.test(text)) outcomes.push(`${label}: phone number in response`);
      if (!allowed) {
        // A refusal is an error with a refusal code, or a nullable field answering null ("not found").
        const nulls = response.body.data && Object.values(response.body.data).every((value) => value === null);
        const refused = codes.length > 0 ? codes.every((code: string) => REFUSALS.includes(code) || alsoRefused.includes(code)) : Boolean(nulls);
        const leaked = response.body.data && !nulls;
        if (!refused || leaked) outcomes.push(`${label}: expected a refusal, got ${text.slice(0, 300)}`);
        // The probed id itself is echoed in nothing but the refusal.
        if (foreignIds.length) outcomes.push(`${label}: foreign ids ${foreignIds.join(',')}`);
      } else if (assertAnswer) {
        if (codes.length) outcomes.push(`${label}: expected an answer, got ${codes.join(',')}`);
        if (foreignIds.length) outcomes.push(`${label}: foreign ids ${foreignIds.join(',')}`);
      }
    };

    if (field.kind === 'account') {
      for (const [position, accountKey] of Object.entries(probe.positions)) {
        const allowed = oracle(probe, field.rule, accountKey);
        if (allowed && !field.query) continue; // allowed mutations are not executed (see the header comment)
        const target = demoAccount(accountKey!).id;
        const response = await send(probe, fieldName, field.document, field.variables ? field.variables(target, probe) : { target });
        check(`${position} (${accountKey})`, response, allowed, Boolean(field.query));
      }
    } else if (field.kind === 'unknown-object') {
      const response = await send(probe, fieldName, field.document, field.variables(crypto.randomUUID()));
      check('unknown id', response, false, false, field.alsoRefusedWith);
      const invisible = field.invisible;
      // An operator sees every object (nothing to hide from them); only customers must not tell an invisible object from none.
      if (invisible && probe.kind !== 'OPERATOR' && !oracle(probe, invisible.rule, FIXTURE_ACCOUNTS[invisible.object])) {
        const existing = await send(probe, fieldName, field.document, field.variables(fixtures[invisible.object]));
        check(`invisible ${invisible.object}`, existing, false, false, field.alsoRefusedWith);
        const [seen, unknown] = [JSON.stringify(answerOf(existing)), JSON.stringify(answerOf(response))];
        if (seen !== unknown) outcomes.push(`invisible ${invisible.object}: answers ${seen.slice(0, 300)} where an unknown id answers ${unknown.slice(0, 300)}`);
      }
    } else if (field.kind === 'untargeted') {
      const response = await send(probe, fieldName, field.document, {});
      check('no target', response, oracle(probe, field.rule), true);
    }

    expect(outcomes).toEqual([]);
  });

  it('invisible-object probes include signed-in principals that see the object\'s account but may not see the object, and ones that do not see the account', () => {
    // Arrange
    const withInvisible = Object.entries(ROOT_FIELDS).filter((entry): entry is [string, UnknownObjectField & { invisible: NonNullable<UnknownObjectField['invisible']> }] =>
      entry[1].kind === 'unknown-object' && entry[1].invisible !== undefined,
    );

    // Act
    const probedBy = (rule: Rule, object: FixtureObject, sees: boolean) =>
      probes.filter((p) => p.kind !== 'ANONYMOUS' && !oracle(p, rule, FIXTURE_ACCOUNTS[object]) && oracle(p, 'visible', FIXTURE_ACCOUNTS[object]) === sees).map((p) => p.name);

    // Assert
    expect(withInvisible.map(([name]) => name)).toEqual(expect.arrayContaining(['webhookEndpoint', 'updateWebhookEndpoint', 'rotateWebhookSecret', 'disableWebhookEndpoint', 'enableWebhookEndpoint', 'deleteWebhookEndpoint', 'replayWebhookDelivery']));
    for (const [, field] of withInvisible) {
      expect(probedBy(field.invisible.rule, field.invisible.object, false).length).toBeGreaterThan(0);
      if (field.invisible.rule !== 'visible') expect(probedBy(field.invisible.rule, field.invisible.object, true).length).toBeGreaterThan(0);
    }
  });

  it('fields not probed here say why', () => {
    // Act
    const notProbed = Object.entries(ROOT_FIELDS).filter(([, field]) => field.kind === 'not-probed');

    // Assert
    for (const [, field] of notProbed) expect((field as NotProbedField).reason.length).toBeGreaterThan(20);
    expect(notProbed.map(([name]) => name).sort()).toEqual(['login', 'logout', 'operatorLogin', 'operatorLogout', 'operatorMe']);
  });
});
