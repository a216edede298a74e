/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Accounts of a tree that match every criterion given */
export type AccountFilter = {
  /** Only accounts at this depth (Account.depth: 0 is a parent account) */
  depth?: number | null | undefined;
  /** Only accounts at this depth or above (Account.depth <= maxDepth) */
  maxDepth?: number | null | undefined;
  /** Part of the name, case-insensitive */
  nameContains?: string | null | undefined;
  status?: AccountStatus | null | undefined;
};

/** Only the fields given change; keys listed in clear go back to inheriting */
export type AccountSettingsInput = {
  allowDuplicateContacts?: boolean | null | undefined;
  clear?: Array<SettingKey> | null | undefined;
  defaultSenderId?: string | number | null | undefined;
  defaultTemplateId?: string | number | null | undefined;
  deliveryReceipts?: boolean | null | undefined;
  emailToSmsEnabled?: boolean | null | undefined;
  name?: string | null | undefined;
  optOutKeywords?: Array<string> | null | undefined;
  sendingWindow?: SendingWindowInput | null | undefined;
  smsLimits?: SmsLimitsInput | null | undefined;
  timezone?: string | null | undefined;
  trackableLinks?: boolean | null | undefined;
};

export type AccountStatus =
  | 'ACTIVE'
  | 'CLOSED'
  | 'SUSPENDED';

export type ActivityLogFilter = {
  action?: string | null | undefined;
  actorId?: string | number | null | undefined;
  /** inclusive from, exclusive to */
  from?: string | null | undefined;
  includeDescendants?: boolean | null | undefined;
  to?: string | null | undefined;
};

export type BillingMode =
  | 'POSTPAID'
  | 'PREPAID';

export type BillingPayer =
  /** An ancestor pays (payingAccount names it only to callers who can see it) */
  | 'ANCESTOR'
  /** No account of the chain has a balance yet */
  | 'NONE'
  /** The account pays from its own balance */
  | 'SELF';

export type ContactAccessMode =
  /** Every contact group of the account */
  | 'ALL'
  /** Only the groups listed */
  | 'SELECTED';

export type ContactGroupAccess =
  /** May see, edit, send to and delete the group's contacts */
  | 'FULL'
  /** May send to the group but never sees its phone numbers, nor reports containing them */
  | 'RESTRICTED';

export type ContactGroupGrantInput = {
  access: ContactGroupAccess;
  groupId: string | number;
};

export type ContactGroupUpdate = {
  addContactIds?: Array<string | number> | null | undefined;
  name?: string | null | undefined;
  removeContactIds?: Array<string | number> | null | undefined;
  sharedAccess?: GroupShareAccess | null | undefined;
};

/** SPEC M5, issue 14: where a contact import is */
export type ContactImportStatus =
  /** Every row read: imported, merged or rejected */
  | 'COMPLETED'
  /** Stopped on an error (errorCode); no contact of it was written */
  | 'FAILED'
  /** Its CSV is being read and written; the counts grow */
  | 'PROCESSING'
  /** Started; its CSV has not been uploaded yet */
  | 'WAITING';

export type ContactInput = {
  defaultCountry?: string | null | undefined;
  email?: string | null | undefined;
  firstName?: string | null | undefined;
  groupIds?: Array<string | number> | null | undefined;
  lastName?: string | null | undefined;
  phoneNumber?: string | null | undefined;
};

export type CreateSubAccountInput = {
  name: string;
  parentId: string | number;
};

export type CreateWebhookEndpointInput = {
  accountId: string | number;
  description?: string | null | undefined;
  eventTypes: Array<string>;
  includeSubAccounts?: boolean | null | undefined;
  /** https (http only to a loopback receiver in development); private, link-local and metadata addresses are refused */
  url: string;
};

/** How a group is shared down the tree (SPEC M5) */
export type GroupShareAccess =
  | 'READ'
  | 'READ_SEND';

export type InvitationStatus =
  | 'ACCEPTED'
  | 'DECLINED'
  | 'EXPIRED'
  | 'PENDING'
  | 'REVOKED'
  | 'SENT';

export type InvoiceFormat =
  | 'CSV'
  | 'PDF';

export type InvoiceStatus =
  | 'DRAFT'
  | 'ISSUED'
  | 'PAID';

export type LedgerKind =
  /** A manual credit adjustment by the platform operator (goodwill credit, correction), with its reason */
  | 'ADJUSTMENT'
  | 'CREDIT_CEILING'
  | 'INVOICE_PAYMENT'
  | 'OPENING'
  | 'TOP_UP'
  | 'TRANSFER'
  | 'USAGE';

export type MembershipLimitsInput = {
  allSenderIds: boolean;
  /** Required (possibly empty) when allSenderIds is false */
  allowedSenderIds?: Array<string | number> | null | undefined;
  contactAccess: ContactAccessMode;
  /** Required when contactAccess is SELECTED */
  contactGroups?: Array<ContactGroupGrantInput> | null | undefined;
};

export type MembershipStatus =
  | 'ACTIVE'
  | 'INACTIVE';

/** MEMBER: the user's first membership is in this account's tree; GUEST: it is in another tree (SPEC I4, I5) */
export type MembershipType =
  | 'GUEST'
  | 'MEMBER';

/** SPEC M3 */
export type MessageStatus =
  | 'CANCELLED'
  | 'DELIVERED'
  | 'EXPIRED'
  | 'FAILED'
  | 'QUEUED'
  | 'SCHEDULED'
  | 'SENT';

export type Role =
  | 'ADMIN'
  | 'ADVANCED_USER'
  | 'BASIC_USER';

export type SendBulkInput = {
  accountId: string | number;
  /** a body, or templateId, or neither: the account's default template (SPEC M6) */
  body?: string | null | undefined;
  contactIds?: Array<string | number> | null | undefined;
  defaultCountry?: string | null | undefined;
  groupIds?: Array<string | number> | null | undefined;
  idempotencyKey?: string | null | undefined;
  scheduledAt?: string | null | undefined;
  senderId?: string | number | null | undefined;
  /** placeholders are filled per recipient (contacts and group members) */
  templateId?: string | number | null | undefined;
  to?: Array<string> | null | undefined;
};

/** SPEC M7; the shared number pool is the default when no sender ID is named */
export type SenderIdKind =
  | 'ALPHANUMERIC'
  | 'DEDICATED_NUMBER'
  | 'PERSONAL_NUMBER'
  | 'SHORT_CODE';

export type SenderIdRequest = {
  kind: SenderIdKind;
  sharedDown?: boolean | null | undefined;
  value: string;
};

export type SenderIdStatus =
  | 'ACTIVE'
  | 'PENDING_VERIFICATION'
  | 'REJECTED'
  | 'REQUESTED'
  | 'RETIRED';

export type SendingWindowInput = {
  days: Array<Weekday>;
  end: string;
  start: string;
};

