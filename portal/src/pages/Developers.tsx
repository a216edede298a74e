import { useState } from 'react';
import {
  PortalActivityLogDocument,
  PortalApiKeysDocument,
  PortalCreateApiKeyDocument,
  PortalCreateWebhookEndpointDocument,
  PortalDeleteWebhookEndpointDocument,
  PortalDevelopersAccountDocument,
  PortalDisableWebhookEndpointDocument,
  PortalEnableWebhookEndpointDocument,
  PortalReplayWebhookDeliveryDocument,
  PortalRevokeApiKeyDocument,
  PortalRotateWebhookSecretDocument,
  PortalWebhookDeliveriesDocument,
  PortalWebhooksDocument,
  type ActivityLogFilter,
  type PortalDevelopersAccountQuery,
  type PortalWebhooksQuery,
  type Role,
} from '../__generated__/graphql';
import { ApiError, request } from '../client';
import { AccountBreadcrumb, actionsHeader, ConfirmButton, CopyId, ErrorBanner, FieldError, formatDateTime, Loading, PagerButtons, startOfDay, Table, useAction, usePager, useQuery } from '../ui';
import { roleLabel } from './SignIn';

type Account = NonNullable<PortalDevelopersAccountQuery['account']>;

/** Shown once: the API answers a key or a signing secret in its creation answer only. */
function SecretOnce({ label, secret }: { label: string; secret: string }) {
  return (
    <div role="status" className="card secret-once">
      <p>
        <strong>{label}</strong> Copy it now: it is shown only once and cannot be read again.
      </p>
      <CopyId id={secret} label={`Copy ${label.toLowerCase()}`} />
    </div>
  );
}

/** API keys, webhooks and the activity log of one account, each for the roles whose permission it needs. */
export function DevelopersPage({ accountId }: { accountId: string }) {
  const page = useQuery(PortalDevelopersAccountDocument, { accountId });
  if (page.error) return <main><ErrorBanner error={page.error} /></main>;
  if (!page.data) return <main><Loading what="the account" /></main>;
  const account = page.data.account;
  if (!account) return <main><p role="alert">This account does not exist or is not visible to you.</p></main>;
  const can = (permission: string) => page.data!.me.permissionsOn.includes(permission);
  const timeZone = account.settings.timezone;
  return (
    <main>
      <AccountBreadcrumb ancestors={account.ancestors} account={account} page="Developers" />
      <h1>Developers of {account.name}</h1>
      {!can('api-keys') && !can('webhooks') && !can('security') && <p className="muted">Your role cannot manage API keys, webhooks or the activity log of this account.</p>}
      {can('api-keys') && <ApiKeys accountId={account.id} timeZone={timeZone} />}
      {can('webhooks') && <Webhooks accountId={account.id} timeZone={timeZone} />}
      {can('security') && <ActivityLog account={account} timeZone={timeZone} />}
    </main>
  );
}

