import { keysetSql, prepared, queryRows, type PageRequest, type Sql } from '@platform/db';
import { rootAccountIdOf, type AccountChain } from '@platform/authz';
import type { GroupShareAccess } from '../__generated__/resolvers-types';

export interface ContactRow {
  id: string;
  accountId: string;
  phoneNumber: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  createdAt: Date;
  optedOut: boolean;
}

export interface GroupRow {
  id: string;
  accountId: string;
  name: string;
  sharedAccess: GroupShareAccess | null;
  createdAt: Date;
}

/** A contact's fields as written: a phone number in E.164 and validated names and email. */
export interface ContactValues {
  phone: string;
  first: string | null;
  last: string | null;
  email: string | null;
}

const CONTACT_COLUMNS = `c.id, c.account_id AS "accountId", c.phone_number AS "phoneNumber", c.first_name AS "firstName", c.last_name AS "lastName",
  c.email, c.created_at AS "createdAt",
  EXISTS (SELECT 1 FROM messaging.opt_outs o WHERE o.account_id = c.account_id AND o.phone_number = c.phone_number) AS "optedOut"`;
const GROUP_COLUMNS = 'id, account_id AS "accountId", name, shared_access AS "sharedAccess", created_at AS "createdAt"';

/** SQL: contact `c` is in the dedupe scope of NumberPolicy.dedupeGroupIds, given as the uuid[] parameter `param` (NULL = the whole account). */
const IN_DEDUPE_SCOPE = (param: string) =>
  `(${param}::uuid[] IS NULL OR c.id IN (SELECT contact_id FROM messaging.group_members WHERE group_id = ANY(${param}::uuid[])))`;

export async function findContact(db: Sql, id: string): Promise<ContactRow | null> {
  const [contact] = await queryRows<ContactRow>(db, `SELECT ${CONTACT_COLUMNS} FROM messaging.contacts c WHERE c.id = $1`, [id]);
  return contact ?? null;
}

/** Which contacts a list shows (SPEC M5, I6); every criterion that is not null narrows it. */
export interface ContactListQuery {
  accountId: string;
  /** the groups whose members are listed: with the account's own contacts (groups shared down), or only them when `restrictToGroups` */
  groupIds: string[];
  restrictToGroups: boolean;
  /** a substring of the first name, last name or email (any case), or of the number when `searchDigits` */
  search: string | null;
  searchDigits: string | null;
  /** the groups whose members' numbers the caller sees in full, the only ones a number search may match (null = every contact) */
  numberSearchGroupIds: string[] | null;
  optedOut: boolean | null;
}

/** The orders of a contact list: each a total order (its last column is the unique id). */
export const CONTACT_ORDERS = {
  CREATED_AT: { key: 'c.created_at::text', columns: ['c.created_at', 'c.id'], types: ['timestamptz', 'uuid'] },
  NAME: { key: `lower(coalesce(c.last_name, '') || ' ' || coalesce(c.first_name, ''))`, columns: [`lower(coalesce(c.last_name, '') || ' ' || coalesce(c.first_name, ''))`, 'c.id'], types: ['text', 'uuid'] },
} as const;

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function contactListWhere(query: ContactListQuery): { where: string; parameters: unknown[] } {
  const parameters: unknown[] = [query.groupIds, query.accountId, query.search === null ? null : likePattern(query.search), query.searchDigits === null ? null : likePattern(query.searchDigits), query.numberSearchGroupIds, query.optedOut];
  const inGroups = `c.id IN (SELECT contact_id FROM messaging.group_members WHERE group_id = ANY($1::uuid[]))`;
  // Every parameter is typed even when unused: PostgreSQL refuses a parameter whose type it cannot determine.
  // Without shared groups the list is the account's alone, which its (account_id, created_at, id) index pages.
  const where = `${query.restrictToGroups ? `${inGroups} AND $2::uuid IS NOT NULL` : query.groupIds.length === 0 ? `c.account_id = $2::uuid AND $1::uuid[] IS NOT NULL` : `(c.account_id = $2::uuid OR ${inGroups})`}
        AND ($3::text IS NULL OR c.first_name ILIKE $3 OR c.last_name ILIKE $3 OR c.email ILIKE $3
             OR ($4::text IS NOT NULL AND c.phone_number LIKE $4
                 AND ($5::uuid[] IS NULL OR c.id IN (SELECT contact_id FROM messaging.group_members WHERE group_id = ANY($5::uuid[])))))
        AND ($6::boolean IS NULL OR EXISTS (SELECT 1 FROM messaging.opt_outs o WHERE o.account_id = c.account_id AND o.phone_number = c.phone_number) = $6)`;
  return { where, parameters };
}

