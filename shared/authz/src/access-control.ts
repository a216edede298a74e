import DataLoader from 'dataloader';
import { prepared, type Sql } from '@platform/db';
import { AppError, errors, isUuid } from '@platform/errors';
import { effectivePermissions, isPermission, roleDefaults, type Permission, type Role } from './permissions';
import { OPERATOR_READ_PERMISSIONS, operatorCan, type OperatorCapability } from './operators';
import type { Principal } from './principal';

export type AccountStatus = 'ACTIVE' | 'SUSPENDED' | 'CLOSED';

/** The shared read model: an account's place in its tree. */
export interface AccountChain {
  id: string;
  rootId: string;
  parentId: string | null;
  /** ancestor ids from the root down to and including the account itself */
  path: string[];
  depth: number;
  status: AccountStatus;
  /** the most restrictive status on the path: CLOSED > SUSPENDED > ACTIVE */
  chainStatus: AccountStatus;
  /** depth of the highest SUSPENDED account on the path (self included); null when none is */
  suspendedFromDepth: number | null;
}

export interface Grant {
  membershipId: string | null;
  accountId: string;
  accountPath: string[];
  role: Role | null;
  permissions: Set<Permission>;
  /** Per-membership limits (SPEC I6); absent for API keys (no per-user limits). */
  limits?: MembershipLimits;
}

/** SPEC I6, as identity stores them on identity.memberships. */
export interface MembershipLimits {
  /** null: every sender id of the account */
  allowedSenderIds: string[] | null;
  contactAccess: 'ALL' | 'SELECTED';
  contactGroups: { groupId: string; access: 'RESTRICTED' | 'FULL' }[];
}

export type DataScope = 'ALL' | 'OWN' | 'NONE';

const NO_PERMISSIONS: ReadonlySet<Permission> = new Set();

/** ALL with `permission`, OWN with its `.own` variant (basic users), else NONE. */
export const scopeIn = (permissions: ReadonlySet<Permission>, permission: 'reports' | 'inbox'): DataScope =>
  permissions.has(permission) ? 'ALL' : permissions.has(`${permission}.own` as Permission) ? 'OWN' : 'NONE';

/** What the caller may do on one account: its chain (null when it does not exist) and the union of the caller's permissions there. */
export interface AccountAccess {
  chain: AccountChain | null;
  permissions: ReadonlySet<Permission>;
}

const NO_ACCESS: AccountAccess = { chain: null, permissions: NO_PERMISSIONS };

// The accounts' own rows (their paths as text: pg parses a uuid[] element by element), and the
// accounts on those paths that are not ACTIVE (few): chain statuses follow from the paths. One
// primary-key read, where joining every account to each of its ancestors and grouping cost ~9× as
// much for 10,000 accounts. The ids arrive as one comma-separated text: node-postgres would build
// the array literal of a 10,000-element parameter element by element.
const CHAIN_SQL = `
  WITH target AS (SELECT id, root_id, parent_id, path, depth, status FROM hierarchy.accounts WHERE id = ANY(string_to_array($1, ',')::uuid[]))
  SELECT id, root_id, parent_id, array_to_string(path, ',') AS path, depth, status FROM target
  UNION ALL
  SELECT id, NULL, NULL, NULL, depth, status FROM hierarchy.accounts
   WHERE status <> 'ACTIVE' AND id IN (SELECT unnest(path) FROM target)`;

// Memberships count only while ACTIVE and while their account is not closed (SPEC H6: users of a
// closed account lose access).
const USER_GRANTS_SQL = `
  SELECT m.id, m.account_id, m.role, m.granted_permissions, m.revoked_permissions, a.depth, a.path,
         m.allowed_sender_ids, m.contact_access, m.contact_groups, m.created_at
    FROM identity.memberships m
    JOIN hierarchy.accounts a ON a.id = m.account_id
   WHERE m.user_id = $1 AND m.status = 'ACTIVE' AND a.status <> 'CLOSED'
   ORDER BY a.depth, m.created_at`;

