import type { Sql } from '@platform/db';
import crypto from 'node:crypto';
import type { Principal } from '@platform/authz';

/**
 * The activity log (SPEC I9): an append-only table `<schema>.activity_log` in EVERY subgraph's own
 * schema, written in the same transaction as the change it records, and hash-chained per tree
 * (root account) so that an edited, deleted or reordered row is detected by `verifyActivityLog`.
 *
 * How a subgraph wires it (billing and messaging do the same as hierarchy and identity):
 *   1. A migration of the subgraph runs `for (const sql of activityLogMigrationSql('<schema>')) await queryRunner.query(sql)`
 *      (creates the table, its head table and the triggers that refuse UPDATE/DELETE).
 *   2. Every mutation, inside its transaction (the EntityManager or QueryRunner of
 *      `dataSource.transaction`), after the change and before commit, calls
 *      `appendActivity(manager, '<schema>', { principal, treeId: chain.rootId, targetAccountPath: chain.path, action: '<mutation field name>', ... })`.
 *      The chain comes from `ctx.access.require(...)`. A refused mutation throws before commit,
 *      so the entry disappears with the rest of the change.
 *   3. `action` is the GraphQL mutation field name (the coverage test in identity walks the
 *      supergraph's mutations and expects one entry per mutation under that name).
 * The identity subgraph's `activityLog` query reads the union of every `<schema>.activity_log`
 * that exists, so nothing else needs registering.
 */

/**
 * The two hash-chained logs of a subgraph's schema: `activity_log`, which customers read (SPEC I9),
 * and `operator_log`, which only operators read (SPEC O4): every operator action is in both.
 */
export type AuditLog = 'activity_log' | 'operator_log';

/** Entries without an account (e.g. the login of a user who has none) chain under this id. */
export const PLATFORM_TREE_ID = '00000000-0000-0000-0000-000000000000';

const GENESIS_HASH = '0'.repeat(64);
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]*$/;

function assertSchema(schema: string): string {
  if (!SCHEMA_PATTERN.test(schema)) throw new Error(`Invalid schema name ${schema}`);
  return schema;
}

/** The DDL of `<schema>.activity_log` (or of its operator_log); run it from one of the subgraph's migrations. */
export function activityLogMigrationSql(schema: string, log: AuditLog = 'activity_log'): string[] {
  const s = assertSchema(schema);
  return [
    `CREATE TABLE ${s}.${log} (
       id uuid PRIMARY KEY,
       -- the root account of the target's tree; each tree has its own hash chain
       tree_id uuid NOT NULL,
       seq bigint NOT NULL,
       occurred_at timestamptz NOT NULL,
       actor_kind text NOT NULL,
       actor_id text,
       acting_account_id uuid,
       target_account_id uuid,
       -- ancestors of the target account at the time of the change, root first, target last
       target_account_path uuid[] NOT NULL DEFAULT '{}',
       action text NOT NULL,
       target_type text,
       target_id text,
       before jsonb,
       after jsonb,
       prev_hash text NOT NULL,
       hash text NOT NULL,
       UNIQUE (tree_id, seq)
     )`,
    `CREATE INDEX ${log}_path ON ${s}.${log} USING gin (target_account_path)`,
    `CREATE INDEX ${log}_time ON ${s}.${log} (occurred_at DESC, id DESC)`,
    // The last entry of each tree, so that deleting the newest rows is detected too.
    `CREATE TABLE ${s}.${log}_heads (
       tree_id uuid PRIMARY KEY,
       seq bigint NOT NULL,
       hash text NOT NULL
     )`,
    `CREATE FUNCTION ${s}.${log}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       RAISE EXCEPTION '${log} is append-only';
     END $$`,
    `CREATE TRIGGER ${log}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${s}.${log}
       FOR EACH STATEMENT EXECUTE FUNCTION ${s}.${log}_append_only()`,
  ];
}

export function activityLogDropSql(schema: string, log: AuditLog = 'activity_log'): string[] {
  const s = assertSchema(schema);
  return [`DROP TABLE ${s}.${log}_heads`, `DROP TABLE ${s}.${log}`, `DROP FUNCTION ${s}.${log}_append_only()`];
}

