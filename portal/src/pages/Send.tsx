import { TZDate } from '@date-fns/tz';
import { useEffect, useState } from 'react';
import {
  PortalContactsDocument,
  PortalSendBulkDocument,
  PortalSendOptionsDocument,
  PortalSmsPartsDocument,
  type PortalContactsQuery,
  type PortalSendBulkMutation,
  type PortalSmsPartsQuery,
} from '../__generated__/graphql';
import { request } from '../client';
import { CopyId, ErrorBanner, FieldError, formatDateTime, Loading, onSubmitted, useAction, useDebounced, useQuery } from '../ui';
import { useViewer } from '../viewer';

type Contact = PortalContactsQuery['contacts']['nodes'][number];
type Sent = PortalSendBulkMutation['sendBulk'];

export const contactName = (contact: Pick<Contact, 'firstName' | 'lastName' | 'phoneNumber'>): string =>
  [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.phoneNumber;

export const kindLabel = (kind: string): string => kind.charAt(0) + kind.slice(1).toLowerCase().replace(/_/g, ' ');

/** Numbers typed one per line or separated by commas or semicolons (spaces inside a number are kept). */
const parseNumbers = (text: string): string[] =>
  text
    .split(/[\n,;]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);

/** A `datetime-local` value read as a wall-clock time of the account's timezone. */
function zonedInstant(local: string, timeZone: string): string {
  const [date, time] = local.split('T');
  const [year, month, day] = date.split('-').map(Number);
  const [hour, minute] = time.split(':').map(Number);
  return new TZDate(year, month - 1, day, hour, minute, timeZone).toISOString();
}

/** The live count of the body (SPEC M1) as the API counts it, asked again once typing pauses. */
function useSmsParts(body: string): PortalSmsPartsQuery['smsParts'] | null {
  const settled = useDebounced(body, 250);
  const [count, setCount] = useState<PortalSmsPartsQuery['smsParts'] | null>(null);
  useEffect(() => {
    if (!settled) return setCount(null);
    let current = true;
    request(PortalSmsPartsDocument, { body: settled })
      .then(({ data }) => current && setCount(data.smsParts))
      .catch(() => current && setCount(null));
    return () => {
      current = false;
    };
  }, [settled]);
  return count;
}

/** Page 7 (issue 18): send from the acting account to numbers, contacts and groups (SPEC M1, M2). */
export function SendPage() {
  const { viewer } = useViewer();
  const accountId = viewer?.activeAccount?.id ?? '';
  const options = useQuery(PortalSendOptionsDocument, { accountId });
  const [numbers, setNumbers] = useState('');
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [senderId, setSenderId] = useState('');
  const [useTemplate, setUseTemplate] = useState(false);
  const [templateId, setTemplateId] = useState('');
  const [body, setBody] = useState('');
  const [schedule, setSchedule] = useState(false);
  const [sendAt, setSendAt] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const [sent, setSent] = useState<Sent | null>(null);

  const templates = options.data?.messageTemplates.nodes ?? [];
  const groups = options.data?.contactGroups.nodes ?? [];
  const timeZone = options.data?.account?.settings.timezone ?? 'UTC';
  const countedBody = useTemplate ? (templates.find((template) => template.id === templateId)?.body ?? '') : body;
  const count = useSmsParts(countedBody);
  const recipients = parseNumbers(numbers).length + contacts.length + groups.filter((group) => groupIds.includes(group.id)).reduce((sum, group) => sum + group.contactCount, 0);

  const send = useAction(async () => {
    setSent(null);
    const { data } = await request(PortalSendBulkDocument, {
      input: {
        accountId,
        to: parseNumbers(numbers),
        contactIds: contacts.map((contact) => contact.id),
        groupIds,
        senderId: senderId || null,
        ...(useTemplate ? { templateId: templateId || null } : { body }),
        scheduledAt: schedule && sendAt ? zonedInstant(sendAt, timeZone) : null,
        idempotencyKey,
      },
    });
    setSent(data.sendBulk);
    setIdempotencyKey(crypto.randomUUID());
  });

  if (options.error) return <main><ErrorBanner error={options.error} /></main>;
  if (!options.data) return <main><Loading what="the send form" /></main>;
  const { account, me, senderIds } = options.data;
  if (!account) return <main><p role="alert">This account does not exist or is not visible to you.</p></main>;
  if (!me.permissionsOn.includes('messages.send')) {
    return (
      <main>
        <h1>Send from {account.name}</h1>
        <p className="muted">Your role cannot send messages from this account.</p>
      </main>
    );
  }
  const field = send.fieldErrors;
  const fieldMessage = Object.values(field).length > 0;
  return (
    <main className="send-page">
      <h1>Send from {account.name}</h1>
      <form
        className="card stacked-form"
        onSubmit={onSubmitted(() => send.run())}
      >
        <fieldset>
          <legend>Recipients</legend>
          <label htmlFor="send-numbers">Phone numbers (one per line, or separated by commas)</label>
          <textarea id="send-numbers" rows={2} value={numbers} onChange={(event) => setNumbers(event.target.value)} aria-describedby="send-numbers-error" />
          <FieldError id="send-numbers-error" message={field.to} />
          <ContactPicker accountId={accountId} picked={contacts} onChange={setContacts} />
          <FieldError id="send-contacts-error" message={field.contactIds} />
          {groups.length > 0 && (
            <fieldset className="choices">
              <legend>Groups</legend>
              {groups.map((group) => (
                <label key={group.id} className="checkbox">
                  <input type="checkbox" checked={groupIds.includes(group.id)} onChange={(event) => setGroupIds(event.target.checked ? [...groupIds, group.id] : groupIds.filter((id) => id !== group.id))} />
                  {group.name} ({group.contactCount} contacts)
                </label>
              ))}
              <FieldError id="send-groups-error" message={field.groupIds} />
            </fieldset>
          )}
        </fieldset>

        <label htmlFor="send-sender">Sender</label>
        <select id="send-sender" value={senderId} onChange={(event) => setSenderId(event.target.value)} aria-describedby="send-sender-error">
          <option value="">Shared number pool (default)</option>
          {senderIds.nodes.map((sender) => (
            <option key={sender.id} value={sender.id} disabled={sender.status !== 'ACTIVE'}>
              {sender.value} — {kindLabel(sender.kind)}
              {sender.status !== 'ACTIVE' ? ` (${sender.status.toLowerCase().replace(/_/g, ' ')})` : ''}
            </option>
          ))}
        </select>
        <FieldError id="send-sender-error" message={field.senderId} />

        <fieldset className="choices">
          <legend>Content</legend>
          <label className="checkbox">
            <input type="radio" name="send-content" checked={!useTemplate} onChange={() => setUseTemplate(false)} />
            Write a message
          </label>
          <label className="checkbox">
            <input type="radio" name="send-content" checked={useTemplate} disabled={templates.length === 0} onChange={() => setUseTemplate(true)} />
            Use a template{templates.length === 0 ? ' (none yet)' : ''}
          </label>
        </fieldset>
        {useTemplate ? (
          <>
            <label htmlFor="send-template">Template</label>
            <select id="send-template" value={templateId} onChange={(event) => setTemplateId(event.target.value)} aria-describedby="send-template-error">
              <option value="">The account's default template</option>
              {templates.map((template) => (
                <option key={template.id} value={template.id}>
                  {template.name}
                </option>
              ))}
            </select>
            {countedBody && <p className="template-preview">{countedBody}</p>}
            <FieldError id="send-template-error" message={field.templateId} />
          </>
        ) : (
          <>
            <label htmlFor="send-body">Message</label>
            <textarea id="send-body" rows={4} value={body} onChange={(event) => setBody(event.target.value)} aria-describedby="send-count send-body-error" />
            <FieldError id="send-body-error" message={field.body} />
          </>
        )}
        <p id="send-count" className="muted" role="status" aria-live="polite">
          {count
            ? `${count.length} ${count.encoding === 'GSM7' ? 'GSM-7 characters' : 'UCS-2 characters (Unicode)'} · ${count.parts} SMS part${count.parts === 1 ? '' : 's'} · ${count.costUnits} credit unit${count.costUnits === 1 ? '' : 's'} per recipient${recipients > 0 ? ` · up to ${count.costUnits * recipients} unit${count.costUnits * recipients === 1 ? '' : 's'} for ${recipients} recipient${recipients === 1 ? '' : 's'}` : ''}`
            : 'Type a message to see its parts and cost.'}
        </p>

        <label className="checkbox">
          <input type="checkbox" checked={schedule} onChange={(event) => setSchedule(event.target.checked)} />
          Schedule for later
        </label>
        {schedule && (
          <>
            <label htmlFor="send-at">Send at ({timeZone})</label>
            <input id="send-at" type="datetime-local" required value={sendAt} onChange={(event) => setSendAt(event.target.value)} aria-describedby="send-at-error" />
            <FieldError id="send-at-error" message={field.scheduledAt} />
          </>
        )}
        <div className="actions">
          <button type="submit" disabled={send.busy}>
            {schedule ? 'Schedule' : 'Send'}
          </button>
        </div>
        {!fieldMessage && <ErrorBanner error={send.error} />}
      </form>
      {sent && <SendAnswer sent={sent} timeZone={timeZone} />}
    </main>
  );
}

export function SendAnswer({ sent, timeZone }: { sent: Pick<Sent, 'accepted' | 'status' | 'sendAt' | 'skipped'> & Partial<Pick<Sent, 'costUnits' | 'batchId'>>; timeZone: string }) {
  return (
    <section className="card send-answer" aria-labelledby="send-answer-title" role="status">
      <h2 id="send-answer-title">
        {sent.accepted} message{sent.accepted === 1 ? '' : 's'} accepted
      </h2>
      {sent.status === 'SCHEDULED' ? <p>Scheduled for {formatDateTime(sent.sendAt, timeZone)} (outside the sending window, or as you asked).</p> : <p>Status: {sent.status.toLowerCase()}.</p>}
      {sent.costUnits !== undefined && <p className="muted">Cost: {sent.costUnits} credit unit{sent.costUnits === 1 ? '' : 's'}.</p>}
      {sent.batchId && (
        <p className="muted">
          Send id: <CopyId id={sent.batchId} label="Copy send id" />
        </p>
      )}
      {sent.skipped.length > 0 && (
        <>
          <h3>Skipped ({sent.skipped.length})</h3>
          <ul className="skipped">
            {sent.skipped.map((skipped) => (
              <li key={skipped.recipient}>
                {skipped.recipient}: {skipped.reason.toLowerCase().replace(/_/g, ' ')}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** Contacts found by name or email (or the digits of a number the caller sees), picked as recipients. */
function ContactPicker({ accountId, picked, onChange }: { accountId: string; picked: Contact[]; onChange: (contacts: Contact[]) => void }) {
  const [search, setSearch] = useState('');
  const settled = useDebounced(search.trim(), 250);
  const [found, setFound] = useState<Contact[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (settled.length < 2) return setFound([]);
    let current = true;
    request(PortalContactsDocument, { accountId, search: settled, first: 10 })
      .then(({ data }) => current && (setFound(data.contacts.nodes), setError(null)))
      .catch((caught) => current && setError(caught));
    return () => {
      current = false;
    };
  }, [accountId, settled]);
  return (
    <div className="contact-picker">
      <label htmlFor="send-contact-search">Find contacts (name or email)</label>
      <input id="send-contact-search" type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
      <ErrorBanner error={error} />
      {found.length > 0 && (
        <ul className="found" aria-label="Contacts found">
          {found.map((contact) => (
            <li key={contact.id}>
              <button type="button" className="small secondary" disabled={picked.some((p) => p.id === contact.id)} onClick={() => onChange([...picked, contact])}>
                Add {contactName(contact)} ({contact.phoneNumber})
              </button>
            </li>
          ))}
        </ul>
      )}
      {picked.length > 0 && (
        <ul className="chips" aria-label="Contacts picked">
          {picked.map((contact) => (
            <li key={contact.id}>
              {contactName(contact)}{' '}
              <button type="button" className="small secondary" aria-label={`Remove ${contactName(contact)}`} onClick={() => onChange(picked.filter((p) => p.id !== contact.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
