import crypto from 'node:crypto';
import { parse, type OperationDefinitionNode } from 'graphql';
import { mutate } from '@platform/audit';
import { generateApiKey, hashSecret, type AccountChain } from '@platform/authz';
import { AppError, assertId, assertName, errors } from '@platform/errors';
import type { MutationCreateApiKeyArgs } from '../__generated__/resolvers-types';
import { auditScope, type IdentityContext } from '../context';
import { assertCallerMayGive, assertOpenAccount, assertPermissionNames } from '../memberships/authority';
import { ApiKeyStore, type ApiKeyRow, type PartnerAppRow, type PartnerManifestRow } from './store';

const MAX_MANIFEST_OPERATIONS = 1000;
const MAX_OPERATION_BYTES = 100_000;

type ManifestOperation = { id: string; name: string; type: string; body: string };

const apiKeyView = (k: ApiKeyRow) => ({
  name: k.name,
  prefix: k.prefix,
  role: k.role,
  permissions: k.permissions,
  partnerAppId: k.partnerAppId,
  expiresAt: k.expiresAt,
  revokedAt: k.revokedAt,
});

function parseExpiry(value: string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) throw errors.badInput('expiresAt must be an ISO 8601 date-time', 'expiresAt');
  if (date.getTime() <= Date.now()) throw errors.badInput('expiresAt must be in the future', 'expiresAt');
  return date;
}

/** API keys (SPEC I7) and the partner apps whose keys run trusted documents only (SPEC G3). */
export class ApiKeyService {
  constructor(private readonly ctx: IdentityContext) {}

  async create(input: MutationCreateApiKeyArgs): Promise<{ key: string; apiKey: ApiKeyRow }> {
    const chain = await this.ctx.access.require(assertId(input.accountId, 'accountId'), 'api-keys');
    const name = assertName(input.name);
    const hasPermissions = input.permissions !== null && input.permissions !== undefined;
    if (Boolean(input.role) === hasPermissions) throw errors.badInput('Give either a role or a permission set', 'role');
    const permissions = hasPermissions ? assertPermissionNames(input.permissions, 'permissions') : null;
    const expiresAt = parseExpiry(input.expiresAt);
    assertOpenAccount(chain);
    await assertCallerMayGive(this.ctx, chain, { role: input.role ?? null, permissions: permissions ?? [] });
    const createdBy = this.ctx.access.userId;
    if (!createdBy) throw errors.unauthenticated('A user session is required');
    const partnerAppId = input.partnerAppId ? await this.partnerAppIdOn(chain, input.partnerAppId) : null;
    const { key, displayPrefix } = generateApiKey();
    return mutate(auditScope(this.ctx, chain), 'createApiKey', async (tx) => {
      const apiKey = await new ApiKeyStore(tx).insertApiKey({
        accountId: chain.id,
        name,
        displayPrefix,
        keyHash: hashSecret(key),
        role: input.role ?? null,
        permissions,
        partnerAppId,
        createdBy,
        expiresAt,
      });
      return { result: { key, apiKey }, targetType: 'ApiKey', targetId: apiKey.id, after: apiKeyView(apiKey) };
    });
  }

  async revoke(id: string): Promise<ApiKeyRow> {
    const keyId = assertId(id, 'id');
    const found = await this.ctx.apiKeys.findApiKeyById(keyId);
    if (!found || !(await this.ctx.access.canView(found.accountId))) throw errors.notFound('API key');
    const chain = await this.ctx.access.require(found.accountId, 'api-keys');
    return mutate(auditScope(this.ctx, chain), 'revokeApiKey', async (tx) => {
      const revoked = await new ApiKeyStore(tx).revokeApiKey(keyId);
      if (!revoked) throw new AppError('INVALID_STATE', 'The key is already revoked');
      return { result: revoked, targetType: 'ApiKey', targetId: keyId, before: apiKeyView(found), after: apiKeyView(revoked) };
    });
  }

  async registerPartnerApp(accountId: string, rawName: string): Promise<PartnerAppRow> {
    const chain = await this.ctx.access.require(assertId(accountId, 'accountId'), 'api-keys');
    const name = assertName(rawName);
    assertOpenAccount(chain);
    return mutate(auditScope(this.ctx, chain), 'registerPartnerApp', async (tx) => {
      const app = await new ApiKeyStore(tx).insertPartnerApp({ accountId: chain.id, name, createdBy: this.ctx.access.userId });
      if (!app) throw new AppError('ALREADY_EXISTS', 'The account has a partner app with this name');
      return { result: app, targetType: 'PartnerApp', targetId: app.id, after: { name } };
    });
  }

