import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { PortalAccountsQuery } from '../__generated__/graphql';
import { request } from '../client';
import { AccountChildrenDocument, AccountsPageDocument } from '../operations';
import { ErrorBanner, Link, Loading, thisMonth } from '../ui';
import { useViewer } from '../viewer';

export type AccountNode = PortalAccountsQuery['accounts']['nodes'][number];

const CHILDREN_PAGE = 200;
const SEARCH_PAGE = 100;
const ROW_HEIGHT = 52;

interface ChildList {
  ids: string[];
  endCursor: string | null;
  hasNextPage: boolean;
  loading: boolean;
}

type Row = { kind: 'account'; node: AccountNode; level: number } | { kind: 'more'; parentId: string; level: number; loading: boolean };

/**
 * The visible tree, read lazily (README "For web and partner clients"): the acting account first, each
 * level's children on expand (`Account.children`, paged), a search by name over the whole visible tree
 * with each hit's breadcrumb. Only the rows on screen are rendered, so a 10,000-account tree stays light.
 */
export function TreePage() {
  const { viewer } = useViewer();
  const timeZone = viewer?.activeAccount?.settings.timezone;
  const month = useMemo(() => thisMonth(timeZone), [timeZone]);
  const [nodes, setNodes] = useState(() => new Map<string, AccountNode>());
  const [rootIds, setRootIds] = useState<string[] | null>(null);
  const [children, setChildren] = useState(() => new Map<string, ChildList>());
  const [expanded, setExpanded] = useState(() => new Set<string>());
  const [error, setError] = useState<unknown>(null);
  const [search, setSearch] = useState('');
  const [hits, setHits] = useState<{ term: string; ids: string[]; total: number } | null>(null);

  const remember = useCallback((list: AccountNode[]) => {
    setNodes((previous) => {
      const next = new Map(previous);
      for (const node of list) next.set(node.id, node);
      return next;
    });
  }, []);

  const loadChildren = useCallback(
    async (parentId: string, after: string | null) => {
      setChildren((previous) => new Map(previous).set(parentId, { ...(previous.get(parentId) ?? { ids: [], endCursor: null, hasNextPage: false }), loading: true }));
      try {
        const { data } = await request(AccountChildrenDocument, { id: parentId, first: CHILDREN_PAGE, after, ...month });
        const page = data.account?.children;
        if (!page) throw new Error('This account is no longer visible');
        remember(page.nodes);
        setChildren((previous) => {
          const known = after ? (previous.get(parentId)?.ids ?? []) : [];
          return new Map(previous).set(parentId, { ids: [...known, ...page.nodes.map((node) => node.id)], endCursor: page.pageInfo.endCursor ?? null, hasNextPage: page.pageInfo.hasNextPage, loading: false });
        });
      } catch (caught) {
        setError(caught);
        setChildren((previous) => new Map(previous).set(parentId, { ...(previous.get(parentId) ?? { ids: [], endCursor: null, hasNextPage: false }), loading: false }));
      }
    },
    [month, remember],
  );

  const activeId = viewer?.activeAccount?.id;
  const activeDepth = viewer?.activeAccount?.depth ?? 0;
  useEffect(() => {
    if (!activeId) return;
    let cancelled = false;
    request(AccountsPageDocument, { rootId: activeId, filter: { maxDepth: activeDepth }, first: 1, ...month })
      .then(({ data }) => {
        if (cancelled) return;
        remember(data.accounts.nodes);
        setRootIds(data.accounts.nodes.map((node) => node.id));
        setExpanded(new Set(data.accounts.nodes.map((node) => node.id)));
        for (const node of data.accounts.nodes) if (node.childCount > 0) void loadChildren(node.id, null);
      })
      .catch(setError);
    return () => {
      cancelled = true;
    };
  }, [activeId, activeDepth, month, remember, loadChildren]);

  useEffect(() => {
    const term = search.trim();
    if (!term) {
      setHits(null);
      return;
    }
    const timer = setTimeout(() => {
      request(AccountsPageDocument, { rootId: activeId, filter: { nameContains: term }, first: SEARCH_PAGE, ...month })
        .then(({ data }) => {
          remember(data.accounts.nodes);
          setHits({ term, ids: data.accounts.nodes.map((node) => node.id), total: data.accounts.totalCount });
        })
        .catch(setError);
    }, 250);
    return () => clearTimeout(timer);
  }, [search, activeId, month, remember]);

  const toggle = (node: AccountNode) => {
    const open = !expanded.has(node.id);
    setExpanded((previous) => {
      const next = new Set(previous);
      if (open) next.add(node.id);
      else next.delete(node.id);
      return next;
    });
    if (open && !children.has(node.id)) void loadChildren(node.id, null);
  };

  const rows = useMemo<Row[]>(() => {
    if (hits) return hits.ids.flatMap((id) => (nodes.get(id) ? [{ kind: 'account' as const, node: nodes.get(id)!, level: 0 }] : []));
    const out: Row[] = [];
    const walk = (id: string, level: number) => {
      const node = nodes.get(id);
      if (!node) return;
      out.push({ kind: 'account', node, level });
      if (!expanded.has(id)) return;
      const list = children.get(id);
      for (const childId of list?.ids ?? []) walk(childId, level + 1);
      if (list && (list.hasNextPage || list.loading)) out.push({ kind: 'more', parentId: id, level: level + 1, loading: list.loading });
    };
    for (const id of rootIds ?? []) walk(id, 0);
    return out;
  }, [hits, nodes, expanded, children, rootIds]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });

  return (
    <main className="tree-page">
      <div className="page-head">
        <h1>Accounts</h1>
        <div className="search">
          <label htmlFor="account-search">Search accounts by name</label>
          <input id="account-search" type="search" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="e.g. Store N1" />
        </div>
      </div>
      <ErrorBanner error={error} />
      {hits && (
        <p role="status" className="muted">
          {hits.total === 0 ? `No account matches “${hits.term}”.` : `${hits.total} account${hits.total === 1 ? '' : 's'} match “${hits.term}”${hits.total > hits.ids.length ? ` (first ${hits.ids.length} shown)` : ''}.`}
        </p>
      )}
      {rootIds === null && !error ? (
        <Loading what="the account tree" />
      ) : (
        <div className="tree-header" aria-hidden="true">
          <span>Account</span>
          <span>Status</span>
          <span>Messages this month</span>
          <span>Balance</span>
        </div>
      )}
      {!hits && rootIds !== null && rootIds.every((id) => nodes.get(id)?.childCount === 0) && (
        <p className="muted">No sub-accounts.</p>
      )}
      <div ref={scrollRef} className="tree-scroll" data-testid="tree-scroll">
        <ul className="tree" aria-label="Account tree" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            return (
              <li key={row.kind === 'account' ? row.node.id : `more:${row.parentId}`} className="tree-row" style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}>
                {row.kind === 'account' ? (
                  <AccountRow node={row.node} level={row.level} searching={Boolean(hits)} expanded={expanded.has(row.node.id)} onToggle={() => toggle(row.node)} />
                ) : (
                  <div className="tree-cell name" style={{ paddingLeft: `${row.level * 1.25 + 2}rem` }}>
                    {row.loading ? (
                      <span role="status">Loading…</span>
                    ) : (
                      <button type="button" className="small secondary" onClick={() => void loadChildren(row.parentId, children.get(row.parentId)?.endCursor ?? null)}>
                        Show more of {nodes.get(row.parentId)?.name}
                      </button>
                    )}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      </div>
    </main>
  );
}

const statusLabel = (status: string): string => ({ ACTIVE: 'Active', SUSPENDED: 'Suspended', CLOSED: 'Closed' })[status] ?? status;

function AccountRow({ node, level, searching, expanded, onToggle }: { node: AccountNode; level: number; searching: boolean; expanded: boolean; onToggle: () => void }) {
  const messages = node.usage?.totals.messages;
  return (
    <>
      <div className="tree-cell name" style={{ paddingLeft: `${level * 1.25}rem` }}>
        {!searching && node.childCount > 0 ? (
          <button type="button" className="expander" aria-expanded={expanded} aria-label={`${expanded ? 'Collapse' : 'Expand'} ${node.name}`} onClick={onToggle}>
            {expanded ? '▾' : '▸'}
          </button>
        ) : (
          <span className="expander-space" />
        )}
        <span className="account-name">
          <Link to={`/accounts/${node.id}`}>{node.name}</Link>
          {searching && node.ancestors.length > 0 && <span className="breadcrumb-inline">{node.ancestors.map((a) => a.name).join(' › ')}</span>}
        </span>
      </div>
      <div className="tree-cell">
        <span className={`status status-${node.effectiveStatus.toLowerCase()}`}>{statusLabel(node.effectiveStatus)}</span>
      </div>
      <div className="tree-cell number" title={messages === undefined ? 'Not in your reports' : undefined}>
        <span className="cell-label">Messages</span>
        {messages ?? '—'}
      </div>
      <div className="tree-cell number" title={node.balance === null ? 'Not visible to your role' : undefined}>
        <span className="cell-label">Balance</span>
        {node.balance ?? '—'}
      </div>
    </>
  );
}

