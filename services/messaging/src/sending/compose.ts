import crypto from 'node:crypto';
import type { AccountChain, SettingValues } from '@platform/authz';
import { AppError, assertId, errors } from '@platform/errors';
import type { Sql } from '@platform/db';
import type { MessagingContext } from '../context';
import type { NumberPolicy } from '../access/access';
import { contactFieldsOf, type ContactFields } from '../contacts/store';
import { newShortCode, SHORT_LINK_PATH_PREFIX } from '../short-links/service';
import { insertLinks, type NewLink } from '../short-links/store';
import { parsePlaceholders, PLACEHOLDER, type Placeholder, type PlaceholderField } from '../templates/placeholders';
import { usableTemplate } from '../templates/store';
import type { SmsEncoding } from '../__generated__/resolvers-types';
import { countSmsParts, type SmsParts } from './sms-encoding';

/**
 * The send path's two hooks for templates (SPEC M6) and trackable short links (SPEC M8):
 * `resolveContent` decides what is sent (a body, a template, or the account's default template
 * from the H5 settings) and `composeMessages` makes each recipient's body — placeholders filled
 * from the contact, URLs replaced by links unique per message and recipient — with its parts and
 * cost, so credit and SMS parts are those of what is really sent.
 */

export const MAX_BODY = 1600;

export interface SendContent {
  text: string;
  /** placeholders are filled only in template texts; a plain body is sent as written */
  placeholders: Placeholder[];
  templateId: string | null;
}

export async function resolveContent(
  ctx: MessagingContext,
  chain: AccountChain,
  input: { body?: string | null; templateId?: string | null },
  settings: SettingValues,
): Promise<SendContent> {
  if (input.body != null && input.templateId) throw errors.badInput('Give a body or a templateId, not both', 'templateId');
  if (input.body != null) {
    const body = input.body;
    if (body.trim().length === 0) throw errors.badInput('body must not be empty', 'body');
    if ([...body].length > MAX_BODY) throw errors.badInput(`body must be at most ${MAX_BODY} characters`, 'body');
    return { text: body, placeholders: [], templateId: null };
  }
  const templateId = input.templateId ? assertId(input.templateId, 'templateId') : settings.defaultTemplateId;
  if (!templateId) throw errors.badInput('Give a body or a templateId (the account has no default template)', 'body');
  const template = await usableTemplate(ctx.dataSource, chain, templateId);
  if (!template) {
    if (input.templateId) throw errors.notFound('Template');
    throw new AppError('DEFAULT_TEMPLATE_UNAVAILABLE', 'The default template of the account (setting defaultTemplateId) is no longer available to it; give a body or a templateId, or change the setting', { field: 'templateId' });
  }
  return { text: template.body, placeholders: parsePlaceholders(template.body, 'templateId'), templateId: template.id };
}

export interface ComposeRecipient {
  phone: string;
  contactId: string | null;
}

export interface ComposedMessages {
  /** per recipient, in the order given */
  ids: string[];
  bodies: string[];
  parts: number[];
  encodings: SmsEncoding[];
  units: number;
  /** UCS2 when any message needs it; partsPerMessage is the largest count */
  encoding: SmsEncoding;
  partsPerMessage: number;
  /** Writes the short links of the messages that were inserted (call in the send's transaction, after the messages). */
  afterInsert(tx: Sql, batchId: string): Promise<void>;
  /** afterInsert writes something (the messages have short links) */
  writesAfterInsert: boolean;
}

function fieldValue(contact: ContactFields | undefined, name: PlaceholderField): string | null {
  if (!contact) return null;
  const clean = (value: string | null) => (value && value.trim().length ? value.trim() : null);
  switch (name) {
    case 'firstName':
      return clean(contact.first_name);
    case 'lastName':
      return clean(contact.last_name);
    case 'email':
      return clean(contact.email);
    case 'fullName':
      return clean([contact.first_name, contact.last_name].filter(Boolean).join(' '));
  }
}

/** http(s) URLs in a text; trailing punctuation belongs to the sentence, not the URL. */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'{}|\\^`]+/gi;

function trackableTarget(raw: string): { text: string; href: string } | null {
  const text = raw.replace(/[.,;:!?)\]]+$/, '');
  try {
    const url = new URL(text);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return null;
    if (url.href.length > 2000) return null;
    return { text, href: url.href };
  } catch {
    return null;
  }
}

