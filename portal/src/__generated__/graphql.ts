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

export type CreateSubAccountInput = {
  name: string;
  parentId: string | number;
};

export type InvitationStatus =
  | 'ACCEPTED'
  | 'DECLINED'
  | 'EXPIRED'
  | 'PENDING'
  | 'REVOKED'
  | 'SENT';

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

export type Role =
  | 'ADMIN'
  | 'ADVANCED_USER'
  | 'BASIC_USER';

/** SPEC M7; the shared number pool is the default when no sender ID is named */
export type SenderIdKind =
  | 'ALPHANUMERIC'
  | 'DEDICATED_NUMBER'
  | 'PERSONAL_NUMBER'
  | 'SHORT_CODE';

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

export type SmsLimitsInput = {
  daily?: number | null | undefined;
  monthly?: number | null | undefined;
};

/** Who is calling */
export type ViewerKind =
  /** An API key (a partner app or script) */
  | 'API_KEY'
  /** A signed-in user */
  | 'USER';

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

export const PortalSenderOptionFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PortalSenderOption"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SenderId"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]} as unknown as DocumentNode<PortalSenderOptionFragment, unknown>;
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
