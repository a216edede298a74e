import { useState } from 'react';
import {
  PortalAddPaymentMethodDocument,
  PortalBillingDocument,
  PortalInvoiceDownloadDocument,
  PortalLedgerDocument,
  PortalRemovePaymentMethodDocument,
  PortalSetAutoTopUpDocument,
  PortalSetDefaultPaymentMethodDocument,
  PortalSetLowBalanceThresholdDocument,
  PortalTopUpDocument,
  type InvoiceFormat,
  type PortalBillingQuery,
} from '../__generated__/graphql';
import { downloadFromGateway, request } from '../client';
import { AccountBreadcrumb, actionsHeader, ConfirmButton, ErrorBanner, FieldError, formatDateTime, Link, Loading, PagerButtons, Table, useAction, usePager, useQuery } from '../ui';

type Account = NonNullable<PortalBillingQuery['account']>;
type PaymentMethod = NonNullable<Account['paymentMethods']>[number];

const units = (value: number) => `${value.toLocaleString()} units`;
const toUnits = (text: string) => (text.trim() === '' ? null : Number(text));
const newIdempotencyKey = () => `portal-top-up-${crypto.randomUUID()}`;

/** Balance and who pays, the ledger, top-ups and their settings, payment methods and invoices (SPEC B1-B6); needs `billing`. */
export function BillingPage({ accountId }: { accountId: string }) {
  const billing = useQuery(PortalBillingDocument, { accountId });
  // The ledger (paged on its own) starts again from its newest page after every change.
  const [changes, setChanges] = useState(0);
  const reload = async () => {
    await billing.reload();
    setChanges((count) => count + 1);
  };
  if (billing.error && !billing.data) return <main><ErrorBanner error={billing.error} /></main>;
  if (!billing.data) return <main><Loading what="the billing" /></main>;
  const account = billing.data.account;
  if (!account) return <main><p role="alert">This account does not exist or is not visible to you.</p></main>;
  const timeZone = account.settings.timezone;
  const state = account.billing;
  const paysItself = state?.paidBy === 'SELF';
  const prepaid = paysItself && state?.mode === 'PREPAID';
  return (
    <main>
      <AccountBreadcrumb ancestors={account.ancestors} account={account} page="Billing" />
      <h1>Billing of {account.name}</h1>
      {!state ? (
        <p className="muted">Your role cannot see the billing of this account.</p>
      ) : (
        <>
          <section aria-labelledby="balance-title" className="card">
            <h2 id="balance-title">Balance</h2>
            <dl className="totals">
              <div data-figure="balance">
                <dt>{state.mode === 'POSTPAID' ? 'Credit left under the ceiling' : 'Balance'}</dt>
                <dd>{units(state.balance)}</dd>
              </div>
              <div data-figure="remaining">
                <dt>Spendable now</dt>
                <dd>{units(state.remainingCredit)}</dd>
              </div>
              <div data-figure="held">
                <dt>Held by sends in progress</dt>
                <dd>{units(state.heldUnits)}</dd>
              </div>
            </dl>
            <p data-testid="payer">
              {state.paidBy === 'SELF' && `${account.name} pays from its own ${state.mode === 'POSTPAID' ? 'postpaid credit (invoiced monthly)' : 'prepaid balance'}.`}
              {state.paidBy === 'ANCESTOR' &&
                (state.payingAccount ? (
                  <>
                    Paid by <Link to={`/accounts/${state.payingAccount.id}/billing`}>{state.payingAccount.name}</Link>: this account draws on its balance.
                  </>
                ) : (
                  'Paid by an account above yours: this account draws on its balance.'
                ))}
              {state.paidBy === 'NONE' && 'No account of this tree has a balance yet; the platform operator sets the billing mode.'}
            </p>
            {state.creditLimit && (
              <p className="muted">
                Sub-account limit: {units(state.creditLimit.spent)} spent of {units(state.creditLimit.limit)} ({units(state.creditLimit.remaining)} left).
              </p>
            )}
            {state.creditCeiling !== null && <p className="muted">Postpaid credit ceiling: {units(state.creditCeiling)}.</p>}
          </section>
          {prepaid && <TopUpForm account={account} onDone={reload} />}
          {paysItself && <ThresholdForms account={account} prepaid={prepaid} onDone={reload} />}
          {paysItself && <PaymentMethods account={account} timeZone={timeZone} onDone={reload} />}
          <Ledger key={changes} accountId={account.id} timeZone={timeZone} />
          {account.invoices && account.invoices.nodes.length > 0 && <Invoices invoices={account.invoices.nodes} timeZone={timeZone} />}
        </>
      )}
    </main>
  );
}