export async function composeMessages(
  ctx: MessagingContext,
  chain: AccountChain,
  settings: SettingValues,
  content: SendContent,
  recipients: ComposeRecipient[],
  policy: NumberPolicy,
): Promise<ComposedMessages> {
  const contacts = await placeholderContacts(ctx, content, recipients);
  const ownLinkPrefix = `${ctx.config.messaging.shortLinkBaseUrl}${SHORT_LINK_PATH_PREFIX}`;
  const links: NewLink[] = [];
  const partsCache = new Map<string, SmsParts>();
  const composed: ComposedMessages = { ids: [], bodies: [], parts: [], encodings: [], units: 0, encoding: 'GSM7', partsPerMessage: 0, afterInsert: async () => undefined, writesAfterInsert: false };

  for (const recipient of recipients) {
    const id = crypto.randomUUID();
    let body = content.text;
    if (content.placeholders.length) body = fillPlaceholders(body, recipient.contactId ? contacts.get(recipient.contactId) : undefined, recipient, policy);
    if (settings.trackableLinks) body = replaceLinks(body, ownLinkPrefix, { messageId: id, recipient: recipient.phone }, links);
    if ([...body].length > MAX_BODY) throw errors.badInput(`The message for ${policy.show(recipient.phone)} would be longer than ${MAX_BODY} characters`, 'body');
    let counted = partsCache.get(body);
    if (!counted) partsCache.set(body, (counted = countSmsParts(body)));
    addMessage(composed, id, body, counted);
  }
  if (recipients.length === 0) {
    const counted = countSmsParts(content.text);
    composed.encoding = counted.encoding;
    composed.partsPerMessage = counted.parts;
  }
  if (links.length) {
    composed.afterInsert = (tx, batchId) => insertLinks(tx, chain.id, batchId, links, ctx.config.messaging.shortLinkTtlDays);
    composed.writesAfterInsert = true;
  }
  return composed;
}

/** The fields of the recipients' contacts, one query, only when the text has placeholders. */
async function placeholderContacts(ctx: MessagingContext, content: SendContent, recipients: ComposeRecipient[]): Promise<Map<string, ContactFields>> {
  const contacts = new Map<string, ContactFields>();
  const contactIds = [...new Set(recipients.map((r) => r.contactId).filter((id): id is string => id !== null))];
  if (content.placeholders.length && contactIds.length) {
    for (const row of await contactFieldsOf(ctx.dataSource, contactIds)) contacts.set(row.id, row);
  }
  return contacts;
}

/** The template text with its placeholders filled from the contact (or their fallbacks); a placeholder without a value refuses the send. */
function fillPlaceholders(text: string, contact: ContactFields | undefined, recipient: ComposeRecipient, policy: NumberPolicy): string {
  const body = text.replace(PLACEHOLDER, (_match, name: PlaceholderField, fallback: string | undefined) => {
    const value = fieldValue(contact, name) ?? (fallback === undefined ? null : fallback.trim());
    if (value === null) {
      const shown = policy.show(recipient.phone);
      throw new AppError('TEMPLATE_VALUE_MISSING', `The placeholder {{${name}}} has no value for the recipient ${shown}`, {
        placeholder: name,
        recipient: shown,
        contactId: recipient.contactId,
      });
    }
    return value;
  });
  if (body.trim().length === 0) throw errors.badInput(`The template renders an empty message for the recipient ${policy.show(recipient.phone)}`, 'templateId');
  return body;
}

/** The body with each trackable URL replaced by a new short link of this message and recipient, added to `links`. */
function replaceLinks(body: string, ownLinkPrefix: string, message: { messageId: string; recipient: string }, links: NewLink[]): string {
  return body.replace(URL_IN_TEXT, (raw) => {
    const target = trackableTarget(raw);
    if (!target || target.href.startsWith(ownLinkPrefix)) return raw;
    const code = newShortCode();
    links.push({ code, ...message, target: target.href });
    return `${ownLinkPrefix}${code}${raw.slice(target.text.length)}`;
  });
}

function addMessage(composed: ComposedMessages, id: string, body: string, counted: SmsParts): void {
  composed.ids.push(id);
  composed.bodies.push(body);
  composed.parts.push(counted.parts);
  composed.encodings.push(counted.encoding);
  composed.units += counted.parts;
  if (counted.encoding === 'UCS2') composed.encoding = 'UCS2';
  composed.partsPerMessage = Math.max(composed.partsPerMessage, counted.parts);
}