function ApiKeys({ accountId, timeZone }: { accountId: string; timeZone: string }) {
  const keys = useQuery(PortalApiKeysDocument, { accountId });
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('ADVANCED_USER');
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const create = useAction(async () => {
    const { data } = await request(PortalCreateApiKeyDocument, { accountId, name, role });
    setCreated({ name: data.createApiKey.apiKey.name, key: data.createApiKey.key });
    setName('');
    await keys.reload();
  });
  const revoke = useAction(async (id: string) => {
    await request(PortalRevokeApiKeyDocument, { id });
    await keys.reload();
  });
  const list = keys.data?.account?.apiKeys;
  return (
    <section aria-labelledby="api-keys-title" className="card table-card">
      <h2 id="api-keys-title">API keys</h2>
      <form
        className="inline-form range-form"
        onSubmit={(event) => {
          event.preventDefault();
          setCreated(null);
          void create.run();
        }}
      >
        <label htmlFor="api-key-name">Key name</label>
        <input id="api-key-name" required value={name} onChange={(event) => setName(event.target.value)} aria-describedby="api-key-name-error" />
        <label htmlFor="api-key-role">Scope</label>
        <select id="api-key-role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
          {(['ADMIN', 'ADVANCED_USER', 'BASIC_USER'] as const).map((value) => (
            <option key={value} value={value}>
              {roleLabel(value)}
            </option>
          ))}
        </select>
        <button type="submit" disabled={create.busy}>
          Create API key
        </button>
        <FieldError id="api-key-name-error" message={create.fieldErrors.name ?? create.fieldErrors.role} />
        {!create.fieldErrors.name && !create.fieldErrors.role && <ErrorBanner error={create.error} />}
      </form>
      {created && <SecretOnce label={`API key “${created.name}”.`} secret={created.key} />}
      <ErrorBanner error={keys.error ?? revoke.error} />
      {!list ? (
        <Loading what="the API keys" />
      ) : list.nodes.length === 0 ? (
        <p className="muted">No API keys yet.</p>
      ) : (
        <Table
          className="api-keys"
          rows={list.nodes}
          rowKey={(key) => key.id}
          columns={[
            { header: 'Name', cell: (key) => key.name },
            { header: 'Key starts with', cell: (key) => <code>{key.prefix}</code> },
            { header: 'Scope', cell: (key) => (key.role ? roleLabel(key.role) : key.permissions.join(', ')) },
            { header: 'Created', cell: (key) => formatDateTime(key.createdAt, timeZone) },
            { header: 'Last used', cell: (key) => (key.lastUsedAt ? formatDateTime(key.lastUsedAt, timeZone) : 'Never') },
            {
              header: 'Status',
              cell: (key) =>
                key.revokedAt
                  ? `Revoked ${formatDateTime(key.revokedAt, timeZone)}`
                  : key.expiresAt && Date.parse(key.expiresAt) < Date.now()
                    ? 'Expired'
                    : key.expiresAt
                      ? `Active until ${formatDateTime(key.expiresAt, timeZone)}`
                      : 'Active',
            },
            {
              header: actionsHeader(),
              cell: (key) => !key.revokedAt && <ConfirmButton label={`Revoke ${key.name}`} confirmLabel={`Revoke ${key.name} now`} busy={revoke.busy} onConfirm={() => void revoke.run(key.id)} />,
            },
          ]}
        />
      )}
    </section>
  );
}

type Endpoint = PortalWebhooksQuery['webhookEndpoints']['nodes'][number];

