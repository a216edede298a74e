import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { EntityManager } from 'typeorm';
import { loadEffectiveSettingsAlongPath, type AccountChain } from '@platform/authz';
import { AppError, assertId, assertName, errors } from '@platform/errors';
import { queryRows } from '@platform/db';
import type { MessagingContext } from '../context';
import { isCountryCode, requireE164, toE164 } from '../phone';
import { mutate, numberPolicy, requireActiveChain, requireEditableContact } from './access';

export interface ContactRow {
  id: string;
  account_id: string;
  phone_number: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  created_at: Date;
  opted_out: boolean;
}

export interface GroupRow {
  id: string;
  account_id: string;
  name: string;
  shared_access: 'READ' | 'READ_SEND' | null;
  created_at: Date;
}

export interface ContactInput {
  phoneNumber?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  groupIds?: string[] | null;
  defaultCountry?: string | null;
}

const CONTACT_COLUMNS = `c.id, c.account_id, c.phone_number, c.first_name, c.last_name, c.email, c.created_at,
  EXISTS (SELECT 1 FROM messaging.opt_outs o WHERE o.account_id = c.account_id AND o.phone_number = c.phone_number) AS opted_out`;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const IMPORT_BATCH = 500;
const MAX_IMPORT_ROWS = 100_000;

function optionalText(value: string | null | undefined, field: string, max = 100): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  return assertName(value, field, max);
}

function optionalEmail(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw errors.badInput('email is not a valid address', 'email');
  return email;
}

function country(ctx: MessagingContext, value: string | null | undefined): string {
  if (value === null || value === undefined) return ctx.config.messaging.defaultCountry;
  const code = value.toUpperCase();
  if (!isCountryCode(code)) throw errors.badInput('defaultCountry must be an ISO 3166 alpha-2 code such as GB', 'defaultCountry');
  return code;
}

async function allowsDuplicates(tx: EntityManager, chain: AccountChain): Promise<boolean> {
  const settings = await loadEffectiveSettingsAlongPath(tx, chain.path);
  return settings[settings.length - 1].values.allowDuplicateContacts;
}

/** Contact writes of one account are serialised so that deduplication holds under concurrency. */
const lockContacts = (tx: EntityManager, accountId: string) => tx.query(`SELECT pg_advisory_xact_lock(hashtext('messaging.contacts:' || $1))`, [accountId]);

/** SQL: contact `c` is in the dedupe scope of NumberPolicy.dedupeGroupIds, given as the uuid[] parameter `param` (NULL = the whole account). */
const IN_DEDUPE_SCOPE = (param: string) =>
  `(${param}::uuid[] IS NULL OR c.id IN (SELECT contact_id FROM messaging.group_members WHERE group_id = ANY(${param}::uuid[])))`;

/** Groups the account may use: its own, and its ancestors' groups shared down (SPEC M5), narrowed by I6. */
export async function usableGroups(ctx: MessagingContext, db: { query(sql: string, p?: unknown[]): Promise<any> }, chain: AccountChain, groupIds: string[] | null, purpose: 'read' | 'send'): Promise<GroupRow[]> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const policy = await numberPolicy(ctx, chain.id);
  const rows = await queryRows<GroupRow>(
    db,
    `SELECT id, account_id, name, shared_access, created_at FROM messaging.contact_groups
      WHERE (account_id = $1 OR (account_id = ANY($2::uuid[]) AND shared_access = ANY($3::text[])))
        AND ($4::uuid[] IS NULL OR id = ANY($4::uuid[]))
      ORDER BY created_at, id`,
    [chain.id, chain.path.filter((id) => id !== chain.id), purpose === 'send' ? ['READ_SEND'] : ['READ', 'READ_SEND'], groupIds],
  );
  return policy.selectedGroupIds ? rows.filter((g) => policy.selectedGroupIds!.has(g.id)) : rows;
}

async function ownGroup(ctx: MessagingContext, tx: EntityManager, chain: AccountChain, groupId: string): Promise<GroupRow> {
  const [group] = await usableGroups(ctx, tx, chain, [assertId(groupId, 'groupId')], 'read');
  if (!group || group.account_id !== chain.id) throw errors.notFound('Contact group');
  return group;
}