export type SettingKey =
  | 'ALLOW_DUPLICATE_CONTACTS'
  | 'DEFAULT_SENDER_ID'
  | 'DEFAULT_TEMPLATE_ID'
  | 'DELIVERY_RECEIPTS'
  | 'EMAIL_TO_SMS_ENABLED'
  | 'OPT_OUT_KEYWORDS'
  | 'SENDING_WINDOW'
  | 'SMS_LIMITS'
  | 'TIMEZONE'
  | 'TRACKABLE_LINKS';

export type SettingSource =
  | 'DEFAULT'
  | 'INHERITED'
  | 'OWN';

export type SmsEncoding =
  | 'GSM7'
  | 'UCS2';

export type SmsLimitsInput = {
  daily?: number | null | undefined;
  monthly?: number | null | undefined;
};

export type TopUpInput = {
  accountId: string | number;
  idempotencyKey: string;
  /** Default: the account's default payment method */
  paymentMethodId?: string | number | null | undefined;
  units: number;
};

export type TopUpStatus =
  | 'DECLINED'
  | 'PENDING'
  | 'SUCCEEDED';

export type UsageGroupBy =
  /** The child of the queried account on the path to the sending account; the account's own messages have no child */
  | 'CHILD_ACCOUNT'
  | 'DAY'
  /** YYYY-MM */
  | 'MONTH'
  | 'SENDER_ID'
  | 'USER';

/** ALL: every message of the range; OWN: only the caller's own messages (basic users, SPEC R2) */
export type UsageScope =
  | 'ALL'
  | 'OWN';

/** Who is calling */
export type ViewerKind =
  /** An API key (a partner app or script) */
  | 'API_KEY'
  /** A signed-in user */
  | 'USER';

export type WebhookDeliveryStatus =
  /** Given up: every attempt failed, or the receiver answered 410 */
  | 'FAILED'
  /** Waiting for its next attempt (nextAttemptAt) */
  | 'PENDING'
  | 'SUCCEEDED';

export type WebhookEndpointStatus =
  | 'ACTIVE'
  /** Deliveries stop; see disabledReason (GONE: the receiver answered 410; PERSISTENT_FAILURE: every attempt of a delivery failed; MANUAL) */
  | 'DISABLED';

export type Weekday =
  | 'FRIDAY'
  | 'MONDAY'
  | 'SATURDAY'
  | 'SUNDAY'
  | 'THURSDAY'
  | 'TUESDAY'
  | 'WEDNESDAY';

export type PortalLoginMutationVariables = Exact<{
  email: string;
  password: string;
  accountId?: string | number | null | undefined;
}>;


export type PortalLoginMutation = { login: { token: string, expiresAt: string } };

export type PortalBeginSsoLoginMutationVariables = Exact<{
  email: string;
  redirectUri: string;
}>;


export type PortalBeginSsoLoginMutation = { beginSsoLogin: { authorizationUrl: string, state: string } };

export type PortalLoginWithSsoMutationVariables = Exact<{
  idToken: string;
  state: string;
}>;


export type PortalLoginWithSsoMutation = { loginWithSso: { token: string, expiresAt: string } };

export type PortalAcceptInvitationMutationVariables = Exact<{
  token: string;
  name?: string | null | undefined;
  password?: string | null | undefined;
}>;


export type PortalAcceptInvitationMutation = { acceptInvitation: { token: string, expiresAt: string } };

export type PortalSwitchAccountMutationVariables = Exact<{
  accountId: string | number;
}>;


export type PortalSwitchAccountMutation = { switchAccount: { token: string, expiresAt: string } };

export type PortalLogoutMutationVariables = Exact<{ [key: string]: never; }>;


export type PortalLogoutMutation = { logout: boolean };

export type PortalViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type PortalViewerQuery = { me: { kind: ViewerKind, user: { id: string, name: string, email: string } | null, activeAccount: { id: string, name: string, depth: number, settings: { timezone: string } } | null, memberships: Array<{ id: string, accountId: string, role: Role, status: MembershipStatus, type: MembershipType, account: { id: string, name: string, depth: number } | null }>, invitations: Array<{ id: string, accountId: string, accountName: string, role: Role, inviterName: string, expiresAt: string }> } };

export type PortalAcceptMyInvitationMutationVariables = Exact<{
  invitationId: string | number;
}>;


export type PortalAcceptMyInvitationMutation = { acceptMyInvitation: { token: string } };

export type PortalDeclineMyInvitationMutationVariables = Exact<{
  invitationId: string | number;
}>;


export type PortalDeclineMyInvitationMutation = { declineMyInvitation: { id: string, status: InvitationStatus } };

export type PortalAccountsQueryVariables = Exact<{
  rootId?: string | number | null | undefined;
  filter?: AccountFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  from: string;
  to: string;
}>;