function TopUpForm({ account, onDone }: { account: Account; onDone: () => Promise<void> }) {
  const methods = account.paymentMethods ?? [];
  const [amount, setAmount] = useState('1000');
  const [methodId, setMethodId] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const [done, setDone] = useState<string | null>(null);
  const topUp = useAction(async () => {
    // A retry of the same attempt reuses its key (never charged twice); a new attempt gets a new one.
    try {
      const { data } = await request(PortalTopUpDocument, { input: { accountId: account.id, units: Number(amount), paymentMethodId: methodId || null, idempotencyKey } });
      setDone(`Topped up ${units(data.topUp.units)}.`);
    } finally {
      setIdempotencyKey(newIdempotencyKey());
    }
    await onDone();
  });
  return (
    <section aria-labelledby="top-up-title" className="card">
      <h2 id="top-up-title">Top up</h2>
      {methods.length === 0 ? (
        <p className="muted">Add a payment method below to top up.</p>
      ) : (
        <form
          className="inline-form range-form"
          onSubmit={(event) => {
            event.preventDefault();
            setDone(null);
            void topUp.run();
          }}
        >
          <label htmlFor="top-up-units">Units to add</label>
          <input id="top-up-units" type="number" min={1} required value={amount} onChange={(event) => setAmount(event.target.value)} aria-describedby="top-up-units-error" />
          <label htmlFor="top-up-method">Charge</label>
          <select id="top-up-method" value={methodId} onChange={(event) => setMethodId(event.target.value)}>
            <option value="">The default payment method</option>
            {methods.map((method) => (
              <option key={method.id} value={method.id}>
                {method.brand} ending {method.last4}
              </option>
            ))}
          </select>
          <button type="submit" disabled={topUp.busy}>
            Top up
          </button>
          <FieldError id="top-up-units-error" message={topUp.fieldErrors.units} />
          {!topUp.fieldErrors.units && <ErrorBanner error={topUp.error} />}
          {done && (
            <p role="status" className="success">
              {done}
            </p>
          )}
        </form>
      )}
    </section>
  );
}

function ThresholdForms({ account, prepaid, onDone }: { account: Account; prepaid: boolean; onDone: () => Promise<void> }) {
  const state = account.billing!;
  const [low, setLow] = useState(state.lowBalanceThreshold?.toString() ?? '');
  const [auto, setAuto] = useState({ threshold: state.autoTopUp?.threshold.toString() ?? '', units: state.autoTopUp?.units.toString() ?? '', paymentMethodId: state.autoTopUp?.paymentMethod?.id ?? '' });
  const saveLow = useAction(async () => {
    await request(PortalSetLowBalanceThresholdDocument, { accountId: account.id, threshold: toUnits(low) });
    await onDone();
  });
  const saveAuto = useAction(async () => {
    const threshold = toUnits(auto.threshold);
    await request(PortalSetAutoTopUpDocument, { accountId: account.id, threshold, units: threshold === null ? null : toUnits(auto.units), paymentMethodId: threshold === null ? null : auto.paymentMethodId || null });
    await onDone();
  });
  return (
    <section aria-labelledby="thresholds-title" className="card stack">
      <h2 id="thresholds-title">{prepaid ? 'Low balance and automatic top-up' : 'Low balance'}</h2>
      <form
        className="inline-form range-form"
        onSubmit={(event) => {
          event.preventDefault();
          void saveLow.run();
        }}
      >
        <label htmlFor="low-balance">Warn (LOW_BALANCE event) below</label>
        <input id="low-balance" type="number" min={0} value={low} placeholder="off" onChange={(event) => setLow(event.target.value)} aria-describedby="low-balance-error" />
        <button type="submit" disabled={saveLow.busy}>
          Save warning threshold
        </button>
        <FieldError id="low-balance-error" message={saveLow.fieldErrors.threshold} />
        {!saveLow.fieldErrors.threshold && <ErrorBanner error={saveLow.error} />}
        <span className="help">Empty turns the warning off.</span>
      </form>
      {prepaid && (
        <form
          className="inline-form range-form"
          onSubmit={(event) => {
            event.preventDefault();
            void saveAuto.run();
          }}
        >
          <label htmlFor="auto-threshold">Top up automatically below</label>
          <input id="auto-threshold" type="number" min={0} value={auto.threshold} placeholder="off" onChange={(event) => setAuto({ ...auto, threshold: event.target.value })} aria-describedby="auto-error" />
          <label htmlFor="auto-units">by</label>
          <input id="auto-units" type="number" min={1} value={auto.units} onChange={(event) => setAuto({ ...auto, units: event.target.value })} aria-describedby="auto-error" />
          <label htmlFor="auto-method">charging</label>
          <select id="auto-method" value={auto.paymentMethodId} onChange={(event) => setAuto({ ...auto, paymentMethodId: event.target.value })}>
            <option value="">The default payment method</option>
            {(account.paymentMethods ?? []).map((method) => (
              <option key={method.id} value={method.id}>
                {method.brand} ending {method.last4}
              </option>
            ))}
          </select>
          <button type="submit" disabled={saveAuto.busy}>
            Save automatic top-up
          </button>
          <FieldError id="auto-error" message={saveAuto.fieldErrors.threshold ?? saveAuto.fieldErrors.units ?? saveAuto.fieldErrors.paymentMethodId} />
          {Object.keys(saveAuto.fieldErrors).length === 0 && <ErrorBanner error={saveAuto.error} />}
          <span className="help">Empty threshold turns automatic top-up off.</span>
        </form>
      )}
    </section>
  );
}

