import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { PortalAccountDetailQuery, AccountSettingsInput, SettingKey, Weekday } from '../__generated__/graphql';
import { request } from '../client';
import {
  AccountDetailDocument,
  AccountsPageDocument,
  CloseAccountDocument,
  CreateSubAccountDocument,
  MoveAccountDocument,
  PermissionsDocument,
  ResumeAccountDocument,
  SettingReferencesDocument,
  SuspendAccountDocument,
  UpdateAccountSettingsDocument,
} from '../operations';
import { AccountBreadcrumb, CopyId, ErrorBanner, FieldError, formatDateTime, Link, Loading, navigate, thisMonth, useAction } from '../ui';
import { useViewer } from '../viewer';

type Detail = NonNullable<PortalAccountDetailQuery['account']>;
type Settings = Detail['settings'];

/** The deepest level an account may sit at (SPEC H1). */
const MAX_DEPTH = 5;

export function AccountPage({ accountId }: { accountId: string }) {
  const [detail, setDetail] = useState<{ account: Detail | null; permissions: string[]; parentPermissions: string[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(async () => {
    try {
      const { data } = await request(AccountDetailDocument, { id: accountId });
      // Moving, suspending, resuming and closing an account are decided on its parent (sub-accounts there).
      const parentId = data.account?.parent?.id;
      const parentPermissions = parentId ? (await request(PermissionsDocument, { accountId: parentId })).data.me.permissionsOn : [];
      setDetail({ account: data.account, permissions: data.me.permissionsOn, parentPermissions });
    } catch (caught) {
      setError(caught);
    }
  }, [accountId]);
  useEffect(() => {
    setDetail(null);
    void load();
  }, [load]);

  if (error) return <main><ErrorBanner error={error} /></main>;
  if (!detail) return <main><Loading what="the account" /></main>;
  const { account, permissions, parentPermissions } = detail;
  if (!account) return <main><p role="alert">This account does not exist or is not visible to you.</p></main>;
  const can = (permission: string) => permissions.includes(permission);
  const timeZone = account.settings.timezone;
  return (
    <main className="account-page">
      <AccountBreadcrumb ancestors={account.ancestors} account={account} />
      <h1>{account.name}</h1>
      <dl className="facts">
        <dt>Account id</dt>
        <dd>
          <CopyId id={account.id} label="Copy account id" />
        </dd>
        <dt>Level</dt>
        <dd>{account.depth === 0 ? 'Parent account' : `Sub-account, level ${account.depth}`}</dd>
        <dt>Status</dt>
        <dd>
          {account.status}
          {account.effectiveStatus !== account.status && ` (${account.effectiveStatus.toLowerCase()} through a parent account)`}
        </dd>
        <dt>Created</dt>
        <dd>{formatDateTime(account.createdAt, timeZone)}</dd>
      </dl>

      {(can('sub-accounts') || can('system-configuration') || parentPermissions.includes('sub-accounts')) && (
        <Section title="Sub-accounts and status">
          <StructureActions account={account} can={can} canOnParent={(permission) => parentPermissions.includes(permission)} reload={load} />
        </Section>
      )}
      <Section title="Settings">
        <SettingsPanel account={account} canEdit={can('system-configuration')} reload={load} />
      </Section>
      {can('users.view') && (
        <p>
          <Link to={`/accounts/${account.id}/users`}>Users and invitations of {account.name}</Link>
        </p>
      )}
    </main>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="card">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function StructureActions({ account, can, canOnParent, reload }: { account: Detail; can: (permission: string) => boolean; canOnParent: (permission: string) => boolean; reload: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [rename, setRename] = useState(account.name);
  const create = useAction(async () => {
    const { data } = await request(CreateSubAccountDocument, { input: { parentId: account.id, name } });
    setName('');
    navigate(`/accounts/${data.createSubAccount.id}`);
  });
  const renameAction = useAction(async () => {
    await request(UpdateAccountSettingsDocument, { id: account.id, input: { name: rename } });
    await reload();
  });
  const status = useAction(async (change: 'suspend' | 'resume') => {
    if (change === 'suspend') await request(SuspendAccountDocument, { id: account.id });
    else await request(ResumeAccountDocument, { id: account.id });
    await reload();
  });
  const manage = can('sub-accounts');
  const manageFromParent = canOnParent('sub-accounts');
  const atMaxDepth = account.depth >= MAX_DEPTH;
  return (
    <div className="stack">
      {can('system-configuration') && (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            void renameAction.run();
          }}
        >
          <label htmlFor="rename">Account name</label>
          <input id="rename" value={rename} required onChange={(event) => setRename(event.target.value)} aria-describedby="rename-error" />
          <button type="submit" disabled={renameAction.busy || rename === account.name}>
            Rename
          </button>
          <FieldError id="rename-error" message={renameAction.fieldErrors.name} />
          {!renameAction.fieldErrors.name && <ErrorBanner error={renameAction.error} />}
        </form>
      )}
      {manage && (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            void create.run();
          }}
        >
          <label htmlFor="new-sub-account">New sub-account name</label>
          <input id="new-sub-account" value={name} required disabled={atMaxDepth} onChange={(event) => setName(event.target.value)} aria-describedby="new-sub-account-help new-sub-account-error" />
          <button type="submit" disabled={create.busy || atMaxDepth}>
            Create sub-account
          </button>
          <span id="new-sub-account-help" className="help">
            {atMaxDepth ? `Level-${MAX_DEPTH} accounts cannot have sub-accounts.` : `It will be a level-${account.depth + 1} sub-account of ${account.name}.`}
          </span>
          <FieldError id="new-sub-account-error" message={create.fieldErrors.name ?? create.fieldErrors.parentId} />
          {!create.fieldErrors.name && !create.fieldErrors.parentId && <ErrorBanner error={create.error} />}
        </form>
      )}
      {manageFromParent && <MoveForm account={account} reload={reload} />}
      {manageFromParent && (
        <div className="actions">
          {account.status === 'ACTIVE' && (
            <button type="button" className="secondary" disabled={status.busy} onClick={() => void status.run('suspend')}>
              Suspend {account.name}
            </button>
          )}
          {account.status === 'SUSPENDED' && (
            <button type="button" className="secondary" disabled={status.busy} onClick={() => void status.run('resume')}>
              Resume {account.name}
            </button>
          )}
          {account.status !== 'CLOSED' && <CloseButton account={account} reload={reload} />}
          <ErrorBanner error={status.error} />
        </div>
      )}
      {!manage && <p className="muted">Your role cannot create sub-accounts here.</p>}
      {!manageFromParent && <p className="muted">Moving, suspending and closing {account.name} is done by an admin of its parent account.</p>}
    </div>
  );
}

function MoveForm({ account, reload }: { account: Detail; reload: () => Promise<void> }) {
  const { viewer } = useViewer();
  const [term, setTerm] = useState('');
  const [candidates, setCandidates] = useState<{ id: string; name: string; depth: number; ancestors: { name: string }[] }[]>([]);
  const [parentId, setParentId] = useState('');
  useEffect(() => {
    const trimmed = term.trim();
    if (!trimmed) {
      setCandidates([]);
      return;
    }
    const timer = setTimeout(() => {
      request(AccountsPageDocument, { filter: { nameContains: trimmed, maxDepth: MAX_DEPTH - 1 }, first: 20, ...thisMonth(viewer?.activeAccount?.settings.timezone) })
        .then(({ data }) => setCandidates(data.accounts.nodes.filter((node) => node.id !== account.id && node.id !== account.parent?.id && !node.ancestors.some((a) => a.id === account.id))))
        .catch(() => setCandidates([]));
    }, 250);
    return () => clearTimeout(timer);
  }, [term, account, viewer]);
  const move = useAction(async () => {
    await request(MoveAccountDocument, { id: account.id, newParentId: parentId });
    await reload();
  });
  return (
    <form
      className="move-form"
      onSubmit={(event) => {
        event.preventDefault();
        void move.run();
      }}
    >
      <label htmlFor="move-search">Move under another account: search its name</label>
      <input id="move-search" type="search" value={term} onChange={(event) => setTerm(event.target.value)} />
      <label htmlFor="move-parent">New parent</label>
      <select id="move-parent" value={parentId} onChange={(event) => setParentId(event.target.value)} aria-describedby="move-rule move-error">
        <option value="">{candidates.length ? 'Choose the new parent' : 'Search first'}</option>
        {candidates.map((candidate) => (
          <option key={candidate.id} value={candidate.id}>
            {[...candidate.ancestors.map((ancestor) => ancestor.name), candidate.name].join(' › ')} (level {candidate.depth})
          </option>
        ))}
      </select>
      <p id="move-rule" className="help">
        {account.name} moves with all its sub-accounts, inside the same tree. Accounts go down to level {MAX_DEPTH} at most, so the new parent&apos;s level plus the
        levels of {account.name} and everything below it must not pass {MAX_DEPTH}.
      </p>
      <button type="submit" disabled={move.busy || !parentId}>
        Move {account.name}
      </button>
      <FieldError id="move-error" message={move.fieldErrors.newParentId} />
      {!move.fieldErrors.newParentId && <ErrorBanner error={move.error} />}
    </form>
  );
}

function CloseButton({ account, reload }: { account: Detail; reload: () => Promise<void> }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [cascade, setCascade] = useState(false);
  const close = useAction(async () => {
    await request(CloseAccountDocument, { id: account.id, cascade });
    dialog.current?.close();
    await reload();
  });
  return (
    <>
      <button type="button" className="danger" onClick={() => dialog.current?.showModal()}>
        Close {account.name}…
      </button>
      <dialog ref={dialog} aria-labelledby="close-title">
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            void close.run();
          }}
        >
          <h2 id="close-title">Close {account.name}?</h2>
          <p>Closing keeps its data; its users lose access and sending stops.</p>
          {account.childCount > 0 && (
            <label className="checkbox">
              <input type="checkbox" checked={cascade} onChange={(event) => setCascade(event.target.checked)} />
              Also close its {account.childCount} sub-account{account.childCount === 1 ? '' : 's'} and everything below them
            </label>
          )}
          <ErrorBanner error={close.error} />
          <div className="actions">
            <button type="submit" className="danger" disabled={close.busy || (account.childCount > 0 && !cascade)}>
              Close account
            </button>
            <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

const WEEKDAYS: Weekday[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

interface SettingSpec {
  key: SettingKey;
  label: string;
  show(settings: Settings, references: SettingReferences): string;
  editor?: (props: EditorProps) => ReactNode;
}

/** The sender IDs and templates the account may use, by id: the default sender and template settings name them. */
interface SettingReferences {
  senders: Map<string, string>;
  templates: Map<string, string>;
}

const senderLabel = (sender: { value: string; kind: string; status: string }) => `${sender.value} (${sender.kind.toLowerCase().replace(/_/g, ' ')}, ${sender.status.toLowerCase()})`;

const onOff = (value: boolean) => (value ? 'On' : 'Off');

const SETTINGS: SettingSpec[] = [
  { key: 'TIMEZONE', label: 'Timezone', show: (s) => s.timezone, editor: (props) => <SelectEditor {...props} id="timezone" label="Timezone" initial={props.settings.timezone} options={timeZones().map((zone) => [zone, zone])} submitLabel="Save timezone" toInput={(timezone) => ({ timezone })} /> },
  {
    key: 'OPT_OUT_KEYWORDS',
    label: 'Opt-out keywords',
    show: (s) => s.optOutKeywords.join(', ') || 'None',
    editor: (props) => <TextEditor {...props} initial={props.settings.optOutKeywords.join(', ')} label="Opt-out keywords (comma-separated)" toInput={(text) => ({ optOutKeywords: text.split(',').map((word) => word.trim()).filter(Boolean) })} />,
  },
  { key: 'ALLOW_DUPLICATE_CONTACTS', label: 'Allow duplicate contacts', show: (s) => onOff(s.allowDuplicateContacts), editor: (props) => <ToggleEditor {...props} field="allowDuplicateContacts" /> },
  {
    key: 'DEFAULT_TEMPLATE_ID',
    label: 'Default message template',
    show: (s, references) => (s.defaultTemplateId ? (references.templates.get(s.defaultTemplateId) ?? `Template ${s.defaultTemplateId}`) : 'None'),
    editor: (props) => <ReferenceEditor {...props} field="defaultTemplateId" label="Default message template" options={props.references.templates} />,
  },
  {
    key: 'DEFAULT_SENDER_ID',
    label: 'Default sender ID',
    show: (s, references) => (s.defaultSenderId ? (references.senders.get(s.defaultSenderId) ?? `Sender ID ${s.defaultSenderId}`) : 'Shared number pool'),
    editor: (props) => <ReferenceEditor {...props} field="defaultSenderId" label="Default sender ID" options={props.references.senders} />,
  },
  {
    key: 'SENDING_WINDOW',
    label: 'Sending window',
    show: (s) => (s.sendingWindow ? `${s.sendingWindow.days.map((day) => day.slice(0, 3).toLowerCase()).join(', ')} ${s.sendingWindow.start}–${s.sendingWindow.end}` : 'Any time'),
    editor: (props) => <SendingWindowEditor {...props} />,
  },
  {
    key: 'SMS_LIMITS',
    label: 'SMS limits',
    show: (s) => [s.smsLimits.daily !== null ? `${s.smsLimits.daily} a day` : null, s.smsLimits.monthly !== null ? `${s.smsLimits.monthly} a month` : null].filter(Boolean).join(', ') || 'No limit',
    editor: (props) => <SmsLimitsEditor {...props} />,
  },
  { key: 'TRACKABLE_LINKS', label: 'Trackable short links', show: (s) => onOff(s.trackableLinks), editor: (props) => <ToggleEditor {...props} field="trackableLinks" /> },
  { key: 'DELIVERY_RECEIPTS', label: 'Delivery receipts', show: (s) => onOff(s.deliveryReceipts), editor: (props) => <ToggleEditor {...props} field="deliveryReceipts" /> },
  { key: 'EMAIL_TO_SMS_ENABLED', label: 'Email to SMS', show: (s) => onOff(s.emailToSmsEnabled), editor: (props) => <ToggleEditor {...props} field="emailToSmsEnabled" /> },
];

function SettingsPanel({ account, canEdit, reload }: { account: Detail; canEdit: boolean; reload: () => Promise<void> }) {
  const [references, setReferences] = useState<SettingReferences>({ senders: new Map(), templates: new Map() });
  useEffect(() => {
    // Names only: a caller who may not list them still reads the settings, with ids.
    request(SettingReferencesDocument, { accountId: account.id })
      .then(({ data }) =>
        setReferences({
          senders: new Map(data.senderIds.nodes.map((sender) => [sender.id, senderLabel(sender)])),
          templates: new Map(data.messageTemplates.nodes.map((template) => [template.id, template.inherited ? `${template.name} (shared by a parent account)` : template.name])),
        }),
      )
      .catch(() => undefined);
  }, [account.id]);
  return (
    <div className="settings">
      {!canEdit && <p className="muted">Your role can read these settings but not change them.</p>}
      {SETTINGS.map((spec) => (
        <SettingRow key={spec.key} spec={spec} account={account} references={references} canEdit={canEdit} reload={reload} />
      ))}
    </div>
  );
}

function originText(account: Detail, key: SettingKey): string {
  const origin = account.settings.origins.find((entry) => entry.key === key);
  if (!origin || origin.source === 'DEFAULT') return 'Platform default';
  if (origin.source === 'OWN') return 'Set on this account';
  return `Inherited from ${origin.sourceAccount?.name ?? 'a parent account'}`;
}

function SettingRow({ spec, account, references, canEdit, reload }: { spec: SettingSpec; account: Detail; references: SettingReferences; canEdit: boolean; reload: () => Promise<void> }) {
  const [editing, setEditing] = useState(false);
  const own = account.settings.origins.find((entry) => entry.key === spec.key)?.source === 'OWN';
  const save = useAction(async (input: AccountSettingsInput) => {
    await request(UpdateAccountSettingsDocument, { id: account.id, input });
    setEditing(false);
    await reload();
  });
  const errorId = `setting-${spec.key}-error`;
  const fieldMessage = Object.values(save.fieldErrors)[0];
  return (
    <div className="setting" data-setting={spec.key}>
      <div className="setting-head">
        <h3>{spec.label}</h3>
        <span className="setting-value">{spec.show(account.settings, references)}</span>
        <span className={`origin ${own ? 'own' : 'inherited'}`}>{originText(account, spec.key)}</span>
      </div>
      {canEdit && spec.editor && (
        <div className="actions">
          {!editing && (
            <button type="button" className="small" onClick={() => setEditing(true)} aria-label={`Override ${spec.label}`}>
              Override
            </button>
          )}
          {own && (
            <button type="button" className="small secondary" disabled={save.busy} onClick={() => void save.run({ clear: [spec.key] })} aria-label={`Use inherited ${spec.label}`}>
              {account.depth > 0 ? 'Use inherited' : 'Use default'}
            </button>
          )}
        </div>
      )}
      {editing && spec.editor?.({ settings: account.settings, references, onSave: (input) => void save.run(input), busy: save.busy, errorId })}
      <FieldError id={errorId} message={fieldMessage} />
      {!fieldMessage && <ErrorBanner error={save.error} />}
    </div>
  );
}

type EditorProps = { settings: Settings; references: SettingReferences; onSave(input: AccountSettingsInput): void; busy: boolean; errorId: string };

const timeZones = (): string[] => {
  const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return supported.includes('UTC') ? supported : ['UTC', ...supported];
};

/** One setting picked from a list: a select and its submit button (an empty placeholder first, when given, submits nothing). */
function SelectEditor({
  id,
  label,
  initial,
  options,
  placeholder,
  submitLabel = 'Save',
  toInput,
  onSave,
  busy,
  errorId,
}: Pick<EditorProps, 'onSave' | 'busy' | 'errorId'> & {
  id: string;
  label: string;
  initial: string;
  options: [value: string, name: string][];
  placeholder?: string;
  submitLabel?: string;
  toInput(value: string): AccountSettingsInput;
}) {
  const [value, setValue] = useState(initial);
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (value) onSave(toInput(value));
      }}
    >
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => setValue(event.target.value)} aria-describedby={errorId}>
        {placeholder !== undefined && (
          <option value="" disabled>
            {placeholder}
          </option>
        )}
        {options.map(([optionValue, name]) => (
          <option key={optionValue} value={optionValue}>
            {name}
          </option>
        ))}
      </select>
      <button type="submit" disabled={busy || !value}>
        {submitLabel}
      </button>
    </form>
  );
}