// An API key acts with its own scope (a role's defaults or an explicit permission set) on its
// account and subtree, while it is neither revoked nor expired and its account is not closed.
const API_KEY_GRANTS_SQL = `
  SELECT k.id, k.account_id, k.role, k.permissions, a.depth, a.path
    FROM identity.api_keys k
    JOIN hierarchy.accounts a ON a.id = k.account_id
   WHERE k.id = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()) AND a.status <> 'CLOSED'`;

// The chains of a few accounts (CHAIN_SQL's rows) and the caller's grants (the grants statement's rows,
// in its order), each as JSON, in one statement: a request that decides access reads both (issue 19).
const CHAINS_JSON_SQL = `(SELECT coalesce(json_agg(c), '[]') FROM (${CHAIN_SQL}) c)`;
const grantsJsonSql = (grantsSql: string, order: string) => `(SELECT coalesce(json_agg(g ORDER BY ${order}), '[]') FROM (${grantsSql.replace('$1', '$2')}) g)`;
const USER_GRANTS_JSON_SQL = grantsJsonSql(USER_GRANTS_SQL, 'g.depth, g.created_at');
const API_KEY_GRANTS_JSON_SQL = grantsJsonSql(API_KEY_GRANTS_SQL, 'g.depth');
const CHAINS_WITH_USER_GRANTS_SQL = `SELECT ${CHAINS_JSON_SQL} AS chains, ${USER_GRANTS_JSON_SQL} AS grants`;
const CHAINS_WITH_API_KEY_GRANTS_SQL = `SELECT ${CHAINS_JSON_SQL} AS chains, ${API_KEY_GRANTS_JSON_SQL} AS grants`;
/** The most chains read with the grants in one statement (a batch of entity references reads its chains as rows). */
const MAX_CHAINS_WITH_GRANTS = 20;

type UserGrantRow = {
  id: string;
  account_id: string;
  role: Role;
  granted_permissions: string[];
  revoked_permissions: string[];
  depth: number;
  path: string[];
  allowed_sender_ids: string[] | null;
  contact_access: 'ALL' | 'SELECTED';
  contact_groups: MembershipLimits['contactGroups'];
};
type ApiKeyGrantRow = { id: string; account_id: string; role: Role | null; permissions: string[] | null; depth: number; path: string[] };

/** resolveReferences decides from masks over at most this many distinct grant accounts (one character per reference). */
const MASK_GRANTS = 6;
const MASK_BASE = 48; // '0': masks 0..63 are the characters '0'..'o'

// For each account asked (in the order asked; ids as one text, as CHAIN_SQL), which of the grant
// accounts $2 are on its path (ancestor-or-self): bit i for $2[i+1], as the character chr(48 + mask),
// '0' for an unknown account or one under none of them; all in one text (`masks`).
const REFERENCE_MASKS_SQL = `
  SELECT string_agg(chr(${MASK_BASE} + coalesce(m.mask, 0)), '' ORDER BY t.ord) AS masks
    FROM unnest(string_to_array($1, ',')::uuid[]) WITH ORDINALITY AS t(id, ord)
    LEFT JOIN hierarchy.accounts a ON a.id = t.id
    LEFT JOIN LATERAL (SELECT sum(1 << (g.ord::int - 1))::int AS mask FROM unnest($2::uuid[]) WITH ORDINALITY AS g(id, ord) WHERE g.id = ANY(a.path)) m ON true`;

/** What resolveReferences decided, by position of the references. */
export interface ReferenceDecisions {
  /** the caller's permissions on each reference's account; empty for a reference left to its fields' rules */
  permissions: ReadonlySet<Permission>[];
}

export interface ChainRow {
  id: string;
  root_id: string | null;
  parent_id: string | null;
  /** null on the rows of inactive accounts on the paths */
  path: string | null;
  depth: number;
  status: AccountStatus;
}

/** Chains of the given accounts in one statement (outside a request, e.g. in a transaction). */
export async function loadAccountChains(db: Sql, ids: readonly string[]): Promise<Map<string, AccountChain>> {
  const valid = ids.filter(isUuid);
  return chainsOfRows(valid.length ? await db.query(prepared(CHAIN_SQL), [valid.join(',')]) : []);
}

