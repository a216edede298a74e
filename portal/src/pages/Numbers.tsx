import { useState } from 'react';
import { PortalRequestSenderIdDocument, PortalSenderIdsDocument, PortalVerifySenderIdDocument, type PortalSenderIdsQuery, type SenderIdKind } from '../__generated__/graphql';
import { request } from '../client';
import { CopyId, ErrorBanner, FieldError, formatDateTime, Loading, onSubmitted, Table, useAction, useQuery } from '../ui';
import { useViewer } from '../viewer';

type Sender = PortalSenderIdsQuery['senderIds']['nodes'][number];

/** The kinds of SPEC M7 in the page's order, with what a request of each needs. */
const KINDS: { kind: SenderIdKind; title: string; requestLabel: string; help: string }[] = [
  { kind: 'DEDICATED_NUMBER', title: 'Dedicated numbers', requestLabel: 'Dedicated number', help: 'A number for this account alone, in international form (+44…); active once the platform has provisioned it.' },
  { kind: 'ALPHANUMERIC', title: 'Alphanumeric sender IDs', requestLabel: 'Alphanumeric tag', help: 'Up to 11 letters, digits or spaces, at least one letter; recipients cannot reply to it.' },
  { kind: 'PERSONAL_NUMBER', title: 'Personal numbers', requestLabel: 'Personal mobile number', help: 'Your own mobile number: it receives a 6-digit code to enter here.' },
  { kind: 'SHORT_CODE', title: 'Short codes', requestLabel: 'Short code', help: '3 to 8 digits; active once the platform has approved it.' },
];

const statusText = (sender: Sender): string => {
  const text = sender.status.charAt(0) + sender.status.slice(1).toLowerCase().replace(/_/g, ' ');
  return sender.status === 'REJECTED' && sender.rejectionReason ? `${text}: ${sender.rejectionReason}` : text;
};

/** Page 5 (issue 18): the acting account's sender IDs by kind and status (SPEC M7); admins request and verify them. */
export function NumbersPage() {
  const { viewer } = useViewer();
  const accountId = viewer?.activeAccount?.id ?? '';
  const senders = useQuery(PortalSenderIdsDocument, { accountId });

  if (senders.error && !senders.data) return <main><ErrorBanner error={senders.error} /></main>;
  if (!senders.data) return <main><Loading what="the sender IDs" /></main>;
  const { account, me, senderIds } = senders.data;
  if (!account) return <main><p role="alert">This account does not exist or is not visible to you.</p></main>;
  const canManage = me.permissionsOn.includes('system-configuration');
  const timeZone = account.settings.timezone;
  return (
    <main className="numbers-page">
      <h1>Numbers and channels of {account.name}</h1>
      <section aria-labelledby="kind-SHARED" className="card">
        <h2 id="kind-SHARED">Shared number pool</h2>
        <p>
          <span className="status status-active">Active</span> The platform's shared numbers send every message that names no sender ID. Replies to them reach the inbox.
        </p>
      </section>
      {KINDS.map(({ kind, title }) => {
        const ofKind = senderIds.nodes.filter((sender) => sender.kind === kind);
        return (
          <section key={kind} aria-labelledby={`kind-${kind}`} className="card table-card">
            <h2 id={`kind-${kind}`}>
              {title} ({ofKind.length})
            </h2>
            {ofKind.length === 0 ? (
              <p className="muted">None yet.</p>
            ) : (
              <Table
                rows={ofKind}
                rowKey={(sender) => sender.id}
                columns={[
                  { header: 'Sender', cell: (sender) => sender.value },
                  {
                    header: 'Status',
                    cell: (sender) => (
                      <>
                        {statusText(sender)}
                        {sender.status === 'PENDING_VERIFICATION' && canManage && sender.accountId === account.id && <VerifyForm sender={sender} onVerified={senders.reload} />}
                      </>
                    ),
                  },
                  { header: 'Owner', cell: (sender) => (sender.accountId === account.id ? (sender.sharedDown ? 'This account, shared with sub-accounts' : 'This account') : 'Shared by a parent account') },
                  { header: 'Requested', cell: (sender) => formatDateTime(sender.createdAt, timeZone) },
                  { header: 'Sender ID', cell: (sender) => <CopyId id={sender.id} label="Copy sender ID id" /> },
                ]}
              />
            )}
          </section>
        );
      })}
      {senderIds.pageInfo.hasNextPage && <p className="muted">The first 200 sender IDs are shown.</p>}
      {canManage ? (
        <section aria-labelledby="request-title" className="card">
          <h2 id="request-title">Request a sender ID</h2>
          <RequestForm accountId={account.id} onRequested={senders.reload} />
        </section>
      ) : (
        <p className="muted">An admin of this account requests and verifies sender IDs.</p>
      )}
    </main>
  );
}