export interface ActivityInput {
  principal: Pick<Principal, 'kind' | 'id' | 'actingAccountId'>;
  /** Root account id of the target's tree (`chain.rootId`); null → the platform chain. */
  treeId: string | null;
  /** The target account's path (`chain.path`), root first; [] when there is no account. */
  targetAccountPath: string[];
  /** The GraphQL mutation field name, e.g. `inviteUser`. */
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  /** Overrides the principal's acting account (e.g. the account a login chose). */
  actingAccountId?: string | null;
}

/** JSON with sorted keys: the same value always hashes the same, whatever jsonb does to key order. */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Plain JSON (dates as ISO strings) so what is hashed is exactly what jsonb gives back. */
const toJson = (value: unknown): unknown => (value === undefined || value === null ? null : JSON.parse(JSON.stringify(value)));

interface HashedFields {
  id: string;
  tree_id: string;
  seq: string;
  occurred_at: string;
  actor_kind: string;
  actor_id: string | null;
  acting_account_id: string | null;
  target_account_id: string | null;
  target_account_path: string[];
  action: string;
  target_type: string | null;
  target_id: string | null;
  before: unknown;
  after: unknown;
  prev_hash: string;
}

function entryHash(fields: HashedFields): string {
  return crypto.createHash('sha256').update(canonicalJson(fields)).digest('hex');
}

/**
 * The text entryHash hashes, around the two fields only the tree's head gives: `prefix`, then the
 * previous hash, `middle`, the new seq, `suffix` (canonicalJson's output for the fields, whose keys
 * sort `prev_hash` right before `seq`).
 */
function hashedTextAroundHead(fields: Omit<HashedFields, 'prev_hash' | 'seq'>): { prefix: string; middle: string; suffix: string } {
  const entry = (key: string, value: unknown) => `${JSON.stringify(key)}:${canonicalJson(value)}`;
  const keys = Object.keys(fields).sort() as (keyof typeof fields)[];
  const before = keys.filter((key) => key < 'prev_hash').map((key) => entry(key, fields[key]));
  const after = keys.filter((key) => key > 'seq').map((key) => entry(key, fields[key]));
  return { prefix: `{${before.map((e) => `${e},`).join('')}"prev_hash":"`, middle: '","seq":"', suffix: `"${after.map((e) => `,${e}`).join('')}}` };
}

const ENTRY_COLUMNS = `id, tree_id, seq, occurred_at, actor_kind, actor_id, acting_account_id, target_account_id,
         target_account_path, action, target_type, target_id, before, after, prev_hash, hash`;

/** An entry as the process builds it: the hashed fields but the two the tree's head gives, its column values and the hashed text around the head. */
interface PreparedEntry {
  fields: Omit<HashedFields, 'prev_hash' | 'seq'>;
  /** the values of ENTRY_COLUMNS but seq, prev_hash and hash, in their order */
  values: unknown[];
  text: { prefix: string; middle: string; suffix: string };
}

function prepareEntry(input: ActivityInput): PreparedEntry {
  const treeId = (input.treeId ?? PLATFORM_TREE_ID).toLowerCase();
  const path = input.targetAccountPath.map((id) => id.toLowerCase());
  const actingAccountId = input.actingAccountId !== undefined ? input.actingAccountId : (input.principal.actingAccountId ?? null);
  const fields: Omit<HashedFields, 'prev_hash' | 'seq'> = {
    id: crypto.randomUUID(),
    tree_id: treeId,
    // Milliseconds survive the timestamptz round trip exactly, so the verifier re-hashes the same text.
    occurred_at: new Date().toISOString(),
    actor_kind: input.principal.kind,
    actor_id: input.principal.id ?? null,
    acting_account_id: actingAccountId?.toLowerCase() ?? null,
    target_account_id: path.length ? path[path.length - 1] : null,
    target_account_path: path,
    action: input.action,
    target_type: input.targetType ?? null,
    target_id: input.targetId ?? null,
    before: toJson(input.before),
    after: toJson(input.after),
  };
  const values = [
    fields.id, fields.tree_id, fields.occurred_at, fields.actor_kind, fields.actor_id, fields.acting_account_id,
    fields.target_account_id, fields.target_account_path, fields.action, fields.target_type, fields.target_id,
    fields.before === null ? null : JSON.stringify(fields.before),
    fields.after === null ? null : JSON.stringify(fields.after),
  ];
  return { fields, values, text: hashedTextAroundHead(fields) };
}

