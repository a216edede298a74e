import { useState } from 'react';
import { PortalCreateUsageExportDocument, PortalUsageDocument, type PortalUsageQuery, type UsageGroupBy } from '../__generated__/graphql';
import { ApiError, downloadFromGateway, request } from '../client';
import { AccountBreadcrumb, ErrorBanner, FieldError, Link, Loading, navigate, Table, thisMonth, useAction, useQuery, type Column } from '../ui';
import { useViewer } from '../viewer';
import { BarChart, type ChartSeries } from './charts';

type UsageRow = NonNullable<NonNullable<PortalUsageQuery['account']>['table']>['rows'][number];

const GROUPINGS: { value: UsageGroupBy; label: string }[] = [
  { value: 'CHILD_ACCOUNT', label: 'Child account' },
  { value: 'DAY', label: 'Day' },
  { value: 'MONTH', label: 'Month' },
  { value: 'USER', label: 'User' },
  { value: 'SENDER_ID', label: 'Sender ID' },
];
const MEASURES = [
  ['messages', 'Messages'],
  ['parts', 'SMS parts'],
  ['delivered', 'Delivered'],
  ['failed', 'Failed'],
  ['costUnits', 'Credit units'],
] as const;
const DAY_MS = 86_400_000;

/** Every calendar day of [from, to] (at most 366, the API's own bound). */
function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let time = Date.parse(`${from}T00:00:00Z`); time <= Date.parse(`${to}T00:00:00Z`) && days.length < 366; time += DAY_MS) days.push(new Date(time).toISOString().slice(0, 10));
  return days;
}

const usagePath = (accountId: string, range: { from: string; to: string; groupBy: UsageGroupBy }) => `/accounts/${accountId}/usage?${new URLSearchParams(range)}`;

/**
 * Usage of an account's subtree (SPEC R1): the range and grouping live in the address, so a drill-down
 * into a child or a reload keeps them. The API decides the scope: a basic user's report holds only
 * their own messages (R2), and only `reports-export` sees the CSV export.
 */
export function UsagePage({ accountId }: { accountId: string }) {
  const { viewer } = useViewer();
  const query = new URLSearchParams(window.location.search);
  const month = thisMonth(viewer?.activeAccount?.settings.timezone);
  const range = { from: query.get('from') ?? month.from, to: query.get('to') ?? month.to, groupBy: (query.get('groupBy') ?? 'CHILD_ACCOUNT') as UsageGroupBy };
  const usage = useQuery(PortalUsageDocument, { accountId, from: range.from, to: range.to, groupBy: [range.groupBy] });
  const exporting = useAction(async () => {
    const { data } = await request(PortalCreateUsageExportDocument, { accountId, from: range.from, to: range.to, groupBy: [range.groupBy] });
    await downloadFromGateway(data.createUsageExport.url);
  });

  if (usage.error && !usage.data) return <main><ErrorBanner error={usage.error} /></main>;
  if (!usage.data) return <main><Loading what="the usage" /></main>;
  const account = usage.data.account;
  if (!account) return <main><p role="alert">This account does not exist or is not visible to you.</p></main>;
  const canExport = usage.data.me.permissionsOn.includes('reports-export');
  // Refusals of the report itself (account.<alias>), not of a row's user or sender ID the caller may not see.
  const reportErrors = usage.partialError?.errors.filter((entry) => entry.path?.length === 2) ?? [];
  const reportError = reportErrors.length ? new ApiError(reportErrors) : null;
  const refused = reportError?.code;
  return (
    <main>
      <AccountBreadcrumb ancestors={account.ancestors} account={account} page="Usage" />
      <h1>Usage of {account.name}</h1>
      <RangeForm key={JSON.stringify(range)} range={range} onShow={(next) => navigate(usagePath(accountId, next))} error={usage.error ?? (refused === 'FORBIDDEN' ? null : reportError)} />
      {usage.loading && <Loading what="the usage" />}
      {!account.summary ? (
        refused === 'FORBIDDEN' && <p className="muted">Your role cannot read the reports of this account.</p>
      ) : (
        <>
          {account.summary.scope === 'OWN' && <p className="help">Only the messages you sent yourself are counted: your role reports on your own messages.</p>}
          <section aria-labelledby="totals-title" className="card">
            <h2 id="totals-title">
              Totals, {account.summary.from} to {account.summary.to}
            </h2>
            <dl className="totals">
              {MEASURES.map(([key, label]) => (
                <div key={key} data-measure={key}>
                  <dt>{label}</dt>
                  <dd>{account.summary!.totals[key].toLocaleString()}</dd>
                </div>
              ))}
            </dl>
          </section>
          {/* The figures' own range and grouping: while a new range loads, the previous answer stays labelled as it was asked. */}
          <Charts account={account} range={{ ...range, from: account.summary.from, to: account.summary.to }} />
          {account.table && <UsageTable rows={account.table.rows} range={{ ...range, groupBy: account.table.groupBy[0] }} ownName={account.name} />}
          {canExport && (
            <p className="actions">
              <button type="button" disabled={exporting.busy} onClick={() => void exporting.run()}>
                Export CSV
              </button>
              <span className="help">Every row of this report grouped by {GROUPINGS.find((g) => g.value === range.groupBy)?.label.toLowerCase()}, with ids.</span>
              <ErrorBanner error={exporting.error} />
            </p>
          )}
        </>
      )}
    </main>
  );
}