/** The chains of CHAIN_SQL's rows (and of hierarchy.lock_chain_for_spending's, which are the same). */
function chainsOfRows(rows: ChainRow[]): Map<string, AccountChain> {
  const inactive = new Map<string, ChainRow>();
  for (const row of rows) if (row.path === null) inactive.set(row.id, row);
  const chains = new Map<string, AccountChain>();
  for (const row of rows) {
    if (row.path === null) continue;
    const path = row.path.split(',');
    let chainStatus: AccountStatus = 'ACTIVE';
    let suspendedFromDepth: number | null = null;
    for (const id of path) {
      const ancestor = inactive.get(id);
      if (ancestor?.status === 'CLOSED') chainStatus = 'CLOSED';
      else if (ancestor?.status === 'SUSPENDED') {
        if (chainStatus === 'ACTIVE') chainStatus = 'SUSPENDED';
        suspendedFromDepth ??= ancestor.depth;
      }
    }
    chains.set(row.id, { id: row.id, rootId: row.root_id!, parentId: row.parent_id, path, depth: row.depth, status: row.status, chainStatus, suspendedFromDepth });
  }
  return chains;
}

/**
 * The chain of an account for a decision that spends on it (a send's SMS counters, a credit
 * reservation), read under its tree's move lock, held shared until the caller's transaction ends.
 * A move takes the same lock exclusively (messaging.move_account_usage, in the move's transaction),
 * so the chain cannot change before the caller commits: what it counts or holds on this chain is
 * committed on the chain the account really had. `db` must be a transaction.
 *
 * One statement (issue 19): hierarchy.lock_chain_for_spending takes the lock, found from the root
 * alone (a move never changes an account's root), then reads the chain as loadAccountChains does,
 * with a snapshot taken after the lock (a VOLATILE function's own; a single plain statement would
 * read with the snapshot it took before waiting, and miss a move committed meanwhile).
 */
export async function lockChainForSpending(db: Sql, accountId: string): Promise<AccountChain | null> {
  if (!isUuid(accountId)) return null;
  return chainOfLockedRows(await db.query(prepared(lockedChainSql('$1')), [accountId]), accountId);
}

/**
 * lockChainForSpending as a part of a caller's own statement (e.g. billing's reservation, which
 * locks, decides and writes in one): the SELECT of the chain's rows, the account id being `account`
 * (a parameter placeholder or expression). Its rows: `id`, `root_id`, `parent_id`, `path` (text,
 * comma-separated; null on the rows of inactive accounts on the path), `depth`, `status`.
 */
export const lockedChainSql = (account: string) => `SELECT id, root_id, parent_id, path, depth, status FROM hierarchy.lock_chain_for_spending(${account}::uuid)`;

/** The chain of lockedChainSql's rows (null when the account does not exist). */
export const chainOfLockedRows = (rows: ChainRow[], accountId: string): AccountChain | null => chainsOfRows(rows).get(accountId.toLowerCase()) ?? null;

/** True when two chains are the same version of an account's place in its tree. */
export const samePath = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((id, i) => id.toLowerCase() === b[i].toLowerCase());

/**
 * Names of the given accounts in one statement (e.g. billing's invoice lines); unknown ids are
 * absent from the map. With loadAccountChains and the settings readers of account-settings.ts,
 * the only way another subgraph reads `hierarchy.*`.
 */
export async function loadAccountNames(db: Sql, ids: readonly string[]): Promise<Map<string, string>> {
  const valid = [...new Set(ids.filter(isUuid))];
  const rows: { id: string; name: string }[] = valid.length ? await db.query(`SELECT id, name FROM hierarchy.accounts WHERE id = ANY($1::uuid[])`, [valid]) : [];
  return new Map(rows.map((row) => [row.id, row.name]));
}

/**
 * Answers every access question of one request: visibility from the parent chain (SPEC AUTHZ).
 * Memberships are loaded once, account chains in one batched query per tick.
 */
