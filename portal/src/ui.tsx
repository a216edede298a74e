import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Component, Fragment, useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, request } from './client';

/** The path router: history API, one listener; the static server answers index.html for every page path. */
export function usePath(): string {
  const [path, setPath] = useState(() => window.location.pathname + window.location.search);
  useEffect(() => {
    const update = () => setPath(window.location.pathname + window.location.search);
    window.addEventListener('popstate', update);
    window.addEventListener('portal:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('portal:navigate', update);
    };
  }, []);
  return path;
}

export function navigate(to: string): void {
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event('portal:navigate'));
}

export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  return (
    <a
      href={to}
      className={className}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

/** Accounts › the ancestors › the account; with `page`, the account is a link and the page is the current step. */
export function AccountBreadcrumb({ ancestors, account, page }: { ancestors: { id: string; name: string }[]; account: { id: string; name: string }; page?: string }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <ol>
        <li>
          <Link to="/accounts">Accounts</Link>
        </li>
        {ancestors.map((ancestor) => (
          <li key={ancestor.id}>
            <Link to={`/accounts/${ancestor.id}`}>{ancestor.name}</Link>
          </li>
        ))}
        {page === undefined ? (
          <li aria-current="page">{account.name}</li>
        ) : (
          <>
            <li>
              <Link to={`/accounts/${account.id}`}>{account.name}</Link>
            </li>
            <li aria-current="page">{page}</li>
          </>
        )}
      </ol>
    </nav>
  );
}

export function CopyId({ id, label = 'Copy id' }: { id: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="copy-id">
      <code>{id}</code>
      <button
        type="button"
        className="small"
        aria-label={`${label} ${id}`}
        onClick={async () => {
          await navigator.clipboard?.writeText(id).catch(() => undefined);
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}

/** Two steps for what cannot be undone: the button asks, a second one confirms. */
export function ConfirmButton({ label, confirmLabel, busy, onConfirm }: { label: string; confirmLabel: string; busy: boolean; onConfirm: () => void }) {
  const [asking, setAsking] = useState(false);
  return asking ? (
    <span className="actions">
      <button type="button" className="small danger" disabled={busy} onClick={onConfirm} autoFocus>
        {confirmLabel}
      </button>
      <button type="button" className="small secondary" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  ) : (
    <button type="button" className="small secondary" onClick={() => setAsking(true)}>
      {label}
    </button>
  );
}

/** An error of the API that concerns no one field (the field ones are shown next to their input). */
export function ErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  // The same refusal on several fields of one answer (aliases) is said once.
  const text = error instanceof ApiError ? [...new Set(error.errors.map((entry) => `${entry.message}${entry.extensions?.code ? ` (${entry.extensions.code})` : ''}`))].join('; ') : String((error as Error).message ?? error);
  return (
    <p role="alert" className="error">
      {text}
    </p>
  );
}

export function FieldError({ id, message }: { id: string; message?: string }) {
  return message ? (
    <span id={id} className="field-error" role="alert">
      {message}
    </span>
  ) : null;
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** Runs an async action, keeping its error and busy state for the form that started it. */
export function useAction<TArgs extends unknown[]>(action: (...args: TArgs) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(
    async (...args: TArgs) => {
      setBusy(true);
      setError(null);
      try {
        await action(...args);
      } catch (caught) {
        setError(caught);
      } finally {
        setBusy(false);
      }
    },
    [action],
  );
  const fieldErrors = error instanceof ApiError ? error.byField : {};
  return { run, busy, error, fieldErrors, setError };
}

/**
 * A page's query: its answer (kept while the next one loads, so a changed filter does not blank the page),
 * its error (no answer), the errors of fields that failed alone (`partialError`) and `reload` for after a
 * change, or every `pollMs` while the tab is visible (new inbox messages appear without a reload).
 * Variables are compared by value.
 */
export function useQuery<TData, TVariables>(query: TypedDocumentNode<TData, TVariables>, variables: TVariables, pollMs?: number) {
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{ data: TData | null; error: unknown; partialError: ApiError | null; loading: boolean }>({ data: null, error: null, partialError: null, loading: true });
  const reload = useCallback(async () => {
    setState((previous) => ({ ...previous, loading: true }));
    try {
      const { data, partialErrors } = await request(query, JSON.parse(key) as TVariables);
      setState({ data, error: null, partialError: partialErrors.length ? new ApiError(partialErrors) : null, loading: false });
    } catch (error) {
      setState({ data: null, error, partialError: null, loading: false });
    }
  }, [query, key]);
  useEffect(() => {
    void reload();
    if (!pollMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') void reload();
    }, pollMs);
    return () => clearInterval(timer);
  }, [reload, pollMs]);
  return { ...state, reload };
}

/** Paging through a connection a page at a time (newest first): the cursor of the page shown and the way back. */
export function usePager() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    after: cursors[cursors.length - 1],
    reset: () => setCursors([null]),
    back: cursors.length > 1 ? () => setCursors(cursors.slice(0, -1)) : null,
    next: (cursor: string | null | undefined) => setCursors([...cursors, cursor ?? null]),
  };
}