  async uploadManifest(appId: string, manifest: unknown): Promise<PartnerManifestRow> {
    const { app, chain } = await this.requireApp(appId);
    const operations = validateManifest(manifest);
    return mutate(auditScope(this.ctx, chain), 'uploadPartnerManifest', async (tx) => {
      const repository = new ApiKeyStore(tx);
      await repository.findPartnerAppById(app.id, { forUpdate: true }); // versions of one app are numbered one at a time
      const version = await repository.nextManifestVersion(app.id);
      await repository.insertPartnerOperations(app.id, version, operations);
      return {
        result: (await repository.findManifest(app.id, version))!,
        targetType: 'PartnerApp',
        targetId: app.id,
        after: { version, operationIds: operations.map((o) => o.id) },
      };
    });
  }

  async retireManifest(appId: string, version: number): Promise<PartnerManifestRow> {
    const { app, chain } = await this.requireApp(appId);
    if (!Number.isInteger(version) || version < 1) throw errors.badInput('version must be a positive integer', 'version');
    return mutate(auditScope(this.ctx, chain), 'retirePartnerManifest', async (tx) => {
      const repository = new ApiKeyStore(tx);
      const existing = await repository.findManifest(app.id, version);
      if (!existing) throw errors.notFound('Manifest version');
      if ((await repository.retireManifest(app.id, version)) === 0) throw new AppError('INVALID_STATE', 'This manifest version is already retired');
      return { result: (await repository.findManifest(app.id, version))!, targetType: 'PartnerApp', targetId: app.id, after: { version, retired: true } };
    });
  }

  /** The id of a partner app of the key's own account. */
  private async partnerAppIdOn(chain: AccountChain, partnerAppId: string): Promise<string> {
    const app = await this.ctx.apiKeys.findPartnerAppById(assertId(partnerAppId, 'partnerAppId'));
    if (!app || app.accountId !== chain.id) throw errors.notFound('Partner app');
    return app.id;
  }

  private async requireApp(appId: string) {
    const app = await this.ctx.apiKeys.findPartnerAppById(assertId(appId, 'appId'));
    if (!app || !(await this.ctx.access.canView(app.accountId))) throw errors.notFound('Partner app');
    const chain = await this.ctx.access.require(app.accountId, 'api-keys');
    assertOpenAccount(chain);
    return { app, chain };
  }
}

const invalidManifest = (message: string, details: Record<string, unknown> = {}) => new AppError('INVALID_MANIFEST', message, details);

/** Apollo's persisted query manifest: `{ format: "apollo-persisted-query-manifest", version: 1, operations: [{ id, name, type, body }] }`. */
export function validateManifest(manifest: unknown): ManifestOperation[] {
  const value = manifest as { format?: unknown; version?: unknown; operations?: unknown };
  if (!value || typeof value !== 'object') throw invalidManifest('The manifest must be a JSON object');
  if (value.format !== 'apollo-persisted-query-manifest') throw invalidManifest('format must be "apollo-persisted-query-manifest"');
  if (value.version !== 1) throw invalidManifest('version must be 1');
  if (!Array.isArray(value.operations) || value.operations.length === 0) throw invalidManifest('operations must be a non-empty array');
  if (value.operations.length > MAX_MANIFEST_OPERATIONS) throw invalidManifest(`At most ${MAX_MANIFEST_OPERATIONS} operations`);
  const seen = new Set<string>();
  return value.operations.map((raw: unknown, index: number) => validateOperation(raw, index, seen));
}

/**
 * One operation of a manifest: its id is the SHA-256 of its body, not among the ids `seen` before
 * (it is added), and the body holds exactly that one operation of that type and name.
 */
function validateOperation(raw: unknown, index: number, seen: Set<string>): ManifestOperation {
  const op = raw as { id?: unknown; name?: unknown; type?: unknown; body?: unknown };
  const at = { index };
  if (!op || typeof op !== 'object' || typeof op.id !== 'string' || typeof op.name !== 'string' || typeof op.type !== 'string' || typeof op.body !== 'string') {
    throw invalidManifest(`operations[${index}] needs string id, name, type and body`, at);
  }
  if (op.body.length > MAX_OPERATION_BYTES) throw invalidManifest(`operations[${index}].body is too large`, at);
  const sha256 = crypto.createHash('sha256').update(op.body, 'utf8').digest('hex');
  if (op.id !== sha256) throw invalidManifest(`operations[${index}].id is not the SHA-256 of its body`, at);
  if (seen.has(op.id)) throw invalidManifest(`operations[${index}] is listed twice`, at);
  seen.add(op.id);
  let definitions;
  try {
    definitions = parse(op.body).definitions;
  } catch (error) {
    throw invalidManifest(`operations[${index}].body does not parse: ${(error as Error).message}`, at);
  }
  const operations = definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  if (operations.length !== 1) throw invalidManifest(`operations[${index}].body must hold exactly one operation`, at);
  if (operations[0].operation !== op.type) throw invalidManifest(`operations[${index}].type does not match its body (${operations[0].operation})`, at);
  if ((operations[0].name?.value ?? '') !== op.name) throw invalidManifest(`operations[${index}].name does not match its body`, at);
  return { id: op.id, name: op.name, type: op.type, body: op.body };
}