function Webhooks({ accountId, timeZone }: { accountId: string; timeZone: string }) {
  const webhooks = useQuery(PortalWebhooksDocument, { accountId });
  const [secret, setSecret] = useState<{ label: string; secret: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const change = useAction(async (work: () => Promise<string | null>) => {
    setSecret(null);
    const shown = await work();
    if (shown) setSecret({ label: 'Signing secret.', secret: shown });
    await webhooks.reload();
  });
  if (webhooks.error) return <section className="card"><h2>Webhooks</h2><ErrorBanner error={webhooks.error} /></section>;
  if (!webhooks.data) return <Loading what="the webhooks" />;
  const { webhookEventTypes: eventTypes, webhookEndpoints: endpoints } = webhooks.data;
  return (
    <section aria-labelledby="webhooks-title" className="card table-card">
      <h2 id="webhooks-title">Webhooks</h2>
      <NewEndpointForm accountId={accountId} eventTypes={eventTypes} onCreated={(created) => change.run(async () => created)} />
      {secret && <SecretOnce label={secret.label} secret={secret.secret} />}
      <ErrorBanner error={change.error} />
      {endpoints.nodes.length === 0 ? (
        <p className="muted">No endpoints yet.</p>
      ) : (
        endpoints.nodes.map((endpoint) => (
          <article key={endpoint.id} className="endpoint" aria-label={`Endpoint ${endpoint.url}`}>
            <h3>
              <code>{endpoint.url}</code> <span className={`status status-${endpoint.status === 'ACTIVE' ? 'active' : 'suspended'}`}>{endpoint.status === 'ACTIVE' ? 'Active' : `Disabled (${endpoint.disabledReason ?? 'manual'})`}</span>
            </h3>
            {endpoint.description && <p>{endpoint.description}</p>}
            <p className="muted">
              Events: {endpoint.eventTypes.join(', ')}
              {endpoint.includeSubAccounts ? ' · with every sub-account' : ''} · last success: {endpoint.lastSuccessAt ? formatDateTime(endpoint.lastSuccessAt, timeZone) : 'never'}
              {endpoint.previousSecretExpiresAt && ` · previous secret signs until ${formatDateTime(endpoint.previousSecretExpiresAt, timeZone)}`}
            </p>
            <div className="actions">
              <button type="button" className="small" aria-expanded={open === endpoint.id} onClick={() => setOpen(open === endpoint.id ? null : endpoint.id)}>
                Deliveries of {endpoint.url}
              </button>
              <button type="button" className="small secondary" disabled={change.busy} onClick={() => void change.run(async () => (await request(PortalRotateWebhookSecretDocument, { id: endpoint.id })).data.rotateWebhookSecret.secret)}>
                Rotate the secret of {endpoint.url}
              </button>
              <EndpointStatusButton endpoint={endpoint} busy={change.busy} run={change.run} />
              <ConfirmButton label={`Delete ${endpoint.url}`} confirmLabel={`Delete ${endpoint.url} now`} busy={change.busy} onConfirm={() => void change.run(async () => (await request(PortalDeleteWebhookEndpointDocument, { id: endpoint.id }), null))} />
            </div>
            {open === endpoint.id && <Deliveries endpointId={endpoint.id} timeZone={timeZone} />}
          </article>
        ))
      )}
    </section>
  );
}

function EndpointStatusButton({ endpoint, busy, run }: { endpoint: Endpoint; busy: boolean; run: (work: () => Promise<string | null>) => Promise<void> }) {
  const active = endpoint.status === 'ACTIVE';
  return (
    <button type="button" className="small secondary" disabled={busy} onClick={() => void run(async () => (await (active ? request(PortalDisableWebhookEndpointDocument, { id: endpoint.id }) : request(PortalEnableWebhookEndpointDocument, { id: endpoint.id })), null))}>
      {active ? 'Disable' : 'Enable'} {endpoint.url}
    </button>
  );
}

function NewEndpointForm({ accountId, eventTypes, onCreated }: { accountId: string; eventTypes: PortalWebhooksQuery['webhookEventTypes']; onCreated: (secret: string) => Promise<void> }) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const [includeSubAccounts, setIncludeSubAccounts] = useState(false);
  const create = useAction(async () => {
    const { data } = await request(PortalCreateWebhookEndpointDocument, { input: { accountId, url, eventTypes: types, includeSubAccounts, description: description || null } });
    setUrl('');
    setDescription('');
    setTypes([]);
    await onCreated(data.createWebhookEndpoint.secret);
  });
  return (
    <details>
      <summary>Add an endpoint</summary>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void create.run();
        }}
      >
        <label htmlFor="webhook-url">Endpoint URL (https)</label>
        <input id="webhook-url" type="url" required value={url} onChange={(event) => setUrl(event.target.value)} aria-describedby="webhook-url-error" />
        <FieldError id="webhook-url-error" message={create.fieldErrors.url} />
        <label htmlFor="webhook-description">Description</label>
        <input id="webhook-description" value={description} onChange={(event) => setDescription(event.target.value)} />
        <fieldset aria-describedby="webhook-events-error">
          <legend>Events</legend>
          {eventTypes.map((eventType) => (
            <label key={eventType.type} className="checkbox">
              <input type="checkbox" checked={types.includes(eventType.type)} onChange={(event) => setTypes(event.target.checked ? [...types, eventType.type] : types.filter((t) => t !== eventType.type))} />
              <code>{eventType.type}</code> <span className="muted">{eventType.description}</span>
            </label>
          ))}
          <FieldError id="webhook-events-error" message={create.fieldErrors.eventTypes} />
        </fieldset>
        <label className="checkbox">
          <input type="checkbox" checked={includeSubAccounts} onChange={(event) => setIncludeSubAccounts(event.target.checked)} />
          Also the events of every sub-account
        </label>
        <button type="submit" disabled={create.busy}>
          Add endpoint
        </button>
        {!create.fieldErrors.url && !create.fieldErrors.eventTypes && <ErrorBanner error={create.error} />}
      </form>
    </details>
  );
}