/**
 * The CTEs `head`, `next`, `entry` and `head_moved` of the one-statement append (the tree has a
 * head): the head locked (`FOR UPDATE` waits for the previous appender and reads the head it
 * committed) when `when` holds, the entry hashed in PostgreSQL (sha256 of the canonical text built
 * in the process with the head's hash and seq put in), entry and new head written. Parameters from
 * `$<first>`: the 13 values of PreparedEntry, then the text's prefix, middle and suffix.
 */
function headAppendCtes(s: string, log: AuditLog, first: number, when = 'true'): string {
  const $ = (n: number) => `$${first + n - 1}`;
  return `head AS (
       SELECT seq, hash FROM ${s}.${log}_heads WHERE tree_id = ${$(2)} AND (${when}) FOR UPDATE
     ), next AS (
       SELECT seq + 1 AS seq, hash AS prev_hash, encode(sha256(convert_to(${$(14)}::text || hash || ${$(15)}::text || (seq + 1)::text || ${$(16)}::text, 'UTF8')), 'hex') AS hash FROM head
     ), entry AS (
       INSERT INTO ${s}.${log} (${ENTRY_COLUMNS})
       SELECT ${$(1)}, ${$(2)}, next.seq, ${$(3)}, ${$(4)}, ${$(5)}, ${$(6)}, ${$(7)}, ${$(8)}::uuid[], ${$(9)}, ${$(10)}, ${$(11)}, ${$(12)}::jsonb, ${$(13)}::jsonb, next.prev_hash, next.hash FROM next
     ), head_moved AS (
       UPDATE ${s}.${log}_heads h SET seq = next.seq, hash = next.hash FROM next WHERE h.tree_id = ${$(2)}
     )`;
}

const headAppendParameters = (entry: PreparedEntry): unknown[] => [...entry.values, entry.text.prefix, entry.text.middle, entry.text.suffix];

/** The entry PostgreSQL appended, its hash checked against entryHash before the transaction can commit. */
function checkedAppend(s: string, log: AuditLog, entry: PreparedEntry, appended: { seq: string; prev_hash: string; hash: string }): { id: string; seq: number; hash: string } {
  const hash = entryHash({ ...entry.fields, prev_hash: appended.prev_hash, seq: appended.seq });
  if (hash !== appended.hash) throw new Error(`${s}.${log}: the entry's hash in PostgreSQL differs from entryHash`);
  return { id: entry.fields.id, seq: Number(appended.seq), hash };
}

/**
 * Appends one entry to `<schema>.activity_log` with the caller's transaction (`db` must be the
 * transaction's EntityManager or QueryRunner). Entries of one tree are serialised by the lock of
 * the tree's head row, held until the transaction ends.
 *
 * One statement when the tree has a head (every entry but a tree's first; issue 19): it locks the
 * head (`FOR UPDATE` waits for the previous appender and reads the head it committed), hashes the
 * entry in PostgreSQL (sha256 of the canonical text built here, with the head's hash and seq put
 * in), and writes the entry and the new head. The hash is checked here against entryHash before
 * the transaction can commit, so the verifier's hash and this one cannot drift apart unnoticed.
 */
export async function appendActivity(db: Sql, schema: string, input: ActivityInput, log: AuditLog = 'activity_log'): Promise<{ id: string; seq: number; hash: string }> {
  const s = assertSchema(schema);
  const entry = prepareEntry(input);
  const [appended]: { seq: string; prev_hash: string; hash: string }[] = await db.query(
    `WITH ${headAppendCtes(s, log, 1)}
     SELECT seq::text AS seq, prev_hash, hash FROM next`,
    headAppendParameters(entry),
  );
  if (appended) return checkedAppend(s, log, entry, appended);
  return appendFirstOfTree(db, s, log, entry);
}

/**
 * A tree without a head yet is started under an advisory lock, and its head is then read the
 * same way (an appender that found the row never takes that lock).
 */
