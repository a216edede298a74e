import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import type { IdentityContext } from '../context';
import { effectiveInvitationStatus } from '../invitation-service';
import type { ActivityLogEntryRow } from '../activity-log-service';
import type { ApiKeyRow, InvitationRow, PartnerAppRow, PartnerManifestRow, SsoConfigurationRow } from '../repositories/access-repository';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export const Invitation = {
  account: (invitation: InvitationRow) => ({ __typename: 'Account', id: invitation.account_id }),
  accountId: (invitation: InvitationRow) => invitation.account_id,
  grantedPermissions: (invitation: InvitationRow) => invitation.granted_permissions,
  status: (invitation: InvitationRow) => effectiveInvitationStatus(invitation),
  createdAt: (invitation: InvitationRow) => iso(invitation.created_at),
  expiresAt: (invitation: InvitationRow) => iso(invitation.expires_at),
  respondedAt: (invitation: InvitationRow) => iso(invitation.responded_at),
};

export const ApiKey = {
  accountId: (key: ApiKeyRow) => key.account_id,
  prefix: (key: ApiKeyRow) => key.display_prefix,
  permissions: (key: ApiKeyRow) => key.permissions ?? [],
  partnerAppId: (key: ApiKeyRow) => key.partner_app_id,
  createdAt: (key: ApiKeyRow) => iso(key.created_at),
  expiresAt: (key: ApiKeyRow) => iso(key.expires_at),
  revokedAt: (key: ApiKeyRow) => iso(key.revoked_at),
  lastUsedAt: (key: ApiKeyRow) => iso(key.last_used_at),
};

export const PartnerApp = {
  accountId: (app: PartnerAppRow) => app.account_id,
  createdAt: (app: PartnerAppRow) => iso(app.created_at),
  manifests: (app: PartnerAppRow, _args: unknown, ctx: IdentityContext) => ctx.loaders.manifestsByAppId.load(app.id),
};

export const PartnerManifest = {
  operationCount: (manifest: PartnerManifestRow) => manifest.operation_count,
  createdAt: (manifest: PartnerManifestRow) => iso(manifest.created_at),
  retiredAt: (manifest: PartnerManifestRow) => iso(manifest.retired_at),
};

export const SsoConfiguration = {
  accountId: (configuration: SsoConfigurationRow) => configuration.account_id,
  clientId: (configuration: SsoConfigurationRow) => configuration.client_id,
  allowedDomains: (configuration: SsoConfigurationRow) => configuration.allowed_domains,
  defaultRole: (configuration: SsoConfigurationRow) => configuration.default_role,
  requireSso: (configuration: SsoConfigurationRow) => configuration.require_sso,
  updatedAt: (configuration: SsoConfigurationRow) => iso(configuration.updated_at),
};

export const ActivityLogEntry = {
  occurredAt: (entry: ActivityLogEntryRow) => iso(entry.occurred_at),
  actorKind: (entry: ActivityLogEntryRow) => entry.actor_kind,
  actorId: (entry: ActivityLogEntryRow) => entry.actor_id,
  actingAccountId: (entry: ActivityLogEntryRow) => entry.acting_account_id,
  targetAccountId: (entry: ActivityLogEntryRow) => entry.target_account_id,
  targetType: (entry: ActivityLogEntryRow) => entry.target_type,
  targetId: (entry: ActivityLogEntryRow) => entry.target_id,
};

function literalValue(node: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((v) => literalValue(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literalValue(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[node.name.value];
    default:
      return undefined;
  }
}

export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (node, variables) => literalValue(node, variables),
});
