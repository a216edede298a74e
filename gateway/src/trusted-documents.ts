import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { AppError } from '@platform/errors';
import type { HttpOperation } from '@platform/server';
import { Lru } from './lru';

export interface PartnerOperation {
  name: string;
  type: string;
  body: string;
}

/** An LRU whose entries also expire. */
class ExpiringLru<V> {
  private readonly entries: Lru<{ value: V; expiresAt: number }>;

  constructor(
    maxEntries: number,
    private readonly ttlMs: number,
  ) {
    this.entries = new Lru(maxEntries);
  }

  get(key: string): { value: V } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The active operations of partner apps' manifests (SPEC G3), read from identity's table. An id
 * stays valid in every manifest version until that version is retired. Lookups, found or not,
 * are reused for a short while, so a retirement takes effect within the cache TTL.
 */
export class PartnerOperationStore {
  private readonly cache: ExpiringLru<PartnerOperation | null>;

  constructor(
    private readonly db: DataSource,
    ttlSeconds: number,
    maxEntries = 10_000,
  ) {
    this.cache = new ExpiringLru(maxEntries, ttlSeconds * 1000);
  }

  async find(appId: string, operationId: string): Promise<PartnerOperation | null> {
    const key = `${appId}:${operationId}`;
    const cached = this.cache.get(key);
    if (cached) return cached.value;
    const rows: PartnerOperation[] = await this.db.query(
      `SELECT name, type, body FROM identity.partner_operations
        WHERE app_id = $1 AND operation_id = $2 AND retired_at IS NULL
        ORDER BY manifest_version DESC LIMIT 1`,
      [appId, operationId],
    );
    const found = rows[0] ?? null;
    this.cache.set(key, found);
    return found;
  }
}

interface OperationParameters {
  query?: unknown;
  documentId?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } } & Record<string, unknown>;
}

function parametersOf(operation: HttpOperation): OperationParameters {
  if (operation.method !== 'GET') return (operation.body && typeof operation.body === 'object' ? operation.body : {}) as OperationParameters;
  const search = new URLSearchParams(operation.search);
  const json = (name: string): unknown => {
    const raw = search.get(name);
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw);
    } catch {
      throw new AppError('BAD_REQUEST', `The ${name} parameter is not valid JSON`);
    }
  };
  return {
    query: search.get('query') ?? undefined,
    documentId: search.get('documentId') ?? undefined,
    operationName: search.get('operationName') ?? undefined,
    variables: json('variables'),
    extensions: json('extensions') as OperationParameters['extensions'],
  };
}

/** `documentId` per the GraphQL-over-HTTP persisted documents convention: `sha256:<hex>` or bare hex. */
function requestedOperationId(parameters: OperationParameters): string | undefined {
  const documentId = typeof parameters.documentId === 'string' ? parameters.documentId.replace(/^sha256:/, '') : undefined;
  const hash = parameters.extensions?.persistedQuery?.sha256Hash;
  return documentId ?? (typeof hash === 'string' ? hash : undefined);
}

/**
 * A partner app's request names a registered operation by id and carries no query text (no
 * freeform operations, no APQ registration). The registered body replaces the id, then the
 * request runs like any other: limits, then every subgraph's authorization.
 */
export async function resolvePartnerOperation(store: PartnerOperationStore, appId: string, operation: HttpOperation): Promise<HttpOperation> {
  const parameters = parametersOf(operation);
  if (parameters.query !== undefined) {
    throw new AppError('PERSISTED_QUERY_REQUIRED', 'Partner apps send the id of a registered operation (documentId or extensions.persistedQuery.sha256Hash), never a query text');
  }
  const operationId = requestedOperationId(parameters);
  if (!operationId) throw new AppError('PERSISTED_QUERY_REQUIRED', 'The request names no operation id');
  const registered = SHA256_HEX.test(operationId) ? await store.find(appId, operationId) : null;
  if (!registered) throw new AppError('OPERATION_NOT_REGISTERED', 'The operation id is not in an active manifest of this partner app');

  return withRegisteredBody(operation, parameters, registered);
}

function withRegisteredBody(operation: HttpOperation, parameters: OperationParameters, registered: PartnerOperation): HttpOperation {
  const operationName = typeof parameters.operationName === 'string' ? parameters.operationName : undefined;
  if (operation.method === 'GET') {
    const search = new URLSearchParams({ query: registered.body });
    if (operationName) search.set('operationName', operationName);
    if (parameters.variables !== undefined) search.set('variables', JSON.stringify(parameters.variables));
    return { ...operation, search: `?${search.toString()}` };
  }
  const body: Record<string, unknown> = { query: registered.body };
  if (operationName) body.operationName = operationName;
  if (parameters.variables !== undefined) body.variables = parameters.variables;
  return { ...operation, body };
}

/** First-party manifests (the reference portal's): committed with the gateway, read once at start. */
export const FIRST_PARTY_DOCUMENTS_DIR = path.join(__dirname, '..', '..', 'documents', 'first-party');

/**
 * Operations of first-party clients (the reference portal), by id: Apollo persisted query manifests
 * in documents/first-party/, each id checked against the SHA-256 of its body when loaded.
 */
export class FirstPartyDocuments {
  private constructor(private readonly operations: ReadonlyMap<string, PartnerOperation>) {}

  static load(dir = FIRST_PARTY_DOCUMENTS_DIR): FirstPartyDocuments {
    const operations = new Map<string, PartnerOperation>();
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((file) => file.endsWith('.json')) : [];
    for (const file of files) {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { format?: string; operations?: ({ id: string } & PartnerOperation)[] };
      if (manifest.format !== 'apollo-persisted-query-manifest' || !Array.isArray(manifest.operations)) throw new Error(`${file} is not an Apollo persisted query manifest`);
      for (const { id, name, type, body } of manifest.operations) {
        if (crypto.createHash('sha256').update(body, 'utf8').digest('hex') !== id) throw new Error(`${file}: the id of ${name} is not the SHA-256 of its body`);
        operations.set(id, { name, type, body });
      }
    }
    return new FirstPartyDocuments(operations);
  }

  get size(): number {
    return this.operations.size;
  }

  find(operationId: string): PartnerOperation | undefined {
    return this.operations.get(operationId);
  }
}

/**
 * A request of a session or a plain API key that names a `documentId` and carries no query text runs
 * the first-party operation of that id (unknown: OPERATION_NOT_REGISTERED). Nothing else changes: the
 * operation then passes the same limits and authorization as its text would.
 */
export function resolveFirstPartyOperation(documents: FirstPartyDocuments, operation: HttpOperation): HttpOperation {
  const namesDocument =
    operation.method === 'GET' ? new URLSearchParams(operation.search).has('documentId') : Boolean(operation.body && typeof operation.body === 'object' && 'documentId' in operation.body);
  if (!namesDocument) return operation;
  const parameters = parametersOf(operation);
  if (parameters.query !== undefined || typeof parameters.documentId !== 'string') return operation;
  const registered = documents.find(parameters.documentId.replace(/^sha256:/, ''));
  if (!registered) throw new AppError('OPERATION_NOT_REGISTERED', 'The documentId names no first-party operation');
  return withRegisteredBody(operation, parameters, registered);
}