export type PortalAccountsQuery = { accounts: { totalCount: number, nodes: Array<{ id: string, name: string, depth: number, status: AccountStatus, effectiveStatus: AccountStatus, childCount: number, balance: number | null, parent: { id: string } | null, ancestors: Array<{ id: string, name: string }>, usage: { totals: { messages: number } } | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type PortalAccountChildrenQueryVariables = Exact<{
  id: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
  from: string;
  to: string;
}>;


export type PortalAccountChildrenQuery = { account: { id: string, children: { nodes: Array<{ id: string, name: string, depth: number, status: AccountStatus, effectiveStatus: AccountStatus, childCount: number, balance: number | null, parent: { id: string } | null, ancestors: Array<{ id: string, name: string }>, usage: { totals: { messages: number } } | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } | null };

export type PortalAccountDetailQueryVariables = Exact<{
  id: string | number;
}>;


export type PortalAccountDetailQuery = { account: { id: string, name: string, depth: number, status: AccountStatus, effectiveStatus: AccountStatus, createdAt: string, childCount: number, parent: { id: string, name: string } | null, ancestors: Array<{ id: string, name: string }>, settings: { timezone: string, optOutKeywords: Array<string>, allowDuplicateContacts: boolean, defaultTemplateId: string | null, defaultSenderId: string | null, trackableLinks: boolean, deliveryReceipts: boolean, emailToSmsEnabled: boolean, sendingWindow: { days: Array<Weekday>, start: string, end: string } | null, smsLimits: { daily: number | null, monthly: number | null }, origins: Array<{ key: SettingKey, source: SettingSource, sourceAccount: { id: string, name: string } | null }> } } | null, me: { permissionsOn: Array<string> } };

export type PortalCreateSubAccountMutationVariables = Exact<{
  input: CreateSubAccountInput;
}>;


export type PortalCreateSubAccountMutation = { createSubAccount: { id: string, name: string, depth: number } };

export type PortalUpdateAccountSettingsMutationVariables = Exact<{
  id: string | number;
  input: AccountSettingsInput;
}>;


export type PortalUpdateAccountSettingsMutation = { updateAccountSettings: { id: string, name: string } };

export type PortalMoveAccountMutationVariables = Exact<{
  id: string | number;
  newParentId: string | number;
}>;


export type PortalMoveAccountMutation = { moveAccount: { id: string, depth: number } };

export type PortalSuspendAccountMutationVariables = Exact<{
  id: string | number;
}>;


export type PortalSuspendAccountMutation = { suspendAccount: { id: string, status: AccountStatus } };

export type PortalResumeAccountMutationVariables = Exact<{
  id: string | number;
}>;


export type PortalResumeAccountMutation = { resumeAccount: { id: string, status: AccountStatus } };

export type PortalCloseAccountMutationVariables = Exact<{
  id: string | number;
  cascade?: boolean | null | undefined;
}>;


export type PortalCloseAccountMutation = { closeAccount: { id: string, status: AccountStatus } };

export type PortalPermissionsQueryVariables = Exact<{
  accountId: string | number;
}>;


export type PortalPermissionsQuery = { me: { permissionsOn: Array<string> } };

export type PortalUsersQueryVariables = Exact<{
  accountId: string | number;
  after?: string | null | undefined;
}>;


export type PortalUsersQuery = { permissionCatalogue: Array<string>, account: { id: string, name: string, ancestors: Array<{ id: string, name: string }>, settings: { timezone: string }, members: { totalCount: number, nodes: Array<{ id: string, userId: string, accountId: string, role: Role, status: MembershipStatus, type: MembershipType, createdAt: string, user: { id: string, name: string, email: string }, credit: { limit: number, renewalAmount: number | null, spent: number, remaining: number } | null, limits: { allSenderIds: boolean, allowedSenderIds: Array<string>, contactAccess: ContactAccessMode, contactGroups: Array<{ groupId: string, access: ContactGroupAccess }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null, invitations: { totalCount: number, nodes: Array<{ id: string, email: string, role: Role, status: InvitationStatus, grantedPermissions: Array<string>, createdAt: string, expiresAt: string }> } | null } | null, me: { permissionsOn: Array<string> } };

export type PortalInviteUserWithPermissionsMutationVariables = Exact<{
  accountId: string | number;
  email: string;
  role: Role;
  permissions?: Array<string> | string | null | undefined;
}>;


export type PortalInviteUserWithPermissionsMutation = { inviteUser: { id: string, email: string, role: Role, status: InvitationStatus } };

export type PortalRevokeInvitationMutationVariables = Exact<{
  invitationId: string | number;
}>;


export type PortalRevokeInvitationMutation = { revokeInvitation: { id: string, status: InvitationStatus } };

export type PortalDeactivateMembershipMutationVariables = Exact<{
  membershipId: string | number;
}>;


export type PortalDeactivateMembershipMutation = { deactivateMembership: { id: string, status: MembershipStatus } };

export type PortalReactivateMembershipMutationVariables = Exact<{
  membershipId: string | number;
}>;


export type PortalReactivateMembershipMutation = { reactivateMembership: { id: string, status: MembershipStatus } };

export type PortalSetUserCreditLimitMutationVariables = Exact<{
  accountId: string | number;
  userId: string | number;
  limit?: number | null | undefined;
  renewalAmount?: number | null | undefined;
}>;


export type PortalSetUserCreditLimitMutation = { setUserCreditLimit: { limit: number, renewalAmount: number | null, spent: number, remaining: number } | null };

export type PortalSenderOptionFragment = { id: string, kind: SenderIdKind, value: string, status: SenderIdStatus };

export type PortalLimitOptionsQueryVariables = Exact<{
  accountId: string | number;
}>;


export type PortalLimitOptionsQuery = { senderIds: { nodes: Array<{ id: string, kind: SenderIdKind, value: string, status: SenderIdStatus }> }, contactGroups: { nodes: Array<{ id: string, name: string }> } };

export type PortalSettingReferencesQueryVariables = Exact<{
  accountId: string | number;
}>;


export type PortalSettingReferencesQuery = { senderIds: { nodes: Array<{ id: string, kind: SenderIdKind, value: string, status: SenderIdStatus }> }, messageTemplates: { nodes: Array<{ id: string, name: string, inherited: boolean }> } };

export type PortalSetMembershipLimitsMutationVariables = Exact<{
  membershipId: string | number;
  limits: MembershipLimitsInput;
}>;


export type PortalSetMembershipLimitsMutation = { setMembershipLimits: { id: string } };

export type PortalAccountHeadingFragment = { id: string, name: string, ancestors: Array<{ id: string, name: string }>, settings: { timezone: string } };

export type PortalActingAccountFragment = { me: { permissionsOn: Array<string> }, account: { id: string, name: string, depth: number, settings: { timezone: string } } | null };

export type PortalBillingQueryVariables = Exact<{
  accountId: string | number;
}>;


export type PortalBillingQuery = { account: { id: string, name: string, billing: { mode: BillingMode | null, ownBalance: boolean, paidBy: BillingPayer, balance: number, heldUnits: number, creditCeiling: number | null, remainingCredit: number, lowBalanceThreshold: number | null, payingAccount: { id: string, name: string } | null, creditLimit: { limit: number, spent: number, remaining: number } | null, autoTopUp: { threshold: number, units: number, paymentMethod: { id: string, brand: string, last4: string } | null } | null } | null, paymentMethods: Array<{ id: string, brand: string, last4: string, isDefault: boolean, createdAt: string }> | null, invoices: { nodes: Array<{ id: string, period: string, status: InvoiceStatus, currency: string, units: number, total: number, issuedAt: string | null, paidAt: string | null }> } | null, ancestors: Array<{ id: string, name: string }>, settings: { timezone: string } } | null, me: { permissionsOn: Array<string> } };

export type PortalLedgerQueryVariables = Exact<{
  accountId: string | number;
  after?: string | null | undefined;
}>;


export type PortalLedgerQuery = { account: { id: string, ledger: { totalCount: number, nodes: Array<{ id: string, kind: LedgerKind, units: number, balanceAfter: number, reference: string | null, reason: string | null, createdAt: string, spendingAccount: { id: string, name: string } | null, user: { id: string, name: string } | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null } | null };

export type PortalTopUpMutationVariables = Exact<{
  input: TopUpInput;
}>;


export type PortalTopUpMutation = { topUp: { id: string, status: TopUpStatus, units: number } };

export type PortalSetAutoTopUpMutationVariables = Exact<{
  accountId: string | number;
  threshold?: number | null | undefined;
  units?: number | null | undefined;
  paymentMethodId?: string | number | null | undefined;
}>;


export type PortalSetAutoTopUpMutation = { setAutoTopUp: { id: string } };

export type PortalSetLowBalanceThresholdMutationVariables = Exact<{
  accountId: string | number;
  threshold?: number | null | undefined;
}>;


export type PortalSetLowBalanceThresholdMutation = { setLowBalanceThreshold: { id: string } };

export type PortalAddPaymentMethodMutationVariables = Exact<{
  accountId: string | number;
  providerToken: string;
  brand: string;
  last4: string;
  makeDefault?: boolean | null | undefined;
}>;


export type PortalAddPaymentMethodMutation = { addPaymentMethod: { id: string } };

export type PortalSetDefaultPaymentMethodMutationVariables = Exact<{
  accountId: string | number;
  paymentMethodId: string | number;
}>;


export type PortalSetDefaultPaymentMethodMutation = { setDefaultPaymentMethod: { id: string } };

export type PortalRemovePaymentMethodMutationVariables = Exact<{
  accountId: string | number;
  paymentMethodId: string | number;
}>;


export type PortalRemovePaymentMethodMutation = { removePaymentMethod: boolean };

export type PortalInvoiceDownloadQueryVariables = Exact<{
  id: string | number;
  format: InvoiceFormat;
}>;


export type PortalInvoiceDownloadQuery = { invoice: { id: string, download: { url: string, filename: string } } | null };

export type PortalContactsQueryVariables = Exact<{
  accountId: string | number;
  groupId?: string | number | null | undefined;
  search?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type PortalContactsQuery = { contacts: { totalCount: number, nodes: Array<{ id: string, accountId: string, phoneNumber: string, firstName: string | null, lastName: string | null, email: string | null, optedOut: boolean, groupIds: Array<string>, editable: boolean, createdAt: string }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } }, me: { permissionsOn: Array<string> }, account: { id: string, name: string, depth: number, settings: { timezone: string } } | null };

export type PortalContactGroupsQueryVariables = Exact<{
  accountId: string | number;
  search?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type PortalContactGroupsQuery = { contactGroups: { totalCount: number, nodes: Array<{ id: string, accountId: string, name: string, sharedAccess: GroupShareAccess | null, contactCount: number, createdAt: string }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type PortalCreateContactMutationVariables = Exact<{
  accountId: string | number;
  input: ContactInput;
}>;


export type PortalCreateContactMutation = { createContact: { id: string } };

export type PortalCreateContactGroupMutationVariables = Exact<{
  accountId: string | number;
  name: string;
  sharedAccess?: GroupShareAccess | null | undefined;
}>;


export type PortalCreateContactGroupMutation = { createContactGroup: { id: string } };

export type PortalShareContactGroupMutationVariables = Exact<{
  id: string | number;
  input: ContactGroupUpdate;
}>;


export type PortalShareContactGroupMutation = { updateContactGroup: { id: string, sharedAccess: GroupShareAccess | null } };

export type PortalStartContactImportMutationVariables = Exact<{
  accountId: string | number;
  groupId?: string | number | null | undefined;
}>;


export type PortalStartContactImportMutation = { startContactImport: { uploadUrl: string, expiresAt: string, job: { id: string } } };

export type PortalImportJobQueryVariables = Exact<{
  id: string | number;
}>;


export type PortalImportJobQuery = { importJob: { id: string, status: ContactImportStatus, processed: number, imported: number, merged: number, rejected: number, errorCode: string | null, errorMessage: string | null, rejections: Array<{ line: number, code: string, reason: string }> } | null };

export type PortalDevelopersAccountQueryVariables = Exact<{
  accountId: string | number;
}>;


export type PortalDevelopersAccountQuery = { account: { id: string, name: string, members: { nodes: Array<{ userId: string, user: { id: string, name: string } }> } | null, ancestors: Array<{ id: string, name: string }>, settings: { timezone: string } } | null, me: { permissionsOn: Array<string> } };

export type PortalApiKeysQueryVariables = Exact<{
  accountId: string | number;
  after?: string | null | undefined;
}>;


export type PortalApiKeysQuery = { account: { id: string, apiKeys: { totalCount: number, nodes: Array<{ id: string, name: string, prefix: string, role: Role | null, permissions: Array<string>, createdAt: string, expiresAt: string | null, revokedAt: string | null, lastUsedAt: string | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null } | null };

export type PortalCreateApiKeyMutationVariables = Exact<{
  accountId: string | number;
  name: string;
  role?: Role | null | undefined;
}>;


export type PortalCreateApiKeyMutation = { createApiKey: { key: string, apiKey: { id: string, name: string, prefix: string } } };

export type PortalRevokeApiKeyMutationVariables = Exact<{
  id: string | number;
}>;


export type PortalRevokeApiKeyMutation = { revokeApiKey: { id: string, revokedAt: string | null } };

export type PortalWebhooksQueryVariables = Exact<{
  accountId: string | number;
}>;


export type PortalWebhooksQuery = { webhookEventTypes: Array<{ type: string, description: string }>, webhookEndpoints: { nodes: Array<{ id: string, url: string, description: string | null, eventTypes: Array<string>, includeSubAccounts: boolean, status: WebhookEndpointStatus, disabledReason: string | null, secretRotatedAt: string | null, previousSecretExpiresAt: string | null, lastSuccessAt: string | null, createdAt: string }> } };

export type PortalWebhookDeliveriesQueryVariables = Exact<{
  id: string | number;
  after?: string | null | undefined;
}>;


export type PortalWebhookDeliveriesQuery = { webhookEndpoint: { id: string, deliveries: { nodes: Array<{ id: string, webhookId: string, eventType: string, status: WebhookDeliveryStatus, attemptCount: number, nextAttemptAt: string | null, lastResponseStatus: number | null, lastError: string | null, createdAt: string, completedAt: string | null, attempts: { nodes: Array<{ number: number, attemptedAt: string, latencyMs: number, responseStatus: number | null, succeeded: boolean, error: string | null }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } };

export type PortalCreateWebhookEndpointMutationVariables = Exact<{
  input: CreateWebhookEndpointInput;
}>;


export type PortalCreateWebhookEndpointMutation = { createWebhookEndpoint: { secret: string, endpoint: { id: string, url: string } } };

export type PortalRotateWebhookSecretMutationVariables = Exact<{
  id: string | number;
}>;


export type PortalRotateWebhookSecretMutation = { rotateWebhookSecret: { secret: string, endpoint: { id: string, previousSecretExpiresAt: string | null } } };

export type PortalDisableWebhookEndpointMutationVariables = Exact<{
  id: string | number;
}>;


export type PortalDisableWebhookEndpointMutation = { disableWebhookEndpoint: { id: string, status: WebhookEndpointStatus } };

export type PortalEnableWebhookEndpointMutationVariables = Exact<{
  id: string | number;
}>;


export type PortalEnableWebhookEndpointMutation = { enableWebhookEndpoint: { id: string, status: WebhookEndpointStatus } };

export type PortalDeleteWebhookEndpointMutationVariables = Exact<{
  id: string | number;
}>;


export type PortalDeleteWebhookEndpointMutation = { deleteWebhookEndpoint: boolean };

export type PortalReplayWebhookDeliveryMutationVariables = Exact<{
  id: string | number;
}>;


export type PortalReplayWebhookDeliveryMutation = { replayWebhookDelivery: { id: string, status: WebhookDeliveryStatus } };

export type PortalActivityLogQueryVariables = Exact<{
  accountId: string | number;
  filter?: ActivityLogFilter | null | undefined;
  after?: string | null | undefined;
}>;


export type PortalActivityLogQuery = { activityLog: { totalCount: number, nodes: Array<{ id: string, source: string, occurredAt: string, action: string, actorKind: string, actorId: string | null, actingAccountId: string | null, targetAccountId: string | null, targetType: string | null, targetId: string | null, before: unknown, after: unknown, actor: { id: string, name: string, email: string } | null, targetAccount: { id: string, name: string } | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type PortalInboxQueryVariables = Exact<{
  accountId: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type PortalInboxQuery = { inbox: { nodes: Array<{ id: string, phoneNumber: string, lastMessageAt: string }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } }, me: { permissionsOn: Array<string> }, account: { id: string, name: string, depth: number, settings: { timezone: string } } | null };

export type PortalConversationQueryVariables = Exact<{
  id: string | number;
}>;


export type PortalConversationQuery = { conversation: { id: string, phoneNumber: string, lastMessageAt: string, messages: { nodes: Array<{ id: string, direction: string, body: string, status: MessageStatus | null, at: string }> } } };

export type PortalReplyToConversationMutationVariables = Exact<{
  conversationId: string | number;
  body: string;
  idempotencyKey?: string | null | undefined;
}>;


export type PortalReplyToConversationMutation = { replyToConversation: { batchId: string, accepted: number, status: MessageStatus, sendAt: string, skipped: Array<{ recipient: string, reason: string }> } };

export type PortalSenderIdsQueryVariables = Exact<{
  accountId: string | number;
  after?: string | null | undefined;
}>;


export type PortalSenderIdsQuery = { senderIds: { nodes: Array<{ id: string, accountId: string, kind: SenderIdKind, value: string, status: SenderIdStatus, sharedDown: boolean, rejectionReason: string | null, createdAt: string }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } }, me: { permissionsOn: Array<string> }, account: { id: string, name: string, depth: number, settings: { timezone: string } } | null };

export type PortalRequestSenderIdMutationVariables = Exact<{
  accountId: string | number;
  input: SenderIdRequest;
}>;


export type PortalRequestSenderIdMutation = { requestSenderId: { id: string, status: SenderIdStatus } };

export type PortalVerifySenderIdMutationVariables = Exact<{
  id: string | number;
  code: string;
}>;


export type PortalVerifySenderIdMutation = { verifySenderId: { id: string, status: SenderIdStatus } };

export type PortalSendOptionsQueryVariables = Exact<{
  accountId: string | number;
}>;


export type PortalSendOptionsQuery = { senderIds: { nodes: Array<{ id: string, kind: SenderIdKind, value: string, status: SenderIdStatus }> }, contactGroups: { nodes: Array<{ id: string, name: string, contactCount: number }> }, messageTemplates: { nodes: Array<{ id: string, name: string, body: string }> }, me: { permissionsOn: Array<string> }, account: { id: string, name: string, depth: number, settings: { timezone: string } } | null };

export type PortalSmsPartsQueryVariables = Exact<{
  body: string;
}>;


export type PortalSmsPartsQuery = { smsParts: { encoding: SmsEncoding, parts: number, length: number, costUnits: number } };

export type PortalSendBulkMutationVariables = Exact<{
  input: SendBulkInput;
}>;


export type PortalSendBulkMutation = { sendBulk: { batchId: string, accepted: number, status: MessageStatus, sendAt: string, encoding: SmsEncoding, partsPerMessage: number, costUnits: number, skipped: Array<{ recipient: string, reason: string }> } };

export type PortalUsageQueryVariables = Exact<{
  accountId: string | number;
  from: string;
  to: string;
  groupBy?: Array<UsageGroupBy> | UsageGroupBy | null | undefined;
}>;


export type PortalUsageQuery = { account: { id: string, name: string, summary: { from: string, to: string, scope: UsageScope, totals: { messages: number, parts: number, delivered: number, failed: number, costUnits: number } } | null, byDay: { rows: Array<{ day: string | null, messages: number }> } | null, byDayAndChild: { rows: Array<{ day: string | null, messages: number, childAccount: { id: string, name: string } | null }> } | null, table: { groupBy: Array<UsageGroupBy>, rows: Array<{ day: string | null, month: string | null, userId: string | null, senderId: string | null, messages: number, parts: number, delivered: number, failed: number, costUnits: number, childAccount: { id: string, name: string } | null, user: { id: string, name: string, email: string } | null, sender: { id: string, kind: SenderIdKind, value: string } | null }> } | null, ancestors: Array<{ id: string, name: string }>, settings: { timezone: string } } | null, me: { permissionsOn: Array<string> } };

export type PortalCreateUsageExportMutationVariables = Exact<{
  accountId: string | number;
  from: string;
  to: string;
  groupBy?: Array<UsageGroupBy> | UsageGroupBy | null | undefined;
}>;


export type PortalCreateUsageExportMutation = { createUsageExport: { url: string, expiresAt: string } };

export const PortalSenderOptionFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PortalSenderOption"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SenderId"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]} as unknown as DocumentNode<PortalSenderOptionFragment, unknown>;
export const PortalAccountHeadingFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PortalAccountHeading"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Account"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"ancestors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timezone"}}]}}]}}]} as unknown as DocumentNode<PortalAccountHeadingFragment, unknown>;
export const PortalActingAccountFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PortalActingAccount"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Query"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"permissionsOn"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"accountId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"accountId"}}}]}]}},{"kind":"Field","name":{"kind":"Name","value":"account"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"accountId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"depth"}},{"kind":"Field","name":{"kind":"Name","value":"settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timezone"}}]}}]}}]}}]} as unknown as DocumentNode<PortalActingAccountFragment, unknown>;
export const PortalLoginDocument = {"__meta__":{"hash":"sha256:d4458e11d4b41a0be2b72473d97e00a253024e766aae7c5ee4a2b6f45dd25387"}} as unknown as DocumentNode<PortalLoginMutation, PortalLoginMutationVariables>;
export const PortalBeginSsoLoginDocument = {"__meta__":{"hash":"sha256:f6497fa182937c4b959396119d20b863fc307eb4ab52f16e1d0caef6c73a0339"}} as unknown as DocumentNode<PortalBeginSsoLoginMutation, PortalBeginSsoLoginMutationVariables>;
export const PortalLoginWithSsoDocument = {"__meta__":{"hash":"sha256:c55a3f49c6d4575e05aee778194c5f68368c520662dfcb8e999ee2580c43557b"}} as unknown as DocumentNode<PortalLoginWithSsoMutation, PortalLoginWithSsoMutationVariables>;
export const PortalAcceptInvitationDocument = {"__meta__":{"hash":"sha256:5ae131090f91d2e04ce23c2e3082ecc6bc5a2637a1ab4fd2b206ff281d030053"}} as unknown as DocumentNode<PortalAcceptInvitationMutation, PortalAcceptInvitationMutationVariables>;
export const PortalSwitchAccountDocument = {"__meta__":{"hash":"sha256:c74705902cace377f97de46afccd1386f787f02cf0c2a4787997b664c7d53975"}} as unknown as DocumentNode<PortalSwitchAccountMutation, PortalSwitchAccountMutationVariables>;
export const PortalLogoutDocument = {"__meta__":{"hash":"sha256:a5abf3925b4a301d9fe427c64adde1d09d9cf37a20cc0fb12201f3d4b9a76136"}} as unknown as DocumentNode<PortalLogoutMutation, PortalLogoutMutationVariables>;
export const PortalViewerDocument = {"__meta__":{"hash":"sha256:39629682f2e53e454aed05ae9fe9f1f82baaa7131af011f9c031c3c964e56294"}} as unknown as DocumentNode<PortalViewerQuery, PortalViewerQueryVariables>;
export const PortalAcceptMyInvitationDocument = {"__meta__":{"hash":"sha256:5aa265a4df7f561d65b7b9e5d757f83539e24b811ac45b49f54bcf0ea1c646b8"}} as unknown as DocumentNode<PortalAcceptMyInvitationMutation, PortalAcceptMyInvitationMutationVariables>;
export const PortalDeclineMyInvitationDocument = {"__meta__":{"hash":"sha256:c3815d6ee7d00a0b856af885250190b60bf7a4b305de355691b665f8773e80ac"}} as unknown as DocumentNode<PortalDeclineMyInvitationMutation, PortalDeclineMyInvitationMutationVariables>;
export const PortalAccountsDocument = {"__meta__":{"hash":"sha256:b0bd47a3001b1df79f6acd9fc1e90eb02b9f82983a73e9086ec1fe904ca91181"}} as unknown as DocumentNode<PortalAccountsQuery, PortalAccountsQueryVariables>;
export const PortalAccountChildrenDocument = {"__meta__":{"hash":"sha256:78bc2ce214d54a8fb44718ee6c5d102ff1a71df0f5899a9c0b11f5b4d94c4970"}} as unknown as DocumentNode<PortalAccountChildrenQuery, PortalAccountChildrenQueryVariables>;
export const PortalAccountDetailDocument = {"__meta__":{"hash":"sha256:aecb980fd571495b5b4b56b5b204028aa3a682c1610a930c73cec2d5630feffe"}} as unknown as DocumentNode<PortalAccountDetailQuery, PortalAccountDetailQueryVariables>;
export const PortalCreateSubAccountDocument = {"__meta__":{"hash":"sha256:03d504f948c63af5cc7dab7e81b744ba4d1fac46ab8eb135d47e961dcd1cc39f"}} as unknown as DocumentNode<PortalCreateSubAccountMutation, PortalCreateSubAccountMutationVariables>;
export const PortalUpdateAccountSettingsDocument = {"__meta__":{"hash":"sha256:892246838883549ee66372c4e996b106e06f4db74f111c62cd129e5bc814330e"}} as unknown as DocumentNode<PortalUpdateAccountSettingsMutation, PortalUpdateAccountSettingsMutationVariables>;
export const PortalMoveAccountDocument = {"__meta__":{"hash":"sha256:ecd3f1c2b3e961a5855455a111fe18d298fa3170d7896e29357c8ed60be37c43"}} as unknown as DocumentNode<PortalMoveAccountMutation, PortalMoveAccountMutationVariables>;
export const PortalSuspendAccountDocument = {"__meta__":{"hash":"sha256:04c76e0b45dca4711274115eef9e66c97d6aaa605c8039b76fd11e924ed269bf"}} as unknown as DocumentNode<PortalSuspendAccountMutation, PortalSuspendAccountMutationVariables>;
export const PortalResumeAccountDocument = {"__meta__":{"hash":"sha256:4dc3621f6ab6281e4099e4991a5d12457ee80c44f1fa0fe94c0cbda490e67738"}} as unknown as DocumentNode<PortalResumeAccountMutation, PortalResumeAccountMutationVariables>;
export const PortalCloseAccountDocument = {"__meta__":{"hash":"sha256:548d48a0ac821fb43c018a069a56ec58055b5e55802f31da0d9a411f41c40631"}} as unknown as DocumentNode<PortalCloseAccountMutation, PortalCloseAccountMutationVariables>;
export const PortalPermissionsDocument = {"__meta__":{"hash":"sha256:732db41b0bf7f4b4c08fecc4f852000a716a8cd62664e7f01ce06f1976e59174"}} as unknown as DocumentNode<PortalPermissionsQuery, PortalPermissionsQueryVariables>;
export const PortalUsersDocument = {"__meta__":{"hash":"sha256:72b7c92b4d4229507acd0a3434333223964bdc7decb1e4825be8b570fb9cc2ba"}} as unknown as DocumentNode<PortalUsersQuery, PortalUsersQueryVariables>;
export const PortalInviteUserWithPermissionsDocument = {"__meta__":{"hash":"sha256:09216f159ee06c4433cd51675348867166842a6d30ad2b5e0c653608e03b1f6a"}} as unknown as DocumentNode<PortalInviteUserWithPermissionsMutation, PortalInviteUserWithPermissionsMutationVariables>;
export const PortalRevokeInvitationDocument = {"__meta__":{"hash":"sha256:9781022100c7a43efed994cc5fda855b013ca8c8c6d0d9021d2dd7d91818d06f"}} as unknown as DocumentNode<PortalRevokeInvitationMutation, PortalRevokeInvitationMutationVariables>;
export const PortalDeactivateMembershipDocument = {"__meta__":{"hash":"sha256:5dbf4366cfb67f822514eb3d43b3817dbafdf5c1a974fa930f7d30758a5a7466"}} as unknown as DocumentNode<PortalDeactivateMembershipMutation, PortalDeactivateMembershipMutationVariables>;
export const PortalReactivateMembershipDocument = {"__meta__":{"hash":"sha256:ec873d332abd9e53e76dd8bdb3e47a9359c289e524941f5331e82a1e0b630a85"}} as unknown as DocumentNode<PortalReactivateMembershipMutation, PortalReactivateMembershipMutationVariables>;
export const PortalSetUserCreditLimitDocument = {"__meta__":{"hash":"sha256:62e655adf0fe3775dd72c74cb8cf2d9525d57341436d4a8df003b231d5f36ff6"}} as unknown as DocumentNode<PortalSetUserCreditLimitMutation, PortalSetUserCreditLimitMutationVariables>;
export const PortalLimitOptionsDocument = {"__meta__":{"hash":"sha256:f113535fb9bccd65ae91eba029eabd9a9962b8bf868a18100b1effec28eab902"}} as unknown as DocumentNode<PortalLimitOptionsQuery, PortalLimitOptionsQueryVariables>;
export const PortalSettingReferencesDocument = {"__meta__":{"hash":"sha256:bcb353e0c8b3c7a11729b6223f555171b0c5255f4ed580484fa3174238065bfa"}} as unknown as DocumentNode<PortalSettingReferencesQuery, PortalSettingReferencesQueryVariables>;
export const PortalSetMembershipLimitsDocument = {"__meta__":{"hash":"sha256:4f196567790e3e815bcd25f14460dd23a5a53926e17a13b87a164cc8cb87102e"}} as unknown as DocumentNode<PortalSetMembershipLimitsMutation, PortalSetMembershipLimitsMutationVariables>;
export const PortalBillingDocument = {"__meta__":{"hash":"sha256:6e79a7db2a90fc7f9e64fe0aeab765ea836250cd7f9c277b94d6f89a72b2f482"}} as unknown as DocumentNode<PortalBillingQuery, PortalBillingQueryVariables>;
export const PortalLedgerDocument = {"__meta__":{"hash":"sha256:f4139bb603baf73a0d5fc1433daf48d8541ba0116504677e4d99d8e6c617f93d"}} as unknown as DocumentNode<PortalLedgerQuery, PortalLedgerQueryVariables>;
export const PortalTopUpDocument = {"__meta__":{"hash":"sha256:0780d6e324bb79258806fe2818c7ad82660ba0b8185f0ce48399aaf3f140ae89"}} as unknown as DocumentNode<PortalTopUpMutation, PortalTopUpMutationVariables>;
export const PortalSetAutoTopUpDocument = {"__meta__":{"hash":"sha256:514c0c7109ed188b92b0e6d57da24875248c0cb71123d021088424230a8110e3"}} as unknown as DocumentNode<PortalSetAutoTopUpMutation, PortalSetAutoTopUpMutationVariables>;
export const PortalSetLowBalanceThresholdDocument = {"__meta__":{"hash":"sha256:9b46cce66c3ff764a1f4af8198d5ae0d296dcf0e75de97a5fc7926fc5ee71579"}} as unknown as DocumentNode<PortalSetLowBalanceThresholdMutation, PortalSetLowBalanceThresholdMutationVariables>;
export const PortalAddPaymentMethodDocument = {"__meta__":{"hash":"sha256:8500b5e224a1eb13b21c6141fd7a0df9698a78d1d3999586a45ef8a0c5d77b78"}} as unknown as DocumentNode<PortalAddPaymentMethodMutation, PortalAddPaymentMethodMutationVariables>;
export const PortalSetDefaultPaymentMethodDocument = {"__meta__":{"hash":"sha256:8e87ad78d73555b4eb14075c9f23a3bdc1d65126e5ccd35e8bc2e9dc0b40bf38"}} as unknown as DocumentNode<PortalSetDefaultPaymentMethodMutation, PortalSetDefaultPaymentMethodMutationVariables>;
export const PortalRemovePaymentMethodDocument = {"__meta__":{"hash":"sha256:9f19835398cfe4f1bbd5f165c33a62009d326970fed1998fc3b55a2f94cb80f9"}} as unknown as DocumentNode<PortalRemovePaymentMethodMutation, PortalRemovePaymentMethodMutationVariables>;
export const PortalInvoiceDownloadDocument = {"__meta__":{"hash":"sha256:410d5e06ecaeaf8e289fab805495acb2cae10535b5bd4edc77e8ffc32d81c60c"}} as unknown as DocumentNode<PortalInvoiceDownloadQuery, PortalInvoiceDownloadQueryVariables>;
export const PortalContactsDocument = {"__meta__":{"hash":"sha256:0c473cf9c06af89705b6d64bb8cfb62a3fc6f1d24b7a862ab3f9fd6293590e89"}} as unknown as DocumentNode<PortalContactsQuery, PortalContactsQueryVariables>;
export const PortalContactGroupsDocument = {"__meta__":{"hash":"sha256:19981d575b9437eeec35f9138ca3bb0843cb44ee878c4ac94f15975750c9f5a2"}} as unknown as DocumentNode<PortalContactGroupsQuery, PortalContactGroupsQueryVariables>;
export const PortalCreateContactDocument = {"__meta__":{"hash":"sha256:99b38515a6bd74e85a87710ab0dc109a925f59e09222d5f9be1a9ab698fe295c"}} as unknown as DocumentNode<PortalCreateContactMutation, PortalCreateContactMutationVariables>;
export const PortalCreateContactGroupDocument = {"__meta__":{"hash":"sha256:53c4ee9836c6e9a6204ed4d339c87e7aa7f1cc971d039449d8df13e9ce6b96d8"}} as unknown as DocumentNode<PortalCreateContactGroupMutation, PortalCreateContactGroupMutationVariables>;
export const PortalShareContactGroupDocument = {"__meta__":{"hash":"sha256:c7a51f0bd5dfec3e10659018cba3582a4b0325e9ef00c65f4f3da60d142d3e5f"}} as unknown as DocumentNode<PortalShareContactGroupMutation, PortalShareContactGroupMutationVariables>;
export const PortalStartContactImportDocument = {"__meta__":{"hash":"sha256:dd1f7fcc1e0008974c31293e9134bfa50cecd62d945d8aa7ea01439f3a645c20"}} as unknown as DocumentNode<PortalStartContactImportMutation, PortalStartContactImportMutationVariables>;
export const PortalImportJobDocument = {"__meta__":{"hash":"sha256:dbeb833087ee8d07e973210be3afec594adcf550e2925a3fdb158510185f3c6c"}} as unknown as DocumentNode<PortalImportJobQuery, PortalImportJobQueryVariables>;
export const PortalDevelopersAccountDocument = {"__meta__":{"hash":"sha256:568f10f756fdf7f71649c8fa3ad782aded09b273aaa06a3539ef3b910836ecd4"}} as unknown as DocumentNode<PortalDevelopersAccountQuery, PortalDevelopersAccountQueryVariables>;
export const PortalApiKeysDocument = {"__meta__":{"hash":"sha256:65af7bec757ae5ee17115aa55c6fa47a39b3addaa31076b5a03610428c8acccb"}} as unknown as DocumentNode<PortalApiKeysQuery, PortalApiKeysQueryVariables>;
export const PortalCreateApiKeyDocument = {"__meta__":{"hash":"sha256:9e2275d4c09c09a0c400ed00b61ac670c6f09654c794356db56a05a2de7006a2"}} as unknown as DocumentNode<PortalCreateApiKeyMutation, PortalCreateApiKeyMutationVariables>;
export const PortalRevokeApiKeyDocument = {"__meta__":{"hash":"sha256:5bd1e31b478e3a49914386127b4be834d6229afa6a60e99048ae544853e832c3"}} as unknown as DocumentNode<PortalRevokeApiKeyMutation, PortalRevokeApiKeyMutationVariables>;
export const PortalWebhooksDocument = {"__meta__":{"hash":"sha256:22b1c3d8833cdfcd93cf996dce4477365c63450bf4f3d6bf9906c92f50893575"}} as unknown as DocumentNode<PortalWebhooksQuery, PortalWebhooksQueryVariables>;
export const PortalWebhookDeliveriesDocument = {"__meta__":{"hash":"sha256:c2c85e795c2539016045c570f780fba0f0e4ffaa59b4d5b10234919d6c548ee2"}} as unknown as DocumentNode<PortalWebhookDeliveriesQuery, PortalWebhookDeliveriesQueryVariables>;
export const PortalCreateWebhookEndpointDocument = {"__meta__":{"hash":"sha256:747bee761513ad506a6cbd7e78460acaeb26afa9fa1ca454c78658bfd1cd0d48"}} as unknown as DocumentNode<PortalCreateWebhookEndpointMutation, PortalCreateWebhookEndpointMutationVariables>;
export const PortalRotateWebhookSecretDocument = {"__meta__":{"hash":"sha256:a83f8ea28ff5138a72949e5012bb72f286ac60956a022d1d2c0c2a071a8398eb"}} as unknown as DocumentNode<PortalRotateWebhookSecretMutation, PortalRotateWebhookSecretMutationVariables>;
export const PortalDisableWebhookEndpointDocument = {"__meta__":{"hash":"sha256:77a6dfd2db9549e11f9b009cf8092e5d8d668a6e80ffbb7b6fa14c5c21455924"}} as unknown as DocumentNode<PortalDisableWebhookEndpointMutation, PortalDisableWebhookEndpointMutationVariables>;
export const PortalEnableWebhookEndpointDocument = {"__meta__":{"hash":"sha256:05218a35acde8438df35cb53baa997f416d6303df890dfb12612ccb266d4cd25"}} as unknown as DocumentNode<PortalEnableWebhookEndpointMutation, PortalEnableWebhookEndpointMutationVariables>;
export const PortalDeleteWebhookEndpointDocument = {"__meta__":{"hash":"sha256:8e7171e3234fa7ecfe0f432b7e319095328edde84de52c762fcd4901ee05c7be"}} as unknown as DocumentNode<PortalDeleteWebhookEndpointMutation, PortalDeleteWebhookEndpointMutationVariables>;
export const PortalReplayWebhookDeliveryDocument = {"__meta__":{"hash":"sha256:129ac4a43b73813e7106e0d8c9f56a30f1ef13bce947a2e6fde3db1999cca10e"}} as unknown as DocumentNode<PortalReplayWebhookDeliveryMutation, PortalReplayWebhookDeliveryMutationVariables>;
export const PortalActivityLogDocument = {"__meta__":{"hash":"sha256:89b7b889ba3bbc46fea6a23cee5586fa0cd8236922568d9c779ce5b7e820ef00"}} as unknown as DocumentNode<PortalActivityLogQuery, PortalActivityLogQueryVariables>;
export const PortalInboxDocument = {"__meta__":{"hash":"sha256:4bdc91787e2d7c48910a50668d2a66f6585c15d42b7ba6e6061884fca4fe1801"}} as unknown as DocumentNode<PortalInboxQuery, PortalInboxQueryVariables>;
export const PortalConversationDocument = {"__meta__":{"hash":"sha256:2ec8f1f59eacb2a11b11f320eea038bcc4ca582e879824758a9a20b0ba4025c9"}} as unknown as DocumentNode<PortalConversationQuery, PortalConversationQueryVariables>;
export const PortalReplyToConversationDocument = {"__meta__":{"hash":"sha256:db7a28be0fefb32b607e622fdad66e4dea13f2ab7cd66116eeddea840c6b85e4"}} as unknown as DocumentNode<PortalReplyToConversationMutation, PortalReplyToConversationMutationVariables>;
export const PortalSenderIdsDocument = {"__meta__":{"hash":"sha256:2f157dbef1367ab25d64d1fbdc21e47df0c7896173b2b59ac8acf47c18fd3771"}} as unknown as DocumentNode<PortalSenderIdsQuery, PortalSenderIdsQueryVariables>;
export const PortalRequestSenderIdDocument = {"__meta__":{"hash":"sha256:f0f8e0d94d833864ba52ff40eadd362a161dc9fedb9b661cad3c4f8b613c5e24"}} as unknown as DocumentNode<PortalRequestSenderIdMutation, PortalRequestSenderIdMutationVariables>;
export const PortalVerifySenderIdDocument = {"__meta__":{"hash":"sha256:1b84c7f70b1b2ac17dded1c18d8863ace5db9356a4434a1d35a795316cb505c0"}} as unknown as DocumentNode<PortalVerifySenderIdMutation, PortalVerifySenderIdMutationVariables>;
export const PortalSendOptionsDocument = {"__meta__":{"hash":"sha256:6539646ff54c813a0da06866e1e3d4c9e8b6823872a4e893e2446a5c4201c093"}} as unknown as DocumentNode<PortalSendOptionsQuery, PortalSendOptionsQueryVariables>;
export const PortalSmsPartsDocument = {"__meta__":{"hash":"sha256:51f0f2e435fedcddcd9486ada54b0f472121f86cfb20489de1751460dcdad3bf"}} as unknown as DocumentNode<PortalSmsPartsQuery, PortalSmsPartsQueryVariables>;
export const PortalSendBulkDocument = {"__meta__":{"hash":"sha256:9b46816c2ea43f96a083f96c920d435cd9c0141f2d77ed36aedecd2c5a5126a5"}} as unknown as DocumentNode<PortalSendBulkMutation, PortalSendBulkMutationVariables>;
export const PortalUsageDocument = {"__meta__":{"hash":"sha256:0a17f8808fcfa198650e6ab6c0b948e5d7edd183c219eee674c97915ed644d76"}} as unknown as DocumentNode<PortalUsageQuery, PortalUsageQueryVariables>;
export const PortalCreateUsageExportDocument = {"__meta__":{"hash":"sha256:4bef34d51b33064ba71105190282d477f04c0b80532bab5a4e88656296ae30ff"}} as unknown as DocumentNode<PortalCreateUsageExportMutation, PortalCreateUsageExportMutationVariables>;