function RangeForm({ range, onShow, error }: { range: { from: string; to: string; groupBy: UsageGroupBy }; onShow: (range: { from: string; to: string; groupBy: UsageGroupBy }) => void; error: unknown }) {
  const [draft, setDraft] = useState(range);
  const fieldErrors = error instanceof ApiError ? error.byField : {};
  return (
    <form
      className="inline-form range-form card"
      onSubmit={(event) => {
        event.preventDefault();
        onShow(draft);
      }}
    >
      <label htmlFor="usage-from">From</label>
      <input id="usage-from" type="date" required value={draft.from} onChange={(event) => setDraft({ ...draft, from: event.target.value })} aria-describedby="usage-from-error" />
      <label htmlFor="usage-to">To</label>
      <input id="usage-to" type="date" required value={draft.to} min={draft.from} onChange={(event) => setDraft({ ...draft, to: event.target.value })} aria-describedby="usage-to-error" />
      <label htmlFor="usage-group">Group by</label>
      <select id="usage-group" value={draft.groupBy} onChange={(event) => setDraft({ ...draft, groupBy: event.target.value as UsageGroupBy })}>
        {GROUPINGS.map((grouping) => (
          <option key={grouping.value} value={grouping.value}>
            {grouping.label}
          </option>
        ))}
      </select>
      <button type="submit">Show usage</button>
      <FieldError id="usage-from-error" message={fieldErrors.from} />
      <FieldError id="usage-to-error" message={fieldErrors.to} />
      {!fieldErrors.from && !fieldErrors.to && <ErrorBanner error={error} />}
      <span className="help">Days are the sending account&apos;s local dates (its timezone).</span>
    </form>
  );
}

function Charts({ account, range }: { account: NonNullable<PortalUsageQuery['account']>; range: { from: string; to: string; groupBy: UsageGroupBy } }) {
  const days = daysOf(range.from, range.to);
  const index = new Map(days.map((day, i) => [day, i]));
  const perDay = days.map(() => 0);
  for (const row of account.byDay?.rows ?? []) perDay[index.get(row.day!)!] += row.messages;
  const byChild = new Map<string, ChartSeries>();
  for (const row of account.byDayAndChild?.rows ?? []) {
    const key = row.childAccount?.id ?? account.id;
    if (!byChild.has(key)) byChild.set(key, { key, label: row.childAccount?.name ?? `${account.name} (own)`, values: days.map(() => 0), link: row.childAccount ? usagePath(row.childAccount.id, range) : undefined });
    byChild.get(key)!.values[index.get(row.day!)!] += row.messages;
  }
  return (
    <div className="charts">
      <section aria-labelledby="per-day-title" className="card">
        <h2 id="per-day-title">Messages per day</h2>
        <BarChart days={days} series={[{ key: 'all', label: 'Messages', values: perDay }]} title="Messages per day" />
      </section>
      <section aria-labelledby="per-child-title" className="card">
        <h2 id="per-child-title">Messages per day by child account</h2>
        {byChild.size === 0 ? <p className="muted">No messages in this range.</p> : <BarChart days={days} series={[...byChild.values()]} title="Messages per day by child account" />}
      </section>
    </div>
  );
}

function groupLabel(row: UsageRow, groupBy: UsageGroupBy, range: { from: string; to: string; groupBy: UsageGroupBy }, ownName: string) {
  switch (groupBy) {
    case 'CHILD_ACCOUNT':
      return row.childAccount ? <Link to={usagePath(row.childAccount.id, range)}>{row.childAccount.name}</Link> : `${ownName} (own messages)`;
    case 'DAY':
      return row.day;
    case 'MONTH':
      return row.month;
    case 'USER':
      return row.user ? (
        <>
          {row.user.name} <span className="muted">{row.user.email}</span>
        </>
      ) : row.userId ? (
        'A user you cannot see'
      ) : (
        'No user (API key)'
      );
    case 'SENDER_ID':
      return row.sender ? `${row.sender.value} (${row.sender.kind.toLowerCase().replace(/_/g, ' ')})` : row.senderId ? 'A sender ID you cannot see' : 'Shared number pool';
  }
}

function UsageTable({ rows, range, ownName }: { rows: UsageRow[]; range: { from: string; to: string; groupBy: UsageGroupBy }; ownName: string }) {
  const grouping = GROUPINGS.find((g) => g.value === range.groupBy)!;
  return (
    <section aria-labelledby="usage-table-title" className="card table-card">
      <h2 id="usage-table-title">By {grouping.label.toLowerCase()}</h2>
      {rows.length === 0 ? (
        <p className="muted">No messages in this range.</p>
      ) : (
        <Table
          className="usage-table"
          rows={rows}
          rowKey={(_row, index) => index}
          columns={[
            { header: grouping.label, rowHeader: true, cell: (row) => groupLabel(row, range.groupBy, range, ownName) },
            ...MEASURES.map(([key, label]): Column<UsageRow> => ({ header: label, numeric: true, cell: (row) => row[key].toLocaleString() })),
          ]}
        />
      )}
    </section>
  );
}