export class AccessControl {
  readonly chains: DataLoader<string, AccountChain | null>;
  private readonly decisions = new Map<string, Promise<AccountChain>>();
  /**
   * Set for mutations (by the subgraph server, before execution): then a grant on a suspended
   * account, or below one, no longer counts. Members of a suspended account may read, not change.
   */
  changing = false;
  private readonly permissionUnions = new Map<string, ReadonlySet<Permission>>();
  private grantsPromise: Promise<Grant[]> | undefined;
  // Held for the request (this object's life), by a Set and a Map rather than weakly: a weak
  // collection of 10,000 entries costs every garbage collection in the request its ephemeron work.
  /** Objects (rows, entity references) whose account the caller may view: see markVisible. */
  private visibleObjects = new Set<object>();
  /** Entity references with the caller's permissions on their account: see resolveReference. */
  private referencePermissions = new Map<object, ReadonlySet<Permission>>();
  private viewDecisions = new WeakMap<object, Promise<AccountChain>>();

  constructor(
    readonly principal: Principal,
    private readonly db: Sql,
  ) {
    this.chains = new DataLoader((ids) => this.readChains(ids));
  }

  /** The chains of these accounts (null for unknown ones): those known in this request, one read for the others. */
  private async readChains(ids: readonly string[]): Promise<(AccountChain | null)[]> {
    const known = ids.map((id) => this.knownChain(id.toLowerCase()) ?? this.decidedAccess.get(id)?.chain ?? undefined);
    const missing = ids.filter((_, i) => !known[i]);
    let byId = new Map<string, AccountChain>();
    if (missing.length) byId = this.grantsPromise === undefined && this.readsGrants && missing.length <= MAX_CHAINS_WITH_GRANTS ? await this.readChainsWithGrants(missing) : await loadAccountChains(this.db, missing);
    return ids.map((id, i) => known[i] ?? byId.get(id.toLowerCase()) ?? null);
  }

  /** True when the caller's grants are read from the database (a user's memberships, an API key). */
  private get readsGrants(): boolean {
    return this.isAuthenticated && (this.principal.kind === 'USER' || this.principal.kind === 'API_KEY');
  }

  /** The chains of `ids` and, in the same statement, the caller's grants (grants() answers them from then on). */
  private async readChainsWithGrants(ids: readonly string[]): Promise<Map<string, AccountChain>> {
    const statement = this.principal.kind === 'USER' ? CHAINS_WITH_USER_GRANTS_SQL : CHAINS_WITH_API_KEY_GRANTS_SQL;
    const read: Promise<{ chains: ChainRow[]; grants: unknown[] }> = this.db.query(prepared(statement), [ids.filter(isUuid).join(','), this.principal.id]).then((rows: { chains: ChainRow[]; grants: unknown[] }[]) => rows[0]);
    this.grantsPromise = read.then(({ grants }) => this.grantsOfRows(grants));
    return chainsOfRows((await read).chains);
  }

  /**
   * The chains of many accounts (null for unknown ones) through the `chains` loader. Not its
   * loadMany, which adds a promise per key to catch per-key errors: this loader has none (an unknown
   * account is null; a failed read fails every key).
   */
  chainsOf(ids: readonly string[]): Promise<(AccountChain | null)[]> {
    return Promise.all(ids.map((id) => this.chains.load(id)));
  }

  private knownChain: (id: string) => AccountChain | undefined = () => undefined;

  /**
   * Chains the subgraph already knows in this request (the hierarchy derives them from the rows of a
   * tree it listed): `chains` asks the database only for the others.
   */
  useKnownChains(lookup: (id: string) => AccountChain | undefined): void {
    this.knownChain = lookup;
  }

  get isAuthenticated(): boolean {
    return this.principal.kind !== 'ANONYMOUS' && this.principal.id !== null;
  }

  get userId(): string | null {
    return this.principal.kind === 'USER' ? this.principal.id : null;
  }

  get isOperator(): boolean {
    return this.principal.kind === 'OPERATOR' && this.principal.id !== null;
  }

  /** FORBIDDEN unless the caller is an operator whose role holds `capability` (customers never pass). */
  requireOperator(capability: OperatorCapability): void {
    if (!this.isAuthenticated) throw errors.unauthenticated();
    if (!this.isOperator || !operatorCan(this.principal.operatorRole, capability)) {
      throw new AppError('FORBIDDEN', this.isOperator ? `Your operator role does not hold "${capability}"` : 'Only the platform operator may do this');
    }
  }