function Deliveries({ endpointId, timeZone }: { endpointId: string; timeZone: string }) {
  const pager = usePager();
  const deliveries = useQuery(PortalWebhookDeliveriesDocument, { id: endpointId, after: pager.after });
  const replay = useAction(async (id: string) => {
    await request(PortalReplayWebhookDeliveryDocument, { id });
    await deliveries.reload();
  });
  if (deliveries.error) return <ErrorBanner error={deliveries.error} />;
  if (!deliveries.data) return <Loading what="the deliveries" />;
  const page = deliveries.data.webhookEndpoint.deliveries;
  return (
    <div className="deliveries">
      <ErrorBanner error={replay.error} />
      {page.nodes.length === 0 ? (
        <p className="muted">No deliveries yet.</p>
      ) : (
        <Table
          rows={page.nodes}
          rowKey={(delivery) => delivery.id}
          columns={[
            { header: 'Created', cell: (delivery) => formatDateTime(delivery.createdAt, timeZone) },
            {
              header: 'Event',
              cell: (delivery) => (
                <>
                  <code>{delivery.eventType}</code>
                  <br />
                  <CopyId id={delivery.webhookId} label="Copy webhook id" />
                </>
              ),
            },
            {
              header: 'Status',
              cell: (delivery) => (
                <>
                  {delivery.status}
                  {delivery.nextAttemptAt && <span className="muted"> · next {formatDateTime(delivery.nextAttemptAt, timeZone)}</span>}
                </>
              ),
            },
            {
              header: 'Attempts',
              cell: (delivery) => (
                <details>
                  <summary>
                    {delivery.attemptCount} attempt(s){delivery.lastResponseStatus ? `, last HTTP ${delivery.lastResponseStatus}` : ''}
                  </summary>
                  <ol>
                    {delivery.attempts.nodes.map((attempt) => (
                      <li key={attempt.number}>
                        {formatDateTime(attempt.attemptedAt, timeZone)}: {attempt.succeeded ? 'succeeded' : 'failed'}, {attempt.responseStatus ? `HTTP ${attempt.responseStatus}` : 'no answer'}, {attempt.latencyMs} ms
                        {attempt.error && <span className="muted"> ({attempt.error})</span>}
                      </li>
                    ))}
                  </ol>
                </details>
              ),
            },
            {
              header: actionsHeader(),
              cell: (delivery) => (
                <button type="button" className="small secondary" disabled={replay.busy} onClick={() => void replay.run(delivery.id)}>
                  Replay {delivery.eventType}
                </button>
              ),
            },
          ]}
        />
      )}
      <PagerButtons pager={pager} pageInfo={page.pageInfo} noun="deliveries" />
    </div>
  );
}