async function loadContactForWrite(ctx: MessagingContext, id: string): Promise<{ contact: ContactRow; chain: AccountChain; groupIds: string[] }> {
  const [contact] = await queryRows<ContactRow>(ctx.dataSource, `SELECT ${CONTACT_COLUMNS} FROM messaging.contacts c WHERE c.id = $1`, [assertId(id)]);
  if (!contact || !(await ctx.access.canView(contact.account_id))) throw errors.notFound('Contact');
  const chain = await ctx.access.require(contact.account_id, 'contacts');
  requireActiveChain(chain);
  const groupIds = await ctx.loaders.groupIdsByContactId.load(contact.id);
  requireEditableContact(await numberPolicy(ctx, contact.account_id), groupIds);
  return { contact, chain, groupIds };
}

async function addToGroups(ctx: MessagingContext, tx: EntityManager, chain: AccountChain, groupIds: string[], contactIds: string[]): Promise<void> {
  for (const groupId of groupIds) {
    const group = await ownGroup(ctx, tx, chain, groupId);
    await tx.query(
      `INSERT INTO messaging.group_members (group_id, contact_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [group.id, contactIds],
    );
  }
}

export const ContactService = {
  async list(ctx: MessagingContext, accountId: string, groupId: string | null, first: number, after: string | null) {
    const chain = await ctx.access.require(accountId, 'account.view');
    if (first < 1 || first > 500) throw errors.badInput('first must be between 1 and 500', 'first');
    const groups = await usableGroups(ctx, ctx.dataSource, chain, groupId ? [assertId(groupId, 'groupId')] : null, 'read');
    if (groupId && groups.length === 0) throw errors.notFound('Contact group');
    const policy = await numberPolicy(ctx, accountId);
    const restrictToGroups = groupId !== null || policy.selectedGroupIds !== null;
    const cursor = after ? decodeCursor(after) : null;
    const rows = await queryRows<ContactRow>(
      ctx.dataSource,
      `SELECT ${CONTACT_COLUMNS} FROM messaging.contacts c
        WHERE ${restrictToGroups
          ? // $2 is typed even when unused: PostgreSQL refuses a parameter whose type it cannot determine
            `c.id IN (SELECT contact_id FROM messaging.group_members WHERE group_id = ANY($1::uuid[])) AND $2::uuid IS NOT NULL`
          : `(c.account_id = $2 OR c.id IN (SELECT contact_id FROM messaging.group_members WHERE group_id = ANY($1::uuid[])))`}
          AND ($3::timestamptz IS NULL OR (c.created_at, c.id) > ($3::timestamptz, $4::uuid))
        ORDER BY c.created_at, c.id LIMIT $5`,
      [groups.map((g) => g.id), chain.id, cursor?.at ?? null, cursor?.id ?? null, first + 1],
    );
    const page = rows.slice(0, first);
    const last = page[page.length - 1];
    return { nodes: page, hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last.created_at, last.id) : null };
  },

  async create(ctx: MessagingContext, accountId: string, input: ContactInput): Promise<ContactRow> {
    const chain = await ctx.access.require(accountId, 'contacts');
    requireActiveChain(chain);
    const policy = await numberPolicy(ctx, accountId);
    if (policy.selectedGroupIds && !(input.groupIds ?? []).some((g) => policy.fullGroupIds!.has(g))) {
      throw errors.forbidden('With selected contact groups, a new contact must go into one of your FULL groups');
    }
    const phone = requireE164(input.phoneNumber ?? '', country(ctx, input.defaultCountry));
    const values = { first: optionalText(input.firstName, 'firstName'), last: optionalText(input.lastName, 'lastName'), email: optionalEmail(input.email) };
    return mutate(ctx, chain, 'createContact', async (tx) => {
      await lockContacts(tx, chain.id);
      let [contact] = (await allowsDuplicates(tx, chain))
        ? []
        : await queryRows<{ id: string }>(
            tx,
            `UPDATE messaging.contacts c SET first_name = coalesce($3, first_name), last_name = coalesce($4, last_name), email = coalesce($5, email), updated_at = now()
              WHERE account_id = $1 AND phone_number = $2 AND ${IN_DEDUPE_SCOPE('$6')} RETURNING id`,
            [chain.id, phone, values.first, values.last, values.email, policy.dedupeGroupIds],
          );
      const merged = Boolean(contact);
      contact ??= (await queryRows<{ id: string }>(
        tx,
        `INSERT INTO messaging.contacts (account_id, phone_number, first_name, last_name, email) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [chain.id, phone, values.first, values.last, values.email],
      ))[0];
      await addToGroups(ctx, tx, chain, input.groupIds ?? [], [contact.id]);
      const [row] = await queryRows<ContactRow>(tx, `SELECT ${CONTACT_COLUMNS} FROM messaging.contacts c WHERE c.id = $1`, [contact.id]);
      return { result: row, targetType: 'Contact', targetId: row.id, after: { merged } };
    });
  },

  async update(ctx: MessagingContext, id: string, input: ContactInput): Promise<ContactRow> {
    const { contact, chain } = await loadContactForWrite(ctx, id);
    const policy = await numberPolicy(ctx, chain.id);
    const phone = input.phoneNumber ? requireE164(input.phoneNumber, country(ctx, input.defaultCountry)) : null;
    return mutate(ctx, chain, 'updateContact', async (tx) => {
      await lockContacts(tx, chain.id);
      if (phone && phone !== contact.phone_number && !(await allowsDuplicates(tx, chain))) {
        const [clash] = await tx.query(`SELECT 1 FROM messaging.contacts c WHERE account_id = $1 AND phone_number = $2 AND ${IN_DEDUPE_SCOPE('$3')}`, [chain.id, phone, policy.dedupeGroupIds]);
        if (clash) throw new AppError('ALREADY_EXISTS', 'Another contact of the account has this number');
      }
      await tx.query(
        `UPDATE messaging.contacts SET phone_number = coalesce($2, phone_number),
           first_name = CASE WHEN $3::boolean THEN $4 ELSE first_name END,
           last_name = CASE WHEN $5::boolean THEN $6 ELSE last_name END,
           email = CASE WHEN $7::boolean THEN $8 ELSE email END, updated_at = now()
          WHERE id = $1`,
        [contact.id, phone, input.firstName !== undefined, optionalText(input.firstName, 'firstName'), input.lastName !== undefined, optionalText(input.lastName, 'lastName'), input.email !== undefined, optionalEmail(input.email)],
      );
      if (input.groupIds) await addToGroups(ctx, tx, chain, input.groupIds, [contact.id]);
      const [row] = await queryRows<ContactRow>(tx, `SELECT ${CONTACT_COLUMNS} FROM messaging.contacts c WHERE c.id = $1`, [contact.id]);
      return { result: row, targetType: 'Contact', targetId: row.id };
    });
  },

  async remove(ctx: MessagingContext, id: string): Promise<string> {
    const { contact, chain } = await loadContactForWrite(ctx, id);
    return mutate(ctx, chain, 'deleteContact', async (tx) => {
      await tx.query(`DELETE FROM messaging.contacts WHERE id = $1`, [contact.id]);
      return { result: contact.id, targetType: 'Contact', targetId: contact.id };
    });
  },

  /**
   * CSV import (SPEC M5): a header row naming `phone` (or phone_number, phoneNumber, mobile) and
   * optionally first_name, last_name, email; rows are parsed as a stream and written in batches
   * of 500 in one transaction. Rejected rows are reported with their line and reason, never their number.
   */
  async importCsv(ctx: MessagingContext, accountId: string, csv: string, groupId: string | null, defaultCountry: string | null) {
    const chain = await ctx.access.require(accountId, 'contacts');
    requireActiveChain(chain);
    const policy = await numberPolicy(ctx, accountId);
    if (policy.selectedGroupIds && !(groupId && policy.fullGroupIds!.has(groupId))) {
      throw errors.forbidden('With selected contact groups, import into one of your FULL groups');
    }
    const countryCode = country(ctx, defaultCountry);
    return mutate(ctx, chain, 'importContacts', async (tx) => {
      if (groupId) await ownGroup(ctx, tx, chain, groupId);
      await lockContacts(tx, chain.id);
      const duplicatesAllowed = await allowsDuplicates(tx, chain);
      const report = { imported: 0, merged: 0, rejected: [] as { line: number; code: string; reason: string }[] };
      let batch: { phone: string; first: string | null; last: string | null; email: string | null }[] = [];
      /** Without duplicates, the rows of the unflushed batch by number: a repeated number merges into its row. */
      const pending = new Map<string, (typeof batch)[number]>();
      const flush = async () => {
        if (batch.length === 0) return;
        const rows = batch;
        batch = [];
        pending.clear();
        const written = await queryRows<{ id: string; merged: boolean }>(
          tx,
          duplicatesAllowed
            ? `INSERT INTO messaging.contacts (account_id, phone_number, first_name, last_name, email)
               SELECT $1, i.phone, i.first_name, i.last_name, i.email FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS i(phone, first_name, last_name, email)
               RETURNING id, false AS merged`
            : `WITH input AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS i(phone, first_name, last_name, email)),
                    updated AS (UPDATE messaging.contacts c SET first_name = coalesce(i.first_name, c.first_name), last_name = coalesce(i.last_name, c.last_name),
                                       email = coalesce(i.email, c.email), updated_at = now()
                                  FROM input i WHERE c.account_id = $1 AND c.phone_number = i.phone AND ${IN_DEDUPE_SCOPE('$6')} RETURNING c.id),
                    inserted AS (INSERT INTO messaging.contacts (account_id, phone_number, first_name, last_name, email)
                                 SELECT $1, i.phone, i.first_name, i.last_name, i.email FROM input i
                                  WHERE NOT EXISTS (SELECT 1 FROM messaging.contacts c WHERE c.account_id = $1 AND c.phone_number = i.phone AND ${IN_DEDUPE_SCOPE('$6')})
                                 RETURNING id)
               SELECT id, true AS merged FROM updated UNION ALL SELECT id, false AS merged FROM inserted`,
          duplicatesAllowed
            ? [chain.id, rows.map((r) => r.phone), rows.map((r) => r.first), rows.map((r) => r.last), rows.map((r) => r.email)]
            : [chain.id, rows.map((r) => r.phone), rows.map((r) => r.first), rows.map((r) => r.last), rows.map((r) => r.email), policy.dedupeGroupIds],
        );
        report.imported += written.filter((w) => !w.merged).length;
        report.merged += written.filter((w) => w.merged).length;
        if (groupId) await tx.query(`INSERT INTO messaging.group_members (group_id, contact_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`, [groupId, written.map((w) => w.id)]);
      };

      const parser = Readable.from([csv]).pipe(parse({ columns: (header: string[]) => header.map((h) => h.trim().toLowerCase().replace(/[\s-]/g, '_')), skip_empty_lines: true, relax_column_count: true, trim: true, bom: true }));
      let line = 1;
      let phoneColumn: string | undefined;
      try {
        for await (const record of parser as AsyncIterable<Record<string, string>>) {
          line++;
          if (line - 1 > MAX_IMPORT_ROWS) throw errors.badInput(`At most ${MAX_IMPORT_ROWS} rows per import`, 'csv');
          phoneColumn ??= ['phone', 'phone_number', 'phonenumber', 'mobile', 'number'].find((c) => c in record);
          if (!phoneColumn) throw errors.badInput('The CSV header must name a phone column (phone, phone_number or mobile)', 'csv');
          const reject = (code: string, reason: string) => report.rejected.push({ line, code, reason });
          const raw = record[phoneColumn] ?? '';
          if (raw === '') {
            reject('MISSING_PHONE_NUMBER', 'no phone number');
            continue;
          }
          const phone = toE164(raw, countryCode);
          if (!phone) {
            reject('INVALID_PHONE_NUMBER', 'not a valid phone number');
            continue;
          }
          let values;
          try {
            values = { phone, first: optionalText(record.first_name, 'first_name'), last: optionalText(record.last_name, 'last_name'), email: optionalEmail(record.email) };
          } catch (error) {
            reject('BAD_USER_INPUT', (error as Error).message);
            continue;
          }
          const earlier = duplicatesAllowed ? undefined : pending.get(phone);
          if (earlier) {
            // The same number twice in the file: one contact, later values win (as when merging into a stored contact).
            earlier.first = values.first ?? earlier.first;
            earlier.last = values.last ?? earlier.last;
            earlier.email = values.email ?? earlier.email;
            report.merged++;
            continue;
          }
          // A number of an already written batch is merged by the UPDATE of its own batch.
          if (!duplicatesAllowed) pending.set(phone, values);
          batch.push(values);
          if (batch.length >= IMPORT_BATCH) await flush();
        }
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw errors.badInput(`The CSV is malformed near line ${line + 1}: ${(error as Error).message}`, 'csv');
      }
      await flush();
      return { result: report, targetType: 'ContactImport', after: { imported: report.imported, merged: report.merged, rejected: report.rejected.length } };
    });
  },
};

