import { pipeline, Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { loadEffectiveSettingsAlongPath, type AccountChain } from '@platform/authz';
import { pageRequest, toConnection, type Connection, type PageArguments, type Sql } from '@platform/db';
import { AppError, assertId, assertName, errors } from '@platform/errors';
import { mutate } from '@platform/audit';
import { publishEvent } from '@platform/events';
import type { MessagingContext } from '../context';
import { SCHEMA } from '../data-source';
import { auditScope, numberPolicy, requireActiveChain, requireEditableContact, type NumberPolicy } from '../access/access';
import { isCountryCode, requireE164, toE164 } from '../phone/phone';
import {
  addGroupMembers,
  contactsPage,
  countGroups,
  groupsPage,
  countContacts,
  contactsWithGroups,
  deleteContact,
  deleteGroup,
  deleteOptOut,
  findContact,
  findGroup,
  groupsOfChain,
  insertContact,
  insertGroup,
  lockContacts,
  mergeIntoContact,
  numberTaken,
  removeGroupMembers,
  updateContactFields,
  updateGroup,
  writeImportBatch,
  type ContactListQuery,
  type ContactRow,
  type ContactValues,
  type GroupRow,
} from './store';
import type { ContactGroupUpdate, ContactImportReport, ContactInput, GroupShareAccess, QueryContactsArgs } from '../__generated__/resolvers-types';

/** A page of contacts; `count` counts every contact of the list (its totalCount, run only when asked). */
export type ContactPage = Connection<ContactRow> & { count: () => Promise<number> };

/** A page of contact groups; `count` counts them all (its totalCount). */
export type GroupPage = Connection<GroupRow> & { count: () => Promise<number> };

const GROUP_PAGE = { defaultSize: 50, maxSize: 200, keyShape: ['string', 'string'] } as const;
const CONTACT_PAGE = { defaultSize: 50, maxSize: 500, keyShape: ['string', 'string'] } as const;
const MAX_SEARCH = 100;

/** A search text, trimmed; null when empty. */
function searchText(value: string | null | undefined, field: string): string | null {
  const text = value?.trim() ?? '';
  if (text.length > MAX_SEARCH) throw errors.badInput(`${field} must have at most ${MAX_SEARCH} characters`, field);
  return text === '' ? null : text;
}

/** A contact search: the text for names and email, and the digits for the number when the text looks like one. */
function contactSearch(value: string | null | undefined): { search: string | null; searchDigits: string | null } {
  const text = searchText(value, 'filter.search');
  if (text === null) return { search: null, searchDigits: null };
  const digits = text.replace(/\D/g, '');
  return { search: text, searchDigits: /^[+\d\s().-]+$/.test(text) && digits.length >= 3 ? digits : null };
}

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

/** The caller of an import: a request's context, or an upload route's own access control. */
export type ImportCaller = Pick<MessagingContext, 'access'>;

export function importCountry(ctx: Pick<MessagingContext, 'config'>, value: string | null | undefined): string {
  if (value === null || value === undefined) return ctx.config.messaging.defaultCountry;
  const code = value.toUpperCase();
  if (!isCountryCode(code)) throw errors.badInput('defaultCountry must be an ISO 3166 alpha-2 code such as GB', 'defaultCountry');
  return code;
}

async function allowsDuplicates(tx: Sql, chain: AccountChain): Promise<boolean> {
  const settings = await loadEffectiveSettingsAlongPath(tx, chain.path);
  return settings[settings.length - 1].values.allowDuplicateContacts;
}

/** Groups the account may use: its own, and its ancestors' groups shared down (SPEC M5), narrowed by I6. */
export async function usableGroups(ctx: ImportCaller, db: Sql, chain: AccountChain, groupIds: string[] | null, purpose: 'read' | 'send'): Promise<GroupRow[]> {
  const policy = await numberPolicy(ctx, chain.id);
  const rows = await groupsOfChain(db, chain, groupIds, purpose === 'send' ? ['READ_SEND'] : ['READ', 'READ_SEND']);
  return policy.selectedGroupIds ? rows.filter((g) => policy.selectedGroupIds!.has(g.id)) : rows;
}

export async function ownGroup(ctx: ImportCaller, tx: Sql, chain: AccountChain, groupId: string): Promise<GroupRow> {
  const [group] = await usableGroups(ctx, tx, chain, [assertId(groupId, 'groupId')], 'read');
  if (!group || group.accountId !== chain.id) throw errors.notFound('Contact group');
  return group;
}

async function loadContactForWrite(ctx: MessagingContext, id: string): Promise<{ contact: ContactRow; chain: AccountChain; groupIds: string[] }> {
  const contact = await findContact(ctx.dataSource, assertId(id));
  if (!contact || !(await ctx.access.canView(contact.accountId))) throw errors.notFound('Contact');
  const chain = await ctx.access.require(contact.accountId, 'contacts');
  requireActiveChain(chain);
  const groupIds = await ctx.loaders.groupIdsByContactId.load(contact.id);
  requireEditableContact(await numberPolicy(ctx, contact.accountId), groupIds);
  return { contact, chain, groupIds };
}

async function addToGroups(ctx: MessagingContext, tx: Sql, chain: AccountChain, groupIds: string[], contactIds: string[]): Promise<void> {
  for (const groupId of groupIds) {
    const group = await ownGroup(ctx, tx, chain, groupId);
    await addGroupMembers(tx, group.id, contactIds);
  }
}

export const ContactService = {
  /** SPEC M5: the contacts the caller may see, filtered, in the chosen order (default: the order they were added). */
  async list(ctx: MessagingContext, args: QueryContactsArgs): Promise<ContactPage> {
    const chain = await ctx.access.require(args.accountId, 'account.view');
    const order = args.orderBy ?? 'CREATED_AT';
    const page = pageRequest(args, { ...CONTACT_PAGE, order });
    const groupId = args.groupId ? assertId(args.groupId, 'groupId') : null;
    const groups = await usableGroups(ctx, ctx.dataSource, chain, groupId ? [groupId] : null, 'read');
    if (groupId && groups.length === 0) throw errors.notFound('Contact group');
    const policy = await numberPolicy(ctx, chain.id);
    const search = contactSearch(args.filter?.search);
    const restrictToGroups = groupId !== null || policy.selectedGroupIds !== null;
    const query: ContactListQuery = {
      accountId: chain.id,
      // the members of the account's own groups are its own contacts
      groupIds: groups.filter((g) => restrictToGroups || g.accountId !== chain.id).map((g) => g.id),
      restrictToGroups,
      ...search,
      numberSearchGroupIds: policy.fullGroupIds && [...policy.fullGroupIds],
      optedOut: args.filter?.optedOut ?? null,
    };
    const rows = await contactsPage(ctx.dataSource, query, order, page);
    return { ...toConnection(rows, page, (row) => [row.sortKey, row.id]), count: () => countContacts(ctx.dataSource, query) };
  },

  async create(ctx: MessagingContext, accountId: string, input: ContactInput): Promise<ContactRow> {
    const chain = await ctx.access.require(accountId, 'contacts');
    requireActiveChain(chain);
    const policy = await numberPolicy(ctx, accountId);
    const groupIds = (input.groupIds ?? []).map((id) => assertId(id, 'groupIds'));
    if (policy.selectedGroupIds && !groupIds.some((g) => policy.fullGroupIds!.has(g))) {
      throw errors.forbidden('With selected contact groups, a new contact must go into one of your FULL groups');
    }
    const phone = requireE164(input.phoneNumber ?? '', importCountry(ctx, input.defaultCountry));
    const values: ContactValues = { phone, first: optionalText(input.firstName, 'firstName'), last: optionalText(input.lastName, 'lastName'), email: optionalEmail(input.email) };
    return mutate(auditScope(ctx, chain), 'createContact', async (tx) => {
      await lockContacts(tx, chain.id);
      const mergedId = (await allowsDuplicates(tx, chain)) ? null : await mergeIntoContact(tx, chain.id, values, policy.dedupeGroupIds);
      const contactId = mergedId ?? (await insertContact(tx, chain.id, values));
      await addToGroups(ctx, tx, chain, groupIds, [contactId]);
      const row = (await findContact(tx, contactId))!;
      return { result: row, targetType: 'Contact', targetId: row.id, after: { merged: mergedId !== null } };
    });
  },

  async update(ctx: MessagingContext, id: string, input: ContactInput): Promise<ContactRow> {
    const { contact, chain } = await loadContactForWrite(ctx, id);
    const policy = await numberPolicy(ctx, chain.id);
    const phone = input.phoneNumber ? requireE164(input.phoneNumber, importCountry(ctx, input.defaultCountry)) : null;
    return mutate(auditScope(ctx, chain), 'updateContact', async (tx) => {
      await lockContacts(tx, chain.id);
      if (phone && phone !== contact.phoneNumber && !(await allowsDuplicates(tx, chain)) && (await numberTaken(tx, chain.id, phone, policy.dedupeGroupIds))) {
        throw new AppError('ALREADY_EXISTS', 'Another contact of the account has this number');
      }
      await updateContactFields(tx, contact.id, {
        phone,
        first: { set: input.firstName !== undefined, value: optionalText(input.firstName, 'firstName') },
        last: { set: input.lastName !== undefined, value: optionalText(input.lastName, 'lastName') },
        email: { set: input.email !== undefined, value: optionalEmail(input.email) },
      });
      if (input.groupIds) await addToGroups(ctx, tx, chain, input.groupIds, [contact.id]);
      const row = (await findContact(tx, contact.id))!;
      return { result: row, targetType: 'Contact', targetId: row.id };
    });
  },

  async remove(ctx: MessagingContext, id: string): Promise<string> {
    const { contact, chain } = await loadContactForWrite(ctx, id);
    return mutate(auditScope(ctx, chain), 'deleteContact', async (tx) => {
      await deleteContact(tx, contact.id);
      return { result: contact.id, targetType: 'Contact', targetId: contact.id };
    });
  },

  /**
   * CSV import (SPEC M5): a header row naming `phone` (or phone_number, phoneNumber, mobile) and
   * optionally first_name, last_name, email; rows are parsed as a stream and written in batches
   * of 500 in one transaction. Rejected rows are reported with their line and reason, never their number.
   */
  async importCsv(ctx: MessagingContext, accountId: string, csv: string, groupIdArgument: string | null, defaultCountry: string | null) {
    const target = await importTarget(ctx, accountId, groupIdArgument);
    const countryCode = importCountry(ctx, defaultCountry);
    return mutate(auditScope(ctx, target.chain), 'importContacts', async (tx) => {
      const { report } = await runImport(ctx, tx, target, csv, countryCode);
      return { result: report, targetType: 'ContactImport', after: { imported: report.imported, merged: report.merged, rejected: report.rejected.length } };
    });
  },
};

export interface ImportTarget {
  chain: AccountChain;
  groupId: string | null;
  policy: NumberPolicy;
}

/** Where the caller may import: an active account they hold `contacts` on; with selected groups, one of their FULL groups. */
export async function importTarget(ctx: ImportCaller, accountId: string, groupIdArgument: string | null): Promise<ImportTarget> {
  const chain = await ctx.access.require(accountId, 'contacts');
  requireActiveChain(chain);
  const groupId = groupIdArgument === null ? null : assertId(groupIdArgument, 'groupId');
  const policy = await numberPolicy(ctx, accountId);
  if (policy.selectedGroupIds && !(groupId && policy.fullGroupIds!.has(groupId))) {
    throw errors.forbidden('With selected contact groups, import into one of your FULL groups');
  }
  return { chain, groupId, policy };
}

/** One import in the caller's transaction: the group checked again, the account's contacts locked while it writes. */
export async function runImport(
  ctx: ImportCaller,
  tx: Sql,
  target: ImportTarget,
  source: string | NodeJS.ReadableStream,
  countryCode: string,
  bounds?: ConstructorParameters<typeof ContactImport>[4],
): Promise<ContactImport> {
  if (target.groupId) await ownGroup(ctx, tx, target.chain, target.groupId);
  await lockContacts(tx, target.chain.id);
  const importer = new ContactImport(tx, target.chain.id, target.groupId, { duplicatesAllowed: await allowsDuplicates(tx, target.chain), groupIds: target.policy.dedupeGroupIds }, bounds);
  await importer.read(source, countryCode);
  return importer;
}

const PHONE_COLUMNS = ['phone', 'phone_number', 'phonenumber', 'mobile', 'number'];
const csvColumnName = (header: string) => header.trim().toLowerCase().replace(/[\s-]/g, '_');

/** How far an import has got: data rows read, contacts written, rows rejected. */
export interface ImportProgress {
  processed: number;
  imported: number;
  merged: number;
  rejected: number;
}

/** One import: the CSV's rows validated one by one and written in batches, within the caller's transaction. */
export class ContactImport {
  readonly report: ContactImportReport = { imported: 0, merged: 0, rejected: [] };
  /** every rejected row, also those beyond the ones kept in the report */
  rejectedCount = 0;
  private processed = 0;
  private batch: ContactValues[] = [];
  /** Without duplicates, the rows of the unflushed batch by number: a repeated number merges into its row. */
  private readonly pending = new Map<string, ContactValues>();

  constructor(
    private readonly tx: Sql,
    private readonly accountId: string,
    private readonly groupId: string | null,
    private readonly dedupe: { duplicatesAllowed: boolean; groupIds: string[] | null },
    private readonly bounds: { maxRows: number; keptRejections: number; onBatch?: (progress: ImportProgress) => Promise<void> } = { maxRows: MAX_IMPORT_ROWS, keptRejections: Infinity },
  ) {}

  /** Reads a CSV text or a byte stream (an upload), never holding more than a batch of rows. */
  async read(source: string | NodeJS.ReadableStream, countryCode: string): Promise<void> {
    const input = typeof source === 'string' ? Readable.from([source]) : source;
    const parser = parse({ columns: (header: string[]) => header.map(csvColumnName), skip_empty_lines: true, relax_column_count: true, trim: true, bom: true });
    // pipeline, not pipe: an upload cut off mid-file must end the read (and its transaction) with an error.
    pipeline(input, parser, () => {});
    let line = 1;
    let phoneColumn: string | undefined;
    try {
      for await (const record of parser as AsyncIterable<Record<string, string>>) {
        line++;
        this.processed = line - 1;
        if (line - 1 > this.bounds.maxRows) throw errors.badInput(`At most ${this.bounds.maxRows} rows per import`, 'csv');
        phoneColumn ??= PHONE_COLUMNS.find((c) => c in record);
        if (!phoneColumn) throw errors.badInput('The CSV header must name a phone column (phone, phone_number or mobile)', 'csv');
        const values = this.validRow(record, record[phoneColumn] ?? '', countryCode, line);
        if (values) await this.add(values);
      }
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw errors.badInput(`The CSV is malformed near line ${line + 1}: ${(error as Error).message}`, 'csv');
    }
    await this.flush();
  }

  get progress(): ImportProgress {
    return { processed: this.processed, imported: this.report.imported, merged: this.report.merged, rejected: this.rejectedCount };
  }

  /** The row's values, or null when it is rejected (reported with its line). */
  private validRow(record: Record<string, string>, raw: string, countryCode: string, line: number): ContactValues | null {
    const reject = (code: string, reason: string) => {
      this.rejectedCount++;
      if (this.report.rejected.length < this.bounds.keptRejections) this.report.rejected.push({ line, code, reason });
      return null;
    };
    if (raw === '') return reject('MISSING_PHONE_NUMBER', 'no phone number');
    const phone = toE164(raw, countryCode);
    if (!phone) return reject('INVALID_PHONE_NUMBER', 'not a valid phone number');
    try {
      return { phone, first: optionalText(record.first_name, 'first_name'), last: optionalText(record.last_name, 'last_name'), email: optionalEmail(record.email) };
    } catch (error) {
      return reject('BAD_USER_INPUT', (error as Error).message);
    }
  }

  private async add(values: ContactValues): Promise<void> {
    const earlier = this.dedupe.duplicatesAllowed ? undefined : this.pending.get(values.phone);
    if (earlier) {
      // The same number twice in the file: one contact, later values win (as when merging into a stored contact).
      earlier.first = values.first ?? earlier.first;
      earlier.last = values.last ?? earlier.last;
      earlier.email = values.email ?? earlier.email;
      this.report.merged++;
      return;
    }
    // A number of an already written batch is merged by the UPDATE of its own batch.
    if (!this.dedupe.duplicatesAllowed) this.pending.set(values.phone, values);
    this.batch.push(values);
    if (this.batch.length >= IMPORT_BATCH) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const rows = this.batch;
    this.batch = [];
    this.pending.clear();
    const written = await writeImportBatch(this.tx, this.accountId, rows, this.dedupe);
    this.report.imported += written.filter((w) => !w.merged).length;
    this.report.merged += written.filter((w) => w.merged).length;
    if (this.groupId) await addGroupMembers(this.tx, this.groupId, written.map((w) => w.id));
    await this.bounds.onBatch?.(this.progress);
  }
}

/** A group the caller may change: visible, `contacts` on an active account, and FULL access if groups are limited (I6). */
async function requireWritableGroup(ctx: MessagingContext, id: string): Promise<{ groupId: string; found: GroupRow; chain: AccountChain }> {
  const groupId = assertId(id);
  const found = await findGroup(ctx.dataSource, groupId);
  if (!found || !(await ctx.access.canView(found.accountId))) throw errors.notFound('Contact group');
  const chain = await ctx.access.require(found.accountId, 'contacts');
  requireActiveChain(chain);
  const policy = await numberPolicy(ctx, chain.id);
  if (policy.fullGroupIds && !policy.fullGroupIds.has(groupId)) throw errors.forbidden('Your access to this group is restricted');
  return { groupId, found, chain };
}

/**
 * Adding to a group is a write of each contact added: the caller must see and edit every one (I6).
 * Every hidden contact is refused before any FORBIDDEN one, as an unknown id is.
 */
async function requireAddableContacts(tx: Sql, policy: NumberPolicy, accountId: string, ids: string[]): Promise<void> {
  const added = await contactsWithGroups(tx, accountId, ids);
  if (added.length !== new Set(ids).size) throw errors.notFound('Contact');
  for (const contact of added) if (!policy.canSeeContact(contact.group_ids)) throw errors.notFound('Contact');
  for (const contact of added) requireEditableContact(policy, contact.group_ids);
}

export const GroupService = {
  async list(ctx: MessagingContext, accountId: string, args: PageArguments & { search?: string | null }): Promise<GroupPage> {
    const chain = await ctx.access.require(accountId, 'account.view');
    const page = pageRequest(args, GROUP_PAGE);
    const policy = await numberPolicy(ctx, chain.id);
    const query = { selectedGroupIds: policy.selectedGroupIds && [...policy.selectedGroupIds], search: searchText(args.search, 'search') };
    const rows = await groupsPage(ctx.dataSource, chain, query, page);
    return { ...toConnection(rows, page, (row) => [row.sortKey, row.id]), count: () => countGroups(ctx.dataSource, chain, query) };
  },

  async create(ctx: MessagingContext, accountId: string, name: string, sharedAccess: GroupShareAccess | null): Promise<GroupRow> {
    const chain = await ctx.access.require(accountId, 'contacts');
    requireActiveChain(chain);
    const groupName = assertName(name, 'name');
    return mutate(auditScope(ctx, chain), 'createContactGroup', async (tx) => {
      const group = await insertGroup(tx, chain.id, groupName, sharedAccess);
      return { result: group, targetType: 'ContactGroup', targetId: group.id, after: { name: groupName, sharedAccess } };
    });
  },

  async update(
    ctx: MessagingContext,
    id: string,
    input: ContactGroupUpdate,
  ): Promise<GroupRow> {
    const { groupId, found, chain } = await requireWritableGroup(ctx, id);
    const add = (input.addContactIds ?? []).map((c) => assertId(c, 'addContactIds'));
    const remove = (input.removeContactIds ?? []).map((c) => assertId(c, 'removeContactIds'));
    return mutate(auditScope(ctx, chain), 'updateContactGroup', async (tx) => {
      if (add.length) {
        await requireAddableContacts(tx, await numberPolicy(ctx, chain.id), chain.id, add);
        await addGroupMembers(tx, groupId, add);
      }
      if (remove.length) await removeGroupMembers(tx, groupId, remove);
      const group = await updateGroup(tx, groupId, input.name ? assertName(input.name, 'name') : null, { set: input.sharedAccess !== undefined, value: input.sharedAccess ?? null });
      return {
        result: group,
        targetType: 'ContactGroup',
        targetId: groupId,
        before: { name: found.name, sharedAccess: found.sharedAccess },
        after: { name: group.name, sharedAccess: group.sharedAccess, added: add.length, removed: remove.length },
      };
    });
  },

  async remove(ctx: MessagingContext, id: string): Promise<string> {
    const { groupId, found, chain } = await requireWritableGroup(ctx, id);
    return mutate(auditScope(ctx, chain), 'deleteContactGroup', async (tx) => {
      await deleteGroup(tx, groupId);
      return { result: groupId, targetType: 'ContactGroup', targetId: groupId, before: { name: found.name } };
    });
  },
};

export const OptOutService = {
  /** Resubscribes an opted-out number (SPEC M5: admins). */
  async resubscribe(ctx: MessagingContext, accountId: string, phoneNumber: string): Promise<boolean> {
    const chain = await ctx.access.require(accountId, 'system-configuration');
    requireActiveChain(chain);
    const phone = requireE164(phoneNumber, ctx.config.messaging.defaultCountry);
    return mutate(auditScope(ctx, chain), 'resubscribeContact', async (tx) => {
      if (!(await deleteOptOut(tx, chain.id, phone))) throw new AppError('INVALID_STATE', 'This number has not opted out of the account');
      await publishEvent(tx, SCHEMA, {
        type: 'contact.resubscribed',
        accountId: chain.id,
        accountPath: chain.path,
        data: { phoneNumber: phone, source: 'API', resubscribedAt: new Date().toISOString() },
      });
      return { result: true, targetType: 'OptOut' };
    });
  },
};