function ActivityLog({ account, timeZone }: { account: Account; timeZone: string }) {
  const [draft, setDraft] = useState({ action: '', actorId: '', from: '', to: '', includeDescendants: true });
  const [filter, setFilter] = useState<ActivityLogFilter>({ includeDescendants: true });
  const pager = usePager();
  const log = useQuery(PortalActivityLogDocument, { accountId: account.id, filter, after: pager.after });
  const page = log.data?.activityLog;
  const fieldErrors = log.error instanceof ApiError ? log.error.byField : {};
  return (
    <section aria-labelledby="activity-title" className="card table-card">
      <h2 id="activity-title">Activity log</h2>
      <form
        className="inline-form range-form"
        onSubmit={(event) => {
          event.preventDefault();
          pager.reset();
          setFilter({
            action: draft.action.trim() || null,
            actorId: draft.actorId || null,
            from: draft.from ? startOfDay(draft.from, timeZone) : null,
            // to is exclusive: the whole of the last day chosen
            to: draft.to ? startOfDay(new Date(Date.parse(`${draft.to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10), timeZone) : null,
            includeDescendants: draft.includeDescendants,
          });
        }}
      >
        <label htmlFor="activity-action">Action</label>
        <input id="activity-action" value={draft.action} placeholder="e.g. createApiKey" onChange={(event) => setDraft({ ...draft, action: event.target.value })} aria-describedby="activity-action-error" />
        {account.members && (
          <>
            <label htmlFor="activity-actor">Who</label>
            <select id="activity-actor" value={draft.actorId} onChange={(event) => setDraft({ ...draft, actorId: event.target.value })}>
              <option value="">Anyone</option>
              {account.members.nodes.map((member) => (
                <option key={member.userId} value={member.userId}>
                  {member.user.name}
                </option>
              ))}
            </select>
          </>
        )}
        <label htmlFor="activity-from">From</label>
        <input id="activity-from" type="date" value={draft.from} onChange={(event) => setDraft({ ...draft, from: event.target.value })} />
        <label htmlFor="activity-to">To</label>
        <input id="activity-to" type="date" value={draft.to} min={draft.from || undefined} onChange={(event) => setDraft({ ...draft, to: event.target.value })} />
        <label className="checkbox">
          <input type="checkbox" checked={draft.includeDescendants} onChange={(event) => setDraft({ ...draft, includeDescendants: event.target.checked })} />
          Include sub-accounts
        </label>
        <button type="submit">Filter</button>
        <FieldError id="activity-action-error" message={fieldErrors.action} />
        <span className="help">Dates are in the account&apos;s timezone ({timeZone}).</span>
      </form>
      {!fieldErrors.action && <ErrorBanner error={log.error} />}
      {!page ? (
        !log.error && <Loading what="the activity log" />
      ) : page.nodes.length === 0 ? (
        <p className="muted">No activity matches.</p>
      ) : (
        <>
          <p className="muted">{page.totalCount} entries</p>
          <Table
            className="activity-log"
            rows={page.nodes}
            rowKey={(entry) => entry.id}
            columns={[
              { header: 'When', cell: (entry) => formatDateTime(entry.occurredAt, timeZone) },
              { header: 'Who', cell: (entry) => (entry.actor ? entry.actor.name : entry.actorKind === 'USER' ? 'A user you cannot see' : entry.actorKind.toLowerCase().replace(/_/g, ' ')) },
              { header: 'Action', cell: (entry) => <code>{entry.action}</code> },
              { header: 'Account', cell: (entry) => entry.targetAccount?.name ?? entry.targetAccountId ?? '—' },
              {
                header: 'Target',
                cell: (entry) => (
                  <>
                    {entry.targetType ?? '—'} {entry.targetId && <CopyId id={entry.targetId} label="Copy target id" />}
                  </>
                ),
              },
              {
                header: 'Change',
                cell: (entry) =>
                  (entry.before != null || entry.after != null) && (
                    <details>
                      <summary>Before and after</summary>
                      <pre>{JSON.stringify({ before: entry.before, after: entry.after }, null, 2)}</pre>
                    </details>
                  ),
              },
            ]}
          />
          <PagerButtons pager={pager} pageInfo={page.pageInfo} noun="entries" />
        </>
      )}
    </section>
  );
}