/** A page of the contacts of `query` in `order` (a keyset page of @platform/db). */
export function contactsPage(db: Sql, query: ContactListQuery, order: keyof typeof CONTACT_ORDERS, page: PageRequest<readonly [string, string]>): Promise<(ContactRow & { sortKey: string })[]> {
  const { where, parameters } = contactListWhere(query);
  const sort = CONTACT_ORDERS[order];
  const keyset = keysetSql(page, { columns: sort.columns, types: sort.types, order: 'ASC', firstParameter: parameters.length + 1 });
  return queryRows<ContactRow & { sortKey: string }>(
    db,
    `SELECT ${CONTACT_COLUMNS}, ${sort.key} AS "sortKey" FROM messaging.contacts c
      WHERE ${where} AND ${keyset.where}
      ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}`,
    [...parameters, ...keyset.parameters],
  );
}

/** How many contacts `query` lists. */
export async function countContacts(db: Sql, query: ContactListQuery): Promise<number> {
  const { where, parameters } = contactListWhere(query);
  const [row] = await queryRows<{ count: number }>(db, `SELECT count(*)::int AS count FROM messaging.contacts c WHERE ${where}`, parameters);
  return row.count;
}

/** SQL: a group of account $1, or of an ancestor in $2 shared with an access of $3 (SPEC M5). */
const GROUPS_OF_CHAIN = '(account_id = $1 OR (account_id = ANY($2::uuid[]) AND shared_access = ANY($3::text[])))';

/** Groups the account may use: its own, and its ancestors' groups shared with one of `accesses` (SPEC M5). */
export function groupsOfChain(db: Sql, chain: AccountChain, groupIds: string[] | null, accesses: GroupShareAccess[]): Promise<GroupRow[]> {
  return queryRows<GroupRow>(
    db,
    `SELECT ${GROUP_COLUMNS} FROM messaging.contact_groups
      WHERE ${GROUPS_OF_CHAIN} AND ($4::uuid[] IS NULL OR id = ANY($4::uuid[]))
      ORDER BY created_at, id`,
    [chain.id, chain.path.filter((id) => id !== chain.id), accesses, groupIds],
  );
}

export interface GroupListQuery {
  /** the caller's selected groups (null = every group) */
  selectedGroupIds: string[] | null;
  /** a substring of the name (any case) */
  search: string | null;
}

/** SQL and parameters ($1–$5) of the groups the account may use (as `groupsOfChain`) that `query` lists. */
function groupListWhere(chain: AccountChain, query: GroupListQuery) {
  return {
    where: `${GROUPS_OF_CHAIN} AND ($4::uuid[] IS NULL OR id = ANY($4::uuid[])) AND ($5::text IS NULL OR name ILIKE $5)`,
    parameters: [chain.id, chain.path.filter((id) => id !== chain.id), ['READ', 'READ_SEND'], query.selectedGroupIds, query.search === null ? null : likePattern(query.search)],
  };
}

/** A page of the groups `query` lists, oldest first. */
export function groupsPage(db: Sql, chain: AccountChain, query: GroupListQuery, page: PageRequest<readonly [string, string]>): Promise<(GroupRow & { sortKey: string })[]> {
  const { where, parameters } = groupListWhere(chain, query);
  const keyset = keysetSql(page, { columns: ['created_at', 'id'], types: ['timestamptz', 'uuid'], order: 'ASC', firstParameter: parameters.length + 1 });
  return queryRows<GroupRow & { sortKey: string }>(
    db,
    `SELECT ${GROUP_COLUMNS}, created_at::text AS "sortKey" FROM messaging.contact_groups
      WHERE ${where} AND ${keyset.where}
      ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}`,
    [...parameters, ...keyset.parameters],
  );
}