/** Newer/older buttons of a pager (`noun`: what the pages hold, e.g. "entries"). */
export function PagerButtons({ pager, pageInfo, noun, children }: { pager: ReturnType<typeof usePager>; pageInfo: { hasNextPage: boolean; endCursor?: string | null }; noun: string; children?: ReactNode }) {
  return (
    <p className="actions">
      {children}
      {pager.back && (
        <button type="button" className="small secondary" onClick={pager.back}>
          Newer {noun}
        </button>
      )}
      {pageInfo.hasNextPage && (
        <button type="button" className="small secondary" onClick={() => pager.next(pageInfo.endCursor)}>
          Older {noun}
        </button>
      )}
    </p>
  );
}

export interface Column<TRow> {
  header: ReactNode;
  cell: (row: TRow) => ReactNode;
  /** right-aligned figures (header and cells) */
  numeric?: boolean;
  /** a class of the cells only (e.g. `actions`, which lays buttons out in a row) */
  cellClassName?: string;
  /** the cells name their row (`<th scope="row">`), as the first column of a report does */
  rowHeader?: boolean;
}

/** A column of buttons acting on the row, its header read out to screen readers only. */
export const actionsHeader = (label = 'Actions'): ReactNode => <span className="visually-hidden">{label}</span>;

/**
 * A list as a table: a header per column, a row per item, and under an item the row `expansion` gives it
 * (a form editing that item), spanning every column.
 */
export function Table<TRow>({
  rows,
  columns,
  rowKey,
  label,
  className,
  expansion,
}: {
  rows: readonly TRow[];
  columns: (Column<TRow> | false | null | undefined)[];
  rowKey: (row: TRow, index: number) => string | number;
  label?: string;
  className?: string;
  expansion?: (row: TRow) => ReactNode;
}) {
  const shown = columns.filter((column): column is Column<TRow> => Boolean(column));
  return (
    <table aria-label={label} className={className}>
      <thead>
        <tr>
          {shown.map((column, index) => (
            <th key={index} scope="col" className={column.numeric ? 'number' : undefined}>
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, rowIndex) => {
          const expanded = expansion?.(row);
          return (
            <Fragment key={rowKey(row, rowIndex)}>
              <tr>
                {shown.map((column, index) => {
                  const cellClass = [column.numeric && 'number', column.cellClassName].filter(Boolean).join(' ') || undefined;
                  return column.rowHeader ? (
                    <th key={index} scope="row" className={cellClass}>
                      {column.cell(row)}
                    </th>
                  ) : (
                    <td key={index} className={cellClass}>
                      {column.cell(row)}
                    </td>
                  );
                })}
              </tr>
              {expanded && (
                <tr>
                  <td colSpan={shown.length}>{expanded}</td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}

/** The value once it has stayed the same for `ms` (what a search box asks the API for while typing). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** A form's submit handler: the page stays, `run` does the work. */
export const onSubmitted =
  (run: () => unknown) =>
  (event: FormEvent): void => {
    event.preventDefault();
    void run();
  };

/** Dates and times in the account's timezone (SPEC H5), in the browser's language. */
export function formatDateTime(iso: string, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' }).format(new Date(iso));
}

/** The first day of the current month and today, as YYYY-MM-DD in the time zone. */
export function thisMonth(timeZone: string | undefined, now = new Date()): { from: string; to: string } {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now).map((part) => [part.type, part.value]));
  return { from: `${parts.year}-${parts.month}-01`, to: `${parts.year}-${parts.month}-${parts.day}` };
}

/** The instant a calendar day (YYYY-MM-DD) starts in the time zone, as an ISO string (filters of DateTime ranges). */
export function startOfDay(day: string, timeZone: string | undefined): string {
  const asUtc = Date.parse(`${day}T00:00:00Z`);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(asUtc).map((part) => [part.type, part.value]));
  const offset = Date.parse(`${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}Z`) - asUtc;
  return new Date(asUtc - offset).toISOString();
}

/** A page that fails to render says so instead of leaving a blank screen. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state = { error: null as unknown };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override render() {
    return this.state.error ? (
      <main>
        <p role="alert" className="error">
          This page could not be shown: {String((this.state.error as Error).message ?? this.state.error)}
        </p>
      </main>
    ) : (
      this.props.children
    );
  }
}