async function appendFirstOfTree(db: Sql, s: string, log: AuditLog, entry: PreparedEntry): Promise<{ id: string; seq: number; hash: string }> {
  const { fields, values } = entry;
  await db.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${log}:${s}:${fields.tree_id}`]);
  const heads: { seq: string; hash: string }[] = await db.query(`SELECT seq, hash FROM ${s}.${log}_heads WHERE tree_id = $1 FOR UPDATE`, [fields.tree_id]);
  const prevSeq = heads.length ? Number(heads[0].seq) : 0;
  const prevHash = heads.length ? heads[0].hash : GENESIS_HASH;
  const hash = entryHash({ ...fields, prev_hash: prevHash, seq: String(prevSeq + 1) });
  // The entry and the tree's new head in one statement.
  await db.query(
    `WITH entry AS (
       INSERT INTO ${s}.${log} (${ENTRY_COLUMNS})
       VALUES ($1, $2, $14, $3, $4, $5, $6, $7, $8::uuid[], $9, $10, $11, $12::jsonb, $13::jsonb, $15, $16)
     )
     INSERT INTO ${s}.${log}_heads (tree_id, seq, hash) VALUES ($2, $14, $16)
     ON CONFLICT (tree_id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash`,
    [...values, String(prevSeq + 1), prevHash, hash],
  );
  return { id: fields.id, seq: prevSeq + 1, hash };
}

/**
 * The entry's part of a caller's own statement that is its transaction by itself (no BEGIN: e.g. a
 * send's one statement): the CTEs `head`, `next`, `entry` and `head_moved` (parameters from
 * `$<firstParameter>`, `parameters` theirs), the head locked only when `when` holds; the statement
 * must answer `next.seq::text`, `next.prev_hash` and `next.hash` (none: the tree has no head yet,
 * and the caller must refuse the statement and append with appendActivity). The canonical text
 * around the head is checked against entryHash before the statement (`check`), as the transaction's
 * appenders check the hash before their commit; `appended` checks the hash PostgreSQL wrote.
 */
export function activityAppendPart(schema: string, input: ActivityInput, firstParameter: number, when: string, log: AuditLog = 'activity_log') {
  const s = assertSchema(schema);
  const entry = prepareEntry(input);
  const sampleHash = 'f'.repeat(64);
  const text = entry.text;
  const sampleText = `${text.prefix}${sampleHash}${text.middle}1${text.suffix}`;
  if (crypto.createHash('sha256').update(sampleText, 'utf8').digest('hex') !== entryHash({ ...entry.fields, prev_hash: sampleHash, seq: '1' })) {
    throw new Error(`${s}.${log}: the text hashed around the head differs from entryHash's`);
  }
  return {
    ctes: headAppendCtes(s, log, firstParameter, when),
    parameters: headAppendParameters(entry),
    appended: (row: { seq: string; prev_hash: string; hash: string }) => checkedAppend(s, log, entry, row),
  };
}

/**
 * A caller's own statement and the entry in one statement (issue 19: a send's SMS counters and its
 * entry, so the rows every send of a tree shares are held for one round trip and the commit, not
 * two). `lead.ctes` are the caller's CTEs (`WITH` left out; parameters `$1`… of `lead.parameters`);
 * the entry is appended after them, and only when `lead.when` (a boolean SQL expression over them,
 * e.g. "every limit held") is true: the tree's head is locked last, and not at all when the
 * caller's work refuses (its transaction then rolls back). `lead.answer` is a SQL expression over
 * the CTEs, answered as it is. A tree without a head yet gets its first entry by appendActivity's
 * advisory-lock path, in further statements.
 */