function RequestForm({ accountId, onRequested }: { accountId: string; onRequested: () => Promise<void> }) {
  const [kind, setKind] = useState<SenderIdKind>('DEDICATED_NUMBER');
  const [value, setValue] = useState('');
  const [sharedDown, setSharedDown] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const chosen = KINDS.find((entry) => entry.kind === kind)!;
  const submit = useAction(async () => {
    const { data } = await request(PortalRequestSenderIdDocument, { accountId, input: { kind, value, sharedDown } });
    const status = data.requestSenderId.status;
    setDone(status === 'ACTIVE' ? `${value} is active.` : status === 'PENDING_VERIFICATION' ? `A code was sent to ${value}: enter it beside the number.` : `${value} was requested; it is active once the platform approves it.`);
    setValue('');
    await onRequested();
  });
  return (
    <form
      className="stacked-form"
      onSubmit={onSubmitted(() => {
        setDone(null);
        return submit.run();
      })}
    >
      <label htmlFor="sender-kind">Kind</label>
      <select id="sender-kind" value={kind} onChange={(event) => setKind(event.target.value as SenderIdKind)}>
        {KINDS.map((entry) => (
          <option key={entry.kind} value={entry.kind}>
            {entry.requestLabel}
          </option>
        ))}
      </select>
      <label htmlFor="sender-value">{chosen.requestLabel}</label>
      <input id="sender-value" required value={value} onChange={(event) => setValue(event.target.value)} aria-describedby="sender-value-help sender-value-error" />
      <span id="sender-value-help" className="help">
        {chosen.help}
      </span>
      <FieldError id="sender-value-error" message={submit.fieldErrors.value} />
      <label className="checkbox">
        <input type="checkbox" checked={sharedDown} onChange={(event) => setSharedDown(event.target.checked)} />
        Sub-accounts may use it too
      </label>
      <div className="actions">
        <button type="submit" disabled={submit.busy}>
          Request {chosen.requestLabel.toLowerCase()}
        </button>
      </div>
      {!submit.fieldErrors.value && <ErrorBanner error={submit.error} />}
      {done && (
        <p role="status" className="success">
          {done}
        </p>
      )}
    </form>
  );
}

function VerifyForm({ sender, onVerified }: { sender: Sender; onVerified: () => Promise<void> }) {
  const [code, setCode] = useState('');
  const verify = useAction(async () => {
    await request(PortalVerifySenderIdDocument, { id: sender.id, code });
    await onVerified();
  });
  const id = `verify-${sender.id}`;
  return (
    <form
      className="inline-form verify-form"
      onSubmit={onSubmitted(() => verify.run())}
    >
      <label htmlFor={id}>Verification code for {sender.value}</label>
      <input id={id} inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(event) => setCode(event.target.value)} aria-describedby={`${id}-error`} />
      <button type="submit" className="small" disabled={verify.busy}>
        Verify
      </button>
      <FieldError id={`${id}-error`} message={verify.fieldErrors.code ?? (verify.error ? (verify.error as Error).message : undefined)} />
    </form>
  );
}