/** A group the caller may change: visible, `contacts` on an active account, and FULL access if groups are limited (I6). */
async function requireWritableGroup(ctx: MessagingContext, id: string): Promise<{ groupId: string; found: GroupRow; chain: AccountChain }> {
  const groupId = assertId(id);
  const [found] = await queryRows<GroupRow>(ctx.dataSource, `SELECT id, account_id, name, shared_access, created_at FROM messaging.contact_groups WHERE id = $1`, [groupId]);
  if (!found || !(await ctx.access.canView(found.account_id))) throw errors.notFound('Contact group');
  const chain = await ctx.access.require(found.account_id, 'contacts');
  requireActiveChain(chain);
  const policy = await numberPolicy(ctx, chain.id);
  if (policy.fullGroupIds && !policy.fullGroupIds.has(groupId)) throw errors.forbidden('Your access to this group is restricted');
  return { groupId, found, chain };
}

export const GroupService = {
  async list(ctx: MessagingContext, accountId: string): Promise<GroupRow[]> {
    const chain = await ctx.access.require(accountId, 'account.view');
    return usableGroups(ctx, ctx.dataSource, chain, null, 'read');
  },

  async create(ctx: MessagingContext, accountId: string, name: string, sharedAccess: 'READ' | 'READ_SEND' | null): Promise<GroupRow> {
    const chain = await ctx.access.require(accountId, 'contacts');
    requireActiveChain(chain);
    const groupName = assertName(name, 'name');
    return mutate(ctx, chain, 'createContactGroup', async (tx) => {
      const [group] = await queryRows<GroupRow>(
        tx,
        `INSERT INTO messaging.contact_groups (account_id, name, shared_access) VALUES ($1, $2, $3) RETURNING id, account_id, name, shared_access, created_at`,
        [chain.id, groupName, sharedAccess],
      );
      return { result: group, targetType: 'ContactGroup', targetId: group.id, after: { name: groupName, sharedAccess } };
    });
  },

  async update(
    ctx: MessagingContext,
    id: string,
    input: { name?: string | null; sharedAccess?: 'READ' | 'READ_SEND' | null; addContactIds?: string[] | null; removeContactIds?: string[] | null },
  ): Promise<GroupRow> {
    const { groupId, found, chain } = await requireWritableGroup(ctx, id);
    const add = (input.addContactIds ?? []).map((c) => assertId(c, 'addContactIds'));
    const remove = (input.removeContactIds ?? []).map((c) => assertId(c, 'removeContactIds'));
    return mutate(ctx, chain, 'updateContactGroup', async (tx) => {
      if (add.length) {
        const added = await queryRows<{ id: string; group_ids: string[] }>(
          tx,
          `SELECT c.id, coalesce(array_agg(m.group_id) FILTER (WHERE m.group_id IS NOT NULL), '{}') AS group_ids
             FROM messaging.contacts c LEFT JOIN messaging.group_members m ON m.contact_id = c.id
            WHERE c.id = ANY($1::uuid[]) AND c.account_id = $2 GROUP BY c.id`,
          [add, chain.id],
        );
        if (added.length !== new Set(add).size) throw errors.notFound('Contact');
        // Adding to a group is a write of each contact added: the caller must see and edit every one (I6).
        // Every hidden contact is refused before any FORBIDDEN one, as an unknown id is above.
        const policy = await numberPolicy(ctx, chain.id);
        for (const contact of added) if (!policy.canSeeContact(contact.group_ids)) throw errors.notFound('Contact');
        for (const contact of added) requireEditableContact(policy, contact.group_ids);
        await tx.query(`INSERT INTO messaging.group_members (group_id, contact_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`, [groupId, add]);
      }
      if (remove.length) await tx.query(`DELETE FROM messaging.group_members WHERE group_id = $1 AND contact_id = ANY($2::uuid[])`, [groupId, remove]);
      const [group] = await queryRows<GroupRow>(
        tx,
        `UPDATE messaging.contact_groups SET name = coalesce($2, name), shared_access = CASE WHEN $3::boolean THEN $4 ELSE shared_access END
          WHERE id = $1 RETURNING id, account_id, name, shared_access, created_at`,
        [groupId, input.name ? assertName(input.name, 'name') : null, input.sharedAccess !== undefined, input.sharedAccess ?? null],
      );
      return { result: group, targetType: 'ContactGroup', targetId: groupId, before: { name: found.name, sharedAccess: found.shared_access }, after: { name: group.name, sharedAccess: group.shared_access, added: add.length, removed: remove.length } };
    });
  },

  async remove(ctx: MessagingContext, id: string): Promise<string> {
    const { groupId, found, chain } = await requireWritableGroup(ctx, id);
    return mutate(ctx, chain, 'deleteContactGroup', async (tx) => {
      await tx.query(`DELETE FROM messaging.contact_groups WHERE id = $1`, [groupId]);
      return { result: groupId, targetType: 'ContactGroup', targetId: groupId, before: { name: found.name } };
    });
  },
};

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([new Date(at).toISOString(), id])).toString('base64url');
}

export function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) throw new Error('bad');
    return { at, id: assertId(id, 'after') };
  } catch {
    throw errors.badInput('after is not a valid cursor', 'after');
  }
}