  /** The chain of any account, for an operator holding `capability`; NOT_FOUND when there is none. */
  async requireAsOperator(accountId: string, capability: OperatorCapability): Promise<AccountChain> {
    this.requireOperator(capability);
    if (!isUuid(accountId)) throw errors.badInput('Account id is not a valid id', 'accountId');
    const chain = await this.chains.load(accountId);
    if (!chain) throw errors.notFound('Account');
    return chain;
  }

  grants(): Promise<Grant[]> {
    this.grantsPromise ??= this.loadGrants();
    return this.grantsPromise;
  }

  private async loadGrants(): Promise<Grant[]> {
    if (!this.readsGrants) return [];
    return this.grantsOfRows(await this.db.query(prepared(this.principal.kind === 'USER' ? USER_GRANTS_SQL : API_KEY_GRANTS_SQL), [this.principal.id]));
  }

  /** The caller's grants from the rows of its grants statement (USER_GRANTS_SQL or API_KEY_GRANTS_SQL). */
  private grantsOfRows(rows: unknown[]): Grant[] {
    if (this.principal.kind === 'USER') {
      return (rows as UserGrantRow[]).map((r) => ({
        membershipId: r.id,
        accountId: r.account_id,
        accountPath: r.path,
        role: r.role,
        permissions: effectivePermissions(r.role, r.depth, r.granted_permissions, r.revoked_permissions),
        limits: { allowedSenderIds: r.allowed_sender_ids, contactAccess: r.contact_access, contactGroups: r.contact_groups ?? [] },
      }));
    }
    return (rows as ApiKeyGrantRow[]).map((r) => ({
      membershipId: null,
      accountId: r.account_id,
      accountPath: r.path,
      role: r.role,
      permissions: new Set<Permission>(r.role ? roleDefaults(r.role, r.depth) : ['account.view', ...(r.permissions ?? []).filter(isPermission)]),
    }));
  }

  /**
   * Grants whose account is the target or one of its ancestors. An operator reads every tree
   * (OPERATOR_READ_PERMISSIONS); in a mutation only `account.view`, to read its answer: operators
   * change customers only through the operator operations.
   */
  async grantsOn(chain: AccountChain): Promise<Grant[]> {
    return this.grantsAmong(chain, await this.grants());
  }

  private grantsAmong(chain: AccountChain, grants: Grant[]): Grant[] {
    if (this.isOperator && operatorCan(this.principal.operatorRole, 'customers.read')) {
      const permissions = new Set<Permission>(this.changing ? ['account.view'] : OPERATOR_READ_PERMISSIONS);
      return [{ membershipId: null, accountId: chain.rootId, accountPath: [chain.rootId], role: null, permissions }];
    }
    return grants.filter((g) => chain.path.includes(g.accountId));
  }

  /**
   * The union of the caller's permissions on an account; computed once per account and request,
   * and shared by every account on which the same grants apply (a tree of 10,000 accounts under
   * one membership has one set).
   */
  async permissionsOn(accountId: string): Promise<ReadonlySet<Permission>> {
    return (await this.accessOn.load(accountId)).permissions;
  }

  /**
   * What the caller may do on each account, decided for every account asked in the same tick at
   * once: one chain read, then a loop (10,000 entity references cost one batch, not 10,000 chains
   * of awaits).
   */
  private readonly accessOn = new DataLoader<string, AccountAccess>((ids) => this.accessOnMany(ids, (missing) => this.chainsOf(missing)));

  /** Decisions of accessOn and resolveReferences, by account id as asked. */
  private decidedAccess = new Map<string, AccountAccess>();

  /**
   * What the caller may do on each account: the decisions already taken in this request, then the
   * others from their chains (through the `chains` loader for accessOn; read at once, without a
   * promise per account, for the 10,000 references of an `_entities` call).
   */
  private async accessOnMany(ids: readonly string[], chainsOf = (missing: readonly string[]) => this.readChains(missing)): Promise<AccountAccess[]> {
    const missing = ids.filter((id) => !this.decidedAccess.has(id));
    if (missing.length) {
      const [chains, grants] = await Promise.all([chainsOf(missing), this.grants()]);
      chains.forEach((chain, i) => this.decidedAccess.set(missing[i], chain ? { chain, permissions: this.unionOf(this.grantsAmong(chain, grants)) } : NO_ACCESS));
    }
    return ids.map((id) => this.decidedAccess.get(id)!);
  }