/**
 * The API stores payment provider tokens, never card numbers (SPEC B5). With a real provider its own
 * card widget makes the token in the browser; the built-in fake provider takes any `tok_…` token and
 * declines `tok_decline`, so this stand-in makes one and asks only for what the API keeps.
 */
function PaymentMethods({ account, timeZone, onDone }: { account: Account; timeZone: string; onDone: () => Promise<void> }) {
  const [card, setCard] = useState({ brand: 'Visa', last4: '', declines: false, makeDefault: false });
  const add = useAction(async () => {
    const providerToken = card.declines ? 'tok_decline' : `tok_portal_${crypto.randomUUID().replace(/-/g, '')}`;
    await request(PortalAddPaymentMethodDocument, { accountId: account.id, providerToken, brand: card.brand, last4: card.last4, makeDefault: card.makeDefault });
    setCard({ ...card, last4: '', declines: false });
    await onDone();
  });
  const change = useAction(async (work: () => Promise<unknown>) => {
    await work();
    await onDone();
  });
  const methods: PaymentMethod[] = account.paymentMethods ?? [];
  return (
    <section aria-labelledby="methods-title" className="card table-card">
      <h2 id="methods-title">Payment methods</h2>
      <ErrorBanner error={change.error} />
      {methods.length === 0 ? (
        <p className="muted">No payment methods yet.</p>
      ) : (
        <Table
          rows={methods}
          rowKey={(method) => method.id}
          columns={[
            {
              header: 'Card',
              cell: (method) => (
                <>
                  {method.brand} ending {method.last4} {method.isDefault && <span className="badge">Default</span>}
                </>
              ),
            },
            { header: 'Added', cell: (method) => formatDateTime(method.createdAt, timeZone) },
            {
              header: actionsHeader(),
              cellClassName: 'actions',
              cell: (method) => (
                <>
                  {!method.isDefault && (
                    <button type="button" className="small secondary" disabled={change.busy} onClick={() => void change.run(() => request(PortalSetDefaultPaymentMethodDocument, { accountId: account.id, paymentMethodId: method.id }))}>
                      Make {method.brand} ending {method.last4} the default
                    </button>
                  )}
                  <ConfirmButton
                    label={`Remove ${method.brand} ending ${method.last4}`}
                    confirmLabel={`Remove ${method.brand} ending ${method.last4} now`}
                    busy={change.busy}
                    onConfirm={() => void change.run(() => request(PortalRemovePaymentMethodDocument, { accountId: account.id, paymentMethodId: method.id }))}
                  />
                </>
              ),
            },
          ]}
        />
      )}
      <form
        className="inline-form range-form"
        onSubmit={(event) => {
          event.preventDefault();
          void add.run();
        }}
      >
        <h3 className="visually-hidden">Add a card</h3>
        <label htmlFor="card-brand">Card brand</label>
        <select id="card-brand" value={card.brand} onChange={(event) => setCard({ ...card, brand: event.target.value })}>
          {['Visa', 'Mastercard', 'American Express'].map((brand) => (
            <option key={brand}>{brand}</option>
          ))}
        </select>
        <label htmlFor="card-last4">Last four digits</label>
        <input id="card-last4" required inputMode="numeric" pattern="[0-9]{4}" maxLength={4} value={card.last4} onChange={(event) => setCard({ ...card, last4: event.target.value })} aria-describedby="card-error" />
        <label className="checkbox">
          <input type="checkbox" checked={card.makeDefault} onChange={(event) => setCard({ ...card, makeDefault: event.target.checked })} />
          Make it the default
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={card.declines} onChange={(event) => setCard({ ...card, declines: event.target.checked })} />
          A card the test provider declines
        </label>
        <button type="submit" disabled={add.busy}>
          Add card
        </button>
        <FieldError id="card-error" message={add.fieldErrors.last4 ?? add.fieldErrors.brand ?? add.fieldErrors.providerToken} />
        {Object.keys(add.fieldErrors).length === 0 && <ErrorBanner error={add.error} />}
        <span className="help">The built-in test payment provider stands in for a real one: no card number is asked or kept.</span>
      </form>
    </section>
  );
}