export async function countGroups(db: Sql, chain: AccountChain, query: GroupListQuery): Promise<number> {
  const { where, parameters } = groupListWhere(chain, query);
  const [row] = await queryRows<{ count: number }>(db, `SELECT count(*)::int AS count FROM messaging.contact_groups WHERE ${where}`, parameters);
  return row.count;
}

export async function findGroup(db: Sql, id: string): Promise<GroupRow | null> {
  const [group] = await queryRows<GroupRow>(db, `SELECT ${GROUP_COLUMNS} FROM messaging.contact_groups WHERE id = $1`, [id]);
  return group ?? null;
}

/** Contact writes of one account are serialised so that deduplication holds under concurrency. */
export const lockContacts = (tx: Sql, accountId: string) => tx.query(`SELECT pg_advisory_xact_lock(hashtext('messaging.contacts:' || $1))`, [accountId]);

export async function addGroupMembers(tx: Sql, groupId: string, contactIds: string[]): Promise<void> {
  await tx.query(`INSERT INTO messaging.group_members (group_id, contact_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`, [groupId, contactIds]);
}

export async function removeGroupMembers(tx: Sql, groupId: string, contactIds: string[]): Promise<void> {
  await tx.query(`DELETE FROM messaging.group_members WHERE group_id = $1 AND contact_id = ANY($2::uuid[])`, [groupId, contactIds]);
}

/** Merges the values into the account's contact of that number within the dedupe scope; the contact's id, or null when there is none. */
export async function mergeIntoContact(tx: Sql, accountId: string, values: ContactValues, dedupeGroupIds: string[] | null): Promise<string | null> {
  const [contact] = await queryRows<{ id: string }>(
    tx,
    `UPDATE messaging.contacts c SET first_name = coalesce($3, first_name), last_name = coalesce($4, last_name), email = coalesce($5, email), updated_at = now()
      WHERE account_id = $1 AND phone_number = $2 AND ${IN_DEDUPE_SCOPE('$6')} RETURNING id`,
    [accountId, values.phone, values.first, values.last, values.email, dedupeGroupIds],
  );
  return contact?.id ?? null;
}