  private unionOf(grants: Grant[]): ReadonlySet<Permission> {
    if (grants.length === 0) return NO_PERMISSIONS;
    if (grants.length === 1) return grants[0].permissions;
    const key = grants.map((g) => `${g.membershipId}:${g.accountId}`).join(',');
    let union = this.permissionUnions.get(key);
    if (!union) {
      union = new Set(grants.flatMap((g) => [...g.permissions]));
      this.permissionUnions.set(key, union);
    }
    return union;
  }

  async canView(accountId: string): Promise<boolean> {
    return (await this.accessOn.load(accountId)).permissions.size > 0;
  }

  async can(accountId: string, permission: Permission): Promise<boolean> {
    return (await this.permissionsOn(accountId)).has(permission);
  }

  /**
   * A caller's own columns read in the statement that reads the chain of `accountId` and, when not
   * read yet, the caller's grants (issue 19: a send reads its settings and opt-outs with them), which
   * are kept for require(), chains.load and grants(), unless known already in this request.
   * `columns(path, parameter)` is the SQL of the columns: `path` the account's path (uuid[]) as the
   * statement reads it, `parameter(n)` the placeholder of `parameters[n - 1]`.
   */
  async readWithChainAndGrants<T extends object>(accountId: string, columns: (path: string, parameter: (n: number) => string) => string, parameters: unknown[]): Promise<T> {
    if (!isUuid(accountId)) throw errors.badInput('Account id is not a valid id', 'accountId');
    const grantsSql = this.grantsPromise === undefined && this.readsGrants ? (this.principal.kind === 'USER' ? USER_GRANTS_JSON_SQL : API_KEY_GRANTS_JSON_SQL) : null;
    const first = grantsSql ? 3 : 2;
    const statement = `SELECT ${CHAINS_JSON_SQL} AS chains${grantsSql ? `, ${grantsSql} AS grants` : ''},
      ${columns('(SELECT path FROM hierarchy.accounts WHERE id = $1::text::uuid)::uuid[]', (n) => `$${first + n - 1}`)}`;
    const [row]: (T & { chains: ChainRow[]; grants?: unknown[] })[] = await this.db.query(prepared(statement), [accountId, ...(grantsSql ? [this.principal.id] : []), ...parameters]);
    if (row.grants) this.grantsPromise ??= Promise.resolve(this.grantsOfRows(row.grants));
    this.chains.prime(accountId, chainsOfRows(row.chains).get(accountId.toLowerCase()) ?? null);
    return row;
  }

  /**
   * The chain of a visible account on which the caller holds `permission`.
   * Invisible and unknown accounts answer alike (NOT_FOUND), so ids cannot be probed.
   */
  require(accountId: string, permission: Permission = 'account.view'): Promise<AccountChain> {
    // Field rules ask the same question for every field of an entity: decide once per request.
    const key = `${permission}:${accountId}`;
    let decision = this.decisions.get(key);
    if (!decision) {
      decision = this.decide(accountId, permission);
      this.decisions.set(key, decision);
      decision.catch(() => {}); // a refusal is rethrown to every caller that awaits it
    }
    return decision;
  }

  /** Forgets what this request loaded and decided (after a change to the tree in this request). */
  clearCache(): void {
    this.chains.clearAll();
    this.decisions.clear();
    this.accessOn.clearAll();
    this.permissionUnions.clear();
    this.decidedAccess = new Map();
    this.visibleObjects = new Set();
    this.referencePermissions = new Map();
    this.viewDecisions = new WeakMap();
  }

  /**
   * `require(object.id, 'account.view')` for the account an object stands for, decided once per
   * object (graphql-js starts every field of an object at once, so each would ask), then marked
   * visible.
   */
  requireView(object: { id: string }): Promise<AccountChain> {
    let decision = this.viewDecisions.get(object);
    if (!decision) {
      decision = this.require(object.id, 'account.view').then((chain) => {
        this.markVisible([object]);
        return chain;
      });
      decision.catch(() => {}); // a refusal is rethrown to every field that awaits it
      this.viewDecisions.set(object, decision);
    }
    return decision;
  }