export async function appendActivityAfter(
  db: Sql,
  schema: string,
  input: ActivityInput,
  lead: { ctes: string; parameters: unknown[]; when: string; answer: string },
  log: AuditLog = 'activity_log',
): Promise<{ answer: unknown; entry: { id: string; seq: number; hash: string } | null }> {
  const s = assertSchema(schema);
  const entry = prepareEntry(input);
  const [row]: { answer: unknown; allowed: boolean; seq: string | null; prev_hash: string; hash: string }[] = await db.query(
    `WITH ${lead.ctes},
     ${headAppendCtes(s, log, lead.parameters.length + 1, lead.when)}
     SELECT (${lead.answer}) AS answer, (${lead.when}) AS allowed, next.seq::text AS seq, next.prev_hash, next.hash
       FROM (SELECT 1) AS one LEFT JOIN next ON true`,
    [...lead.parameters, ...headAppendParameters(entry)],
  );
  if (!row.allowed) return { answer: row.answer, entry: null };
  if (row.seq !== null) return { answer: row.answer, entry: checkedAppend(s, log, entry, { seq: row.seq, prev_hash: row.prev_hash, hash: row.hash }) };
  return { answer: row.answer, entry: await appendFirstOfTree(db, s, log, entry) };
}

export type ActivityLogProblemKind = 'HASH_MISMATCH' | 'BROKEN_LINK' | 'SEQUENCE_GAP' | 'MISSING_TAIL';

export interface ActivityLogProblem {
  schema: string;
  treeId: string;
  seq: number;
  kind: ActivityLogProblemKind;
}

export interface ActivityLogVerification {
  valid: boolean;
  checkedEntries: number;
  problems: ActivityLogProblem[];
}

/**
 * Re-walks the hash chain of one tree (or every tree) in `<schema>.activity_log`: an edited row
 * fails its own hash, a deleted one leaves a gap and a broken link, reordered rows fail their
 * hashes (seq is hashed), and deleted newest rows disagree with the head table.
 */
export async function verifyActivityLog(db: Sql, schema: string, treeId?: string, log: AuditLog = 'activity_log'): Promise<ActivityLogVerification> {
  const s = assertSchema(schema);
  const rows: (Omit<HashedFields, 'occurred_at'> & { occurred_at: Date; hash: string })[] = await db.query(
    `SELECT id, tree_id, seq::text AS seq, occurred_at, actor_kind, actor_id, acting_account_id, target_account_id,
            target_account_path, action, target_type, target_id, before, after, prev_hash, hash
       FROM ${s}.${log} ${treeId ? 'WHERE tree_id = $1' : ''}
      ORDER BY tree_id, ${s}.${log}.seq`,
    treeId ? [treeId] : [],
  );
  const heads: { tree_id: string; seq: string; hash: string }[] = await db.query(
    `SELECT tree_id, seq::text AS seq, hash FROM ${s}.${log}_heads ${treeId ? 'WHERE tree_id = $1' : ''}`,
    treeId ? [treeId] : [],
  );
  const problems: ActivityLogProblem[] = [];
  const last = new Map<string, { seq: number; hash: string }>();
  for (const row of rows) {
    const seq = Number(row.seq);
    const previous = last.get(row.tree_id) ?? { seq: 0, hash: GENESIS_HASH };
    const { hash, ...rest } = row;
    const recomputed = entryHash({ ...rest, occurred_at: row.occurred_at.toISOString() });
    if (recomputed !== hash) problems.push({ schema: s, treeId: row.tree_id, seq, kind: 'HASH_MISMATCH' });
    if (seq !== previous.seq + 1) problems.push({ schema: s, treeId: row.tree_id, seq, kind: 'SEQUENCE_GAP' });
    if (row.prev_hash !== previous.hash) problems.push({ schema: s, treeId: row.tree_id, seq, kind: 'BROKEN_LINK' });
    last.set(row.tree_id, { seq, hash });
  }
  for (const head of heads) {
    const tail = last.get(head.tree_id);
    if (!tail || tail.seq !== Number(head.seq) || tail.hash !== head.hash) {
      problems.push({ schema: s, treeId: head.tree_id, seq: Number(head.seq), kind: 'MISSING_TAIL' });
    }
  }
  return { valid: problems.length === 0, checkedEntries: rows.length, problems };
}

/** Schemas that hold an activity log today (the union the identity subgraph reads). */
export async function activityLogSchemas(db: Sql, log: AuditLog = 'activity_log'): Promise<string[]> {
  const rows: { table_schema: string }[] = await db.query(
    `SELECT table_schema FROM information_schema.tables WHERE table_name = $1 AND table_type = 'BASE TABLE' ORDER BY table_schema`,
    [log],
  );
  return rows.map((r) => r.table_schema).filter((s) => SCHEMA_PATTERN.test(s));
}