export async function insertContact(tx: Sql, accountId: string, values: ContactValues): Promise<string> {
  const [contact] = await queryRows<{ id: string }>(
    tx,
    `INSERT INTO messaging.contacts (account_id, phone_number, first_name, last_name, email) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [accountId, values.phone, values.first, values.last, values.email],
  );
  return contact.id;
}

export async function numberTaken(tx: Sql, accountId: string, phone: string, dedupeGroupIds: string[] | null): Promise<boolean> {
  const [clash] = await tx.query(`SELECT 1 FROM messaging.contacts c WHERE account_id = $1 AND phone_number = $2 AND ${IN_DEDUPE_SCOPE('$3')}`, [accountId, phone, dedupeGroupIds]);
  return Boolean(clash);
}

/** Sets the number when given, and each name field whose `set` flag is true (to its value, null clears it). */
export async function updateContactFields(
  tx: Sql,
  id: string,
  change: { phone: string | null; first: { set: boolean; value: string | null }; last: { set: boolean; value: string | null }; email: { set: boolean; value: string | null } },
): Promise<void> {
  await tx.query(
    `UPDATE messaging.contacts SET phone_number = coalesce($2, phone_number),
       first_name = CASE WHEN $3::boolean THEN $4 ELSE first_name END,
       last_name = CASE WHEN $5::boolean THEN $6 ELSE last_name END,
       email = CASE WHEN $7::boolean THEN $8 ELSE email END, updated_at = now()
      WHERE id = $1`,
    [id, change.phone, change.first.set, change.first.value, change.last.set, change.last.value, change.email.set, change.email.value],
  );
}

export async function deleteContact(tx: Sql, id: string): Promise<void> {
  await tx.query(`DELETE FROM messaging.contacts WHERE id = $1`, [id]);
}

/**
 * One batch of imported rows: inserted as they are when duplicates are allowed, else merged into the
 * stored contact of the same number in the dedupe scope (`merged`) or inserted.
 */
export function writeImportBatch(tx: Sql, accountId: string, rows: ContactValues[], dedupe: { duplicatesAllowed: boolean; groupIds: string[] | null }): Promise<{ id: string; merged: boolean }[]> {
  const columns = [rows.map((r) => r.phone), rows.map((r) => r.first), rows.map((r) => r.last), rows.map((r) => r.email)];
  if (dedupe.duplicatesAllowed) {
    return queryRows<{ id: string; merged: boolean }>(
      tx,
      `INSERT INTO messaging.contacts (account_id, phone_number, first_name, last_name, email, root_account_id)
       SELECT $1, i.phone, i.first_name, i.last_name, i.email, ${rootAccountIdOf('$1::uuid')} FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS i(phone, first_name, last_name, email)
       RETURNING id, false AS merged`,
      [accountId, ...columns],
    );
  }
  return queryRows<{ id: string; merged: boolean }>(
    tx,
    `WITH input AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS i(phone, first_name, last_name, email)),
          updated AS (UPDATE messaging.contacts c SET first_name = coalesce(i.first_name, c.first_name), last_name = coalesce(i.last_name, c.last_name),
                             email = coalesce(i.email, c.email), updated_at = now()
                        FROM input i WHERE c.account_id = $1 AND c.phone_number = i.phone AND ${IN_DEDUPE_SCOPE('$6')} RETURNING c.id),
          inserted AS (INSERT INTO messaging.contacts (account_id, phone_number, first_name, last_name, email, root_account_id)
                       SELECT $1, i.phone, i.first_name, i.last_name, i.email, ${rootAccountIdOf('$1::uuid')} FROM input i
                        WHERE NOT EXISTS (SELECT 1 FROM messaging.contacts c WHERE c.account_id = $1 AND c.phone_number = i.phone AND ${IN_DEDUPE_SCOPE('$6')})
                       RETURNING id)
     SELECT id, true AS merged FROM updated UNION ALL SELECT id, false AS merged FROM inserted`,
    [accountId, ...columns, dedupe.groupIds],
  );
}

/** The account's contacts among `ids`, each with its group ids. */
export function contactsWithGroups(tx: Sql, accountId: string, ids: string[]): Promise<{ id: string; group_ids: string[] }[]> {
  return queryRows<{ id: string; group_ids: string[] }>(
    tx,
    `SELECT c.id, coalesce(array_agg(m.group_id) FILTER (WHERE m.group_id IS NOT NULL), '{}') AS group_ids
       FROM messaging.contacts c LEFT JOIN messaging.group_members m ON m.contact_id = c.id
      WHERE c.id = ANY($1::uuid[]) AND c.account_id = $2 GROUP BY c.id`,
    [ids, accountId],
  );
}

export async function insertGroup(tx: Sql, accountId: string, name: string, sharedAccess: GroupShareAccess | null): Promise<GroupRow> {
  const [group] = await queryRows<GroupRow>(tx, `INSERT INTO messaging.contact_groups (account_id, name, shared_access) VALUES ($1, $2, $3) RETURNING ${GROUP_COLUMNS}`, [accountId, name, sharedAccess]);
  return group;
}

/** Renames when `name` is given; sets the shared access when `sharedAccess.set`. */
export async function updateGroup(tx: Sql, id: string, name: string | null, sharedAccess: { set: boolean; value: GroupShareAccess | null }): Promise<GroupRow> {
  const [group] = await queryRows<GroupRow>(
    tx,
    `UPDATE messaging.contact_groups SET name = coalesce($2, name), shared_access = CASE WHEN $3::boolean THEN $4 ELSE shared_access END
      WHERE id = $1 RETURNING ${GROUP_COLUMNS}`,
    [id, name, sharedAccess.set, sharedAccess.value],
  );
  return group;
}

export async function deleteGroup(tx: Sql, id: string): Promise<void> {
  await tx.query(`DELETE FROM messaging.contact_groups WHERE id = $1`, [id]);
}

/** Group ids of each contact (a DataLoader batch). */
export function groupIdsOfContacts(db: Sql, contactIds: readonly string[]): Promise<{ contact_id: string; group_ids: string[] }[]> {
  return queryRows(db, `SELECT contact_id, array_agg(group_id) AS group_ids FROM messaging.group_members WHERE contact_id = ANY($1::uuid[]) GROUP BY contact_id`, [contactIds]);
}

/** Number of contacts of each group (a DataLoader batch). */
export function contactCountsOfGroups(db: Sql, groupIds: readonly string[]): Promise<{ group_id: string; count: number }[]> {
  return queryRows(db, `SELECT group_id, count(*)::int AS count FROM messaging.group_members WHERE group_id = ANY($1::uuid[]) GROUP BY group_id`, [groupIds]);
}

/** Removes the number's opt-out of the account; false when it had none. */
export async function deleteOptOut(tx: Sql, accountId: string, phone: string): Promise<boolean> {
  const removed = await queryRows<{ phone_number: string }>(tx, `DELETE FROM messaging.opt_outs WHERE account_id = $1 AND phone_number = $2 RETURNING phone_number`, [accountId, phone]);
  return removed.length > 0;
}

/** The fields a template placeholder may name. */
export interface ContactFields {
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}

export function contactFieldsOf(db: Sql, ids: string[]): Promise<(ContactFields & { id: string })[]> {
  return queryRows(db, `SELECT id, first_name, last_name, email FROM messaging.contacts WHERE id = ANY($1::uuid[])`, [ids]);
}

/** The contacts sent to by id (the account's own when `ownContacts`, else those in `sendableGroupIds`) and the members of `groupIds`. */
export function recipientContacts(
  db: Sql,
  chain: AccountChain,
  selection: { contactIds: string[]; groupIds: string[]; ownContacts: boolean; sendableGroupIds: string[] },
): Promise<{ id: string; phone_number: string }[]> {
  return queryRows<{ id: string; phone_number: string }>(
    db,
    `SELECT c.id, c.phone_number FROM messaging.contacts c
      WHERE (c.id = ANY($1::uuid[]) AND ((c.account_id = $3 AND $4::boolean) OR c.id IN (SELECT contact_id FROM messaging.group_members WHERE group_id = ANY($5::uuid[]))))
         OR c.id IN (SELECT contact_id FROM messaging.group_members WHERE group_id = ANY($2::uuid[]))`,
    [selection.contactIds, selection.groupIds, chain.id, selection.ownContacts, selection.sendableGroupIds],
  );
}

/** Those of `phones` that opted out of the account. */
export async function optedOutNumbers(db: Sql, accountId: string, phones: string[]): Promise<Set<string>> {
  const rows = await queryRows<{ phone_number: string }>(db, prepared(optedOutSql('$1', '$2::text[]')), [accountId, phones]);
  return new Set(rows.map((r) => r.phone_number));
}

/** optedOutNumbers as a part of a caller's statement: the numbers among `phones` (a text[]) that opted out of `account`, as rows of `phone_number`. */
export const optedOutSql = (account: string, phones: string) => `SELECT phone_number FROM messaging.opt_outs WHERE account_id = ${account} AND phone_number = ANY(${phones})`;

/** Records the number's opt-out of the account; false when it had opted out already. */
export async function insertOptOut(tx: Sql, accountId: string, phone: string, keyword: string): Promise<boolean> {
  const added = await queryRows<{ phone_number: string }>(
    tx,
    `INSERT INTO messaging.opt_outs (account_id, phone_number, keyword) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING phone_number`,
    [accountId, phone, keyword],
  );
  return added.length > 0;
}