  /**
   * Records that the caller may view (`account.view`) the account each object stands for, decided
   * where the objects were loaded (the rows of a subtree under an account the caller may view, a
   * parent checked with canView) or by the entity rule: the `canViewParentAccount` rule of their
   * fields then answers without another check. Not in a mutation: there every answer is checked
   * as a change sees it (suspended accounts read-only).
   */
  markVisible(objects: Iterable<object>): void {
    if (this.changing) return;
    for (const object of objects) this.visibleObjects.add(object);
  }

  isVisible(object: object): boolean {
    return this.visibleObjects.has(object) || (this.referencePermissions.get(object)?.has('account.view') ?? false);
  }

  /** Whether the request already holds `permission` on the account `object` stands for (see markVisible, resolveReference). */
  holdsOn(object: object, permission: Permission): boolean {
    return permission === 'account.view' ? this.isVisible(object) : (this.referencePermissions.get(object)?.has(permission) ?? false);
  }

  /**
   * An entity reference of an account (`__resolveReference` in another subgraph than the
   * hierarchy), once the caller's permissions on its account are known: every reference of one
   * `_entities` call is decided in one batch (one chain read), and the per-object rules of its
   * fields then answer without a check of their own. A reference the caller may not see is returned
   * as it is: its fields' rules refuse it (NOT_FOUND), as for any undecided object.
   */
  async resolveReference<T extends { id: string }>(reference: T): Promise<T> {
    if (this.changing || !this.isAuthenticated || !isUuid(reference.id)) return reference;
    const { permissions } = await this.accessOn.load(reference.id);
    if (permissions.size > 0 && !this.changing) this.referencePermissions.set(reference, permissions);
    return reference;
  }

  /**
   * resolveReference for every reference of one `_entities` call at once (issue 17): what the caller
   * may do on each reference's account (no permissions for a reference left to its fields' rules: an
   * invisible or unknown account, an invalid id, any reference in a mutation), recorded on the
   * references as resolveReference does. Decided without building the accounts' chains: one
   * statement answers, for every reference, which of the caller's grant accounts are on its path
   * (REFERENCE_MASKS_SQL), in one text (no row object, no promise, no chain per account); the same
   * grants then give the same permissions (`unionOf`). Operators, and callers holding grants on more than MASK_GRANTS accounts, are decided from
   * chains as `accessOn` does.
   */
  async resolveReferences(references: readonly { id: string }[]): Promise<ReferenceDecisions> {
    const count = references.length;
    const permissions: ReadonlySet<Permission>[] = new Array(count).fill(NO_PERMISSIONS);
    if (this.changing || !this.isAuthenticated) return { permissions };
    const decided: number[] = [];
    for (let i = 0; i < count; i++) if (isUuid(references[i].id)) decided.push(i);
    if (decided.length === 0) return { permissions };
    const grants = await this.grants();
    const grantAccounts = [...new Set(grants.map((grant) => grant.accountId))];
    const operator = this.isOperator && operatorCan(this.principal.operatorRole, 'customers.read');
    if (operator || grantAccounts.length > MASK_GRANTS) {
      const accesses = await this.accessOnMany(decided.map((i) => references[i].id));
      decided.forEach((index, k) => {
        if (accesses[k].permissions.size > 0) permissions[index] = accesses[k].permissions;
      });
    } else if (grantAccounts.length > 0) {
      // The union of permissions of each combination of grant accounts on a path (bit i: grantAccounts[i]).
      const byMask: ReadonlySet<Permission>[] = [];
      for (let mask = 0; mask < 1 << grantAccounts.length; mask++) byMask.push(this.unionOf(grants.filter((grant) => mask & (1 << grantAccounts.indexOf(grant.accountId)))));
      const [row] = await this.db.query(prepared(REFERENCE_MASKS_SQL), [decided.map((i) => references[i].id).join(','), grantAccounts]);
      const masks: string = row?.masks ?? '';
      decided.forEach((index, k) => {
        const mask = masks.charCodeAt(k) - MASK_BASE;
        if (mask > 0) permissions[index] = byMask[mask];
      });
    }
    if (this.changing) return { permissions: permissions.fill(NO_PERMISSIONS) };
    for (let i = 0; i < count; i++) if (permissions[i].size > 0) this.referencePermissions.set(references[i], permissions[i]);
    return { permissions };
  }