function ReferenceEditor({ settings, field, label, options, ...props }: EditorProps & { field: 'defaultTemplateId' | 'defaultSenderId'; label: string; options: Map<string, string> }) {
  return (
    <SelectEditor
      {...props}
      id={`edit-${field}`}
      label={label}
      initial={settings[field] ?? ''}
      options={[...options]}
      placeholder={options.size === 0 ? 'None available to this account' : 'Choose…'}
      toInput={(value) => ({ [field]: value })}
    />
  );
}

function TextEditor({ initial, label, toInput, onSave, busy, errorId }: EditorProps & { initial: string; label: string; toInput(text: string): AccountSettingsInput }) {
  const [value, setValue] = useState(initial);
  const id = `edit-${label.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSave(toInput(value));
      }}
    >
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} onChange={(event) => setValue(event.target.value)} aria-describedby={errorId} />
      <button type="submit" disabled={busy}>
        Save
      </button>
    </form>
  );
}

function ToggleEditor({ settings, field, onSave, busy, errorId }: EditorProps & { field: 'allowDuplicateContacts' | 'trackableLinks' | 'deliveryReceipts' | 'emailToSmsEnabled' }) {
  const [value, setValue] = useState(settings[field]);
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSave({ [field]: value });
      }}
    >
      <label className="checkbox">
        <input type="checkbox" checked={value} onChange={(event) => setValue(event.target.checked)} aria-describedby={errorId} />
        On for this account
      </label>
      <button type="submit" disabled={busy}>
        Save
      </button>
    </form>
  );
}

function SendingWindowEditor({ settings, onSave, busy, errorId }: EditorProps) {
  const [days, setDays] = useState<Weekday[]>(settings.sendingWindow?.days ?? WEEKDAYS.slice(0, 5));
  const [start, setStart] = useState(settings.sendingWindow?.start ?? '09:00');
  const [end, setEnd] = useState(settings.sendingWindow?.end ?? '20:00');
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSave({ sendingWindow: { days, start, end } });
      }}
    >
      <fieldset>
        <legend>Days</legend>
        {WEEKDAYS.map((day) => (
          <label key={day} className="checkbox">
            <input type="checkbox" checked={days.includes(day)} onChange={(event) => setDays(event.target.checked ? WEEKDAYS.filter((d) => d === day || days.includes(d)) : days.filter((d) => d !== day))} />
            {day.charAt(0) + day.slice(1).toLowerCase()}
          </label>
        ))}
      </fieldset>
      <label htmlFor="window-start">From</label>
      <input id="window-start" type="time" value={start} onChange={(event) => setStart(event.target.value)} aria-describedby={errorId} />
      <label htmlFor="window-end">Until</label>
      <input id="window-end" type="time" value={end} onChange={(event) => setEnd(event.target.value)} aria-describedby={errorId} />
      <button type="submit" disabled={busy}>
        Save window
      </button>
    </form>
  );
}

function SmsLimitsEditor({ settings, onSave, busy, errorId }: EditorProps) {
  const [daily, setDaily] = useState(settings.smsLimits.daily?.toString() ?? '');
  const [monthly, setMonthly] = useState(settings.smsLimits.monthly?.toString() ?? '');
  const toLimit = (text: string) => (text.trim() === '' ? null : Number(text));
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSave({ smsLimits: { daily: toLimit(daily), monthly: toLimit(monthly) } });
      }}
    >
      <label htmlFor="limit-daily">Messages a day</label>
      <input id="limit-daily" type="number" min={0} value={daily} onChange={(event) => setDaily(event.target.value)} aria-describedby={errorId} />
      <label htmlFor="limit-monthly">Messages a month</label>
      <input id="limit-monthly" type="number" min={0} value={monthly} onChange={(event) => setMonthly(event.target.value)} aria-describedby={errorId} />
      <button type="submit" disabled={busy}>
        Save limits
      </button>
    </form>
  );
}