const LEDGER_KINDS: Record<string, string> = {
  OPENING: 'Opening balance',
  USAGE: 'Messages',
  TOP_UP: 'Top-up',
  TRANSFER: 'Transfer',
  INVOICE_PAYMENT: 'Invoice payment',
  CREDIT_CEILING: 'Credit ceiling',
  ADJUSTMENT: 'Adjustment',
};

function Ledger({ accountId, timeZone }: { accountId: string; timeZone: string }) {
  const pager = usePager();
  const ledger = useQuery(PortalLedgerDocument, { accountId, after: pager.after });
  const page = ledger.data?.account?.ledger;
  return (
    <section aria-labelledby="ledger-title" className="card table-card">
      <h2 id="ledger-title">Ledger</h2>
      <ErrorBanner error={ledger.error} />
      {!page ? (
        !ledger.error && <Loading what="the ledger" />
      ) : page.nodes.length === 0 ? (
        <p className="muted">No entries yet.</p>
      ) : (
        <>
          <Table
            className="ledger"
            rows={page.nodes}
            rowKey={(entry) => entry.id}
            columns={[
              { header: 'When', cell: (entry) => formatDateTime(entry.createdAt, timeZone) },
              {
                header: 'What',
                cell: (entry) => (
                  <>
                    {LEDGER_KINDS[entry.kind] ?? entry.kind}
                    {entry.reason && <span className="muted"> · {entry.reason}</span>}
                  </>
                ),
              },
              { header: 'Account · user', cell: (entry) => [entry.spendingAccount?.name, entry.user?.name].filter(Boolean).join(' · ') || '—' },
              { header: 'Units', numeric: true, cell: (entry) => (entry.units > 0 ? `+${entry.units.toLocaleString()}` : entry.units.toLocaleString()) },
              { header: 'Balance after', numeric: true, cell: (entry) => entry.balanceAfter.toLocaleString() },
            ]}
          />
          <PagerButtons pager={pager} pageInfo={page.pageInfo} noun="entries">
            <span className="muted">{page.totalCount} entries</span>
          </PagerButtons>
        </>
      )}
    </section>
  );
}

function Invoices({ invoices, timeZone }: { invoices: NonNullable<Account['invoices']>['nodes']; timeZone: string }) {
  const download = useAction(async (id: string, format: InvoiceFormat) => {
    const { data } = await request(PortalInvoiceDownloadDocument, { id, format });
    if (data.invoice) await downloadFromGateway(data.invoice.download.url);
  });
  const money = (minor: number, currency: string) => new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 100);
  return (
    <section aria-labelledby="invoices-title" className="card table-card">
      <h2 id="invoices-title">Invoices</h2>
      <ErrorBanner error={download.error} />
      <Table
        rows={invoices}
        rowKey={(invoice) => invoice.id}
        columns={[
          { header: 'Period', cell: (invoice) => invoice.period },
          { header: 'Status', cell: (invoice) => invoice.status.charAt(0) + invoice.status.slice(1).toLowerCase() },
          { header: 'Total', numeric: true, cell: (invoice) => money(invoice.total, invoice.currency) },
          { header: 'Issued', cell: (invoice) => (invoice.issuedAt ? formatDateTime(invoice.issuedAt, timeZone) : '—') },
          {
            header: 'Files',
            cellClassName: 'actions',
            cell: (invoice) =>
              (['PDF', 'CSV'] as const).map((format) => (
                <button key={format} type="button" className="small secondary" disabled={download.busy} onClick={() => void download.run(invoice.id, format)}>
                  {format} of {invoice.period}
                </button>
              )),
          },
        ]}
      />
    </section>
  );
}