  private async decide(accountId: string, permission: Permission): Promise<AccountChain> {
    if (!this.isAuthenticated) throw errors.unauthenticated();
    if (!isUuid(accountId)) throw errors.badInput('Account id is not a valid id', 'accountId');
    if (!this.changing) {
      const { chain, permissions } = await this.accessOn.load(accountId);
      if (!chain || permissions.size === 0) throw errors.notFound('Account');
      if (!permissions.has(permission)) throw new AppError('FORBIDDEN', `Missing permission "${permission}" on this account`);
      return chain;
    }
    const chain = await this.chains.load(accountId);
    if (!chain) throw errors.notFound('Account');
    let grants = await this.grantsOn(chain);
    if (grants.length === 0) throw errors.notFound('Account');
    // The operator stands above every tree (and holds only account.view in a mutation, to read its answer).
    if (this.changing && chain.suspendedFromDepth !== null && !this.isOperator) {
      // Only authority from above the suspension (an admin of an active ancestor) may still change it.
      const suspendedFrom = chain.suspendedFromDepth;
      grants = grants.filter((g) => g.accountPath.length - 1 < suspendedFrom);
      if (grants.length === 0) throw new AppError('ACCOUNT_SUSPENDED', 'The account is suspended: its members may read but not change anything');
    }
    if (!grants.some((g) => g.permissions.has(permission))) {
      throw new AppError('FORBIDDEN', `Missing permission "${permission}" on this account`);
    }
    return chain;
  }

  /**
   * The I6 limits that bind the caller on an account: the union over its memberships on the chain
   * (any membership without a sender list or with ALL contact access lifts that limit; a group
   * granted FULL by one membership is FULL). API keys and services carry no per-user limits.
   */
  async limitsOn(accountId: string): Promise<MembershipLimits> {
    const chain = await this.chains.load(accountId);
    const grants = chain ? (await this.grantsOn(chain)).filter((g) => g.limits) : [];
    if (grants.length === 0) return { allowedSenderIds: null, contactAccess: 'ALL', contactGroups: [] };
    const senders = grants.some((g) => g.limits!.allowedSenderIds === null) ? null : [...new Set(grants.flatMap((g) => g.limits!.allowedSenderIds!))];
    if (grants.some((g) => g.limits!.contactAccess === 'ALL')) return { allowedSenderIds: senders, contactAccess: 'ALL', contactGroups: [] };
    const groups = new Map<string, 'RESTRICTED' | 'FULL'>();
    for (const grant of grants) for (const g of grant.limits!.contactGroups) if (groups.get(g.groupId) !== 'FULL') groups.set(g.groupId, g.access);
    return { allowedSenderIds: senders, contactAccess: 'SELECTED', contactGroups: [...groups].map(([groupId, access]) => ({ groupId, access })) };
  }

  /** ALL with `permission`, OWN with its `.own` variant (basic users), else NONE. */
  async dataScope(accountId: string, permission: 'reports' | 'inbox'): Promise<DataScope> {
    return scopeIn(await this.permissionsOn(accountId), permission);
  }

  /** dataScope of each account, for a loader that decides a whole batch of accounts at once. */
  async dataScopes(accountIds: readonly string[], permission: 'reports' | 'inbox'): Promise<DataScope[]> {
    const accesses = await Promise.all(accountIds.map((id) => this.accessOn.load(id)));
    return accesses.map((access) => scopeIn(access.permissions, permission));
  }

  /** Roots of the caller's visible forest: grant accounts not below another grant account. */
  async visibleRoots(): Promise<string[]> {
    const grants = await this.grants();
    const ids = new Set(grants.map((g) => g.accountId));
    return [...ids].filter((id) => {
      const grant = grants.find((g) => g.accountId === id)!;
      return !grant.accountPath.some((ancestor) => ancestor !== id && ids.has(ancestor));
    });
  }
}
