import type { Role } from '@platform/authz';
import { ApiKeyService } from '../api-key-service';
import type { IdentityContext } from '../context';
import { InvitationService } from '../invitation-service';
import { MembershipService, type MembershipLimitsInput } from '../membership-service';
import { SessionService } from '../session-service';
import { SsoService } from '../sso-service';

export const Mutation = {
  login: (_root: unknown, args: { email: string; password: string; accountId?: string | null }, ctx: IdentityContext) =>
    new SessionService(ctx).login(args.email, args.password, args.accountId),
  switchAccount: (_root: unknown, args: { accountId: string }, ctx: IdentityContext) => new SessionService(ctx).switchAccount(args.accountId),
  logout: (_root: unknown, _args: unknown, ctx: IdentityContext) => new SessionService(ctx).logout(),
  addAccountMember: (_root: unknown, args: { accountId: string; email: string; role: Role }, ctx: IdentityContext) =>
    new MembershipService(ctx).addMember(args.accountId, args.email, args.role),
  removeAccountMember: (_root: unknown, args: { accountId: string; userId: string }, ctx: IdentityContext) =>
    new MembershipService(ctx).removeMember(args.accountId, args.userId),
  setMembershipPermissions: (_root: unknown, args: { membershipId: string; granted: string[]; revoked: string[] }, ctx: IdentityContext) =>
    new MembershipService(ctx).setPermissions(args.membershipId, args.granted, args.revoked),
  deactivateMembership: (_root: unknown, args: { membershipId: string }, ctx: IdentityContext) => new MembershipService(ctx).setStatus(args.membershipId, 'INACTIVE'),
  reactivateMembership: (_root: unknown, args: { membershipId: string }, ctx: IdentityContext) => new MembershipService(ctx).setStatus(args.membershipId, 'ACTIVE'),
  setMembershipLimits: (_root: unknown, args: { membershipId: string; limits: MembershipLimitsInput }, ctx: IdentityContext) =>
    new MembershipService(ctx).setLimits(args.membershipId, args.limits),
  inviteUser: (_root: unknown, args: { accountId: string; email: string; role: Role; permissions?: string[] | null }, ctx: IdentityContext) =>
    new InvitationService(ctx).invite(args.accountId, args.email, args.role, args.permissions),
  revokeInvitation: (_root: unknown, args: { invitationId: string }, ctx: IdentityContext) => new InvitationService(ctx).revoke(args.invitationId),
  acceptInvitation: (_root: unknown, args: { token: string; name?: string | null; password?: string | null }, ctx: IdentityContext) =>
    new InvitationService(ctx).accept(args.token, args.name, args.password),
  declineInvitation: (_root: unknown, args: { token: string }, ctx: IdentityContext) => new InvitationService(ctx).decline(args.token),
  createApiKey: (
    _root: unknown,
    args: { accountId: string; name: string; role?: Role | null; permissions?: string[] | null; expiresAt?: string | null; partnerAppId?: string | null },
    ctx: IdentityContext,
  ) => new ApiKeyService(ctx).create(args),
  revokeApiKey: (_root: unknown, args: { id: string }, ctx: IdentityContext) => new ApiKeyService(ctx).revoke(args.id),
  registerPartnerApp: (_root: unknown, args: { accountId: string; name: string }, ctx: IdentityContext) => new ApiKeyService(ctx).registerPartnerApp(args.accountId, args.name),
  uploadPartnerManifest: (_root: unknown, args: { appId: string; manifest: unknown }, ctx: IdentityContext) => new ApiKeyService(ctx).uploadManifest(args.appId, args.manifest),
  retirePartnerManifest: (_root: unknown, args: { appId: string; version: number }, ctx: IdentityContext) =>
    new ApiKeyService(ctx).retireManifest(args.appId, args.version),
  configureSso: (
    _root: unknown,
    args: { accountId: string; input: { issuer: string; clientId: string; allowedDomains: string[]; defaultRole?: Role | null; requireSso?: boolean | null } },
    ctx: IdentityContext,
  ) => new SsoService(ctx).configure(args.accountId, args.input),
  beginSsoLogin: (_root: unknown, args: { email: string; redirectUri: string }, ctx: IdentityContext) => new SsoService(ctx).begin(args.email, args.redirectUri),
  loginWithSso: (_root: unknown, args: { idToken: string; state: string }, ctx: IdentityContext) => new SsoService(ctx).login(args.idToken, args.state),
};
