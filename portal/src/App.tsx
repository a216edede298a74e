import { AccountPage } from './pages/Account';
import { ContactsPage } from './pages/Contacts';
import { InboxPage } from './pages/Inbox';
import { NumbersPage } from './pages/Numbers';
import { SendPage } from './pages/Send';
import { AcceptInvitationPage, AccessListPage, roleLabel, SignInPage, SsoCallbackPage } from './pages/SignIn';
import { TreePage } from './pages/Tree';
import { BillingPage } from './pages/Billing';
import { DevelopersPage } from './pages/Developers';
import { UsagePage } from './pages/Usage';
import { UsersPage } from './pages/Users';
import { PermissionsDocument } from './operations';
import { ErrorBanner, ErrorBoundary, Link, Loading, navigate, useAction, usePath, useQuery } from './ui';
import { useViewer } from './viewer';

/** Pages 5–8 of issue 18, of the acting account; each says what the caller's role may do there. */
const MESSAGING_PAGES = [
  ['/send', 'Send'],
  ['/inbox', 'Inbox'],
  ['/contacts', 'Contacts'],
  ['/numbers', 'Numbers and channels'],
] as const;
/** Links to the acting account's pages the caller's permissions open (usage, billing, developers). */
function PermittedLinks({ accountId }: { accountId: string }) {
  const permissions = useQuery(PermissionsDocument, { accountId }).data?.me.permissionsOn ?? [];
  const can = (...any: string[]) => any.some((permission) => permissions.includes(permission));
  return (
    <>
      {can('reports', 'reports.own') && <Link to={`/accounts/${accountId}/usage`}>Usage</Link>}
      {can('billing') && <Link to={`/accounts/${accountId}/billing`}>Billing</Link>}
      {can('api-keys', 'webhooks', 'security') && <Link to={`/accounts/${accountId}/developers`}>Developers</Link>}
    </>
  );
}

function TopBar() {
  const { viewer, switchTo, signOut } = useViewer();
  const switching = useAction(async (accountId: string) => {
    await switchTo(accountId);
    navigate('/accounts');
  });
  if (!viewer) return null;
  const active = viewer.activeAccount;
  return (
    <header className="top-bar">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <Link to="/accounts" className="brand">
        Messaging portal
      </Link>
      <nav aria-label="Main">
        <Link to="/accounts">Accounts</Link>
        {active && <Link to={`/accounts/${active.id}`}>Settings</Link>}
        {active && MESSAGING_PAGES.map(([to, label]) => <Link key={to} to={to}>{label}</Link>)}
        {active && <PermittedLinks accountId={active.id} />}
        {(viewer.memberships.length > 1 || viewer.invitations.length > 0) && <Link to="/access">Access list{viewer.invitations.length > 0 ? ` (${viewer.invitations.length} invitations)` : ''}</Link>}
      </nav>
      <div className="switcher">
        <label htmlFor="account-switcher">Acting account</label>
        <select id="account-switcher" value={active?.id ?? ''} disabled={switching.busy} onChange={(event) => void switching.run(event.target.value)}>
          {viewer.memberships.map((membership) => (
            <option key={membership.id} value={membership.accountId} disabled={membership.status !== 'ACTIVE'}>
              {membership.account?.name ?? membership.accountId} — {roleLabel(membership.role)}
              {membership.type === 'GUEST' ? ' (guest)' : ''}
            </option>
          ))}
        </select>
        <ErrorBanner error={switching.error} />
      </div>
      <span className="user" title={viewer.user?.email}>
        {viewer.user?.name}
      </span>
      <button type="button" className="secondary small" onClick={() => void signOut()}>
        Sign out
      </button>
    </header>
  );
}

export function App() {
  const path = usePath();
  const { viewer, loading } = useViewer();
  const pathname = path.split('?')[0];
  let page;
  if (pathname === '/invitations/accept') page = <AcceptInvitationPage />;
  else if (pathname === '/sso/callback') page = <SsoCallbackPage />;
  else if (loading) page = <Loading what="your session" />;
  else if (!viewer) page = <SignInPage />;
  else if (pathname === '/access') page = <AccessListPage />;
  else if (pathname === '/send') page = <SendPage key={viewer.activeAccount?.id} />;
  else if (pathname === '/inbox') page = <InboxPage key={viewer.activeAccount?.id} />;
  else if (pathname === '/contacts') page = <ContactsPage key={viewer.activeAccount?.id} />;
  else if (pathname === '/numbers') page = <NumbersPage key={viewer.activeAccount?.id} />;
  else if (/^\/accounts\/[^/]+\/usage$/.test(pathname)) page = <UsagePage key={pathname} accountId={decodeURIComponent(pathname.split('/')[2])} />;
  else if (/^\/accounts\/[^/]+\/billing$/.test(pathname)) page = <BillingPage key={pathname} accountId={decodeURIComponent(pathname.split('/')[2])} />;
  else if (/^\/accounts\/[^/]+\/developers$/.test(pathname)) page = <DevelopersPage key={pathname} accountId={decodeURIComponent(pathname.split('/')[2])} />;
  else if (/^\/accounts\/[^/]+\/users$/.test(pathname)) page = <UsersPage key={pathname} accountId={decodeURIComponent(pathname.split('/')[2])} />;
  else if (/^\/accounts\/[^/]+$/.test(pathname)) page = <AccountPage key={pathname} accountId={decodeURIComponent(pathname.split('/')[2])} />;
  else page = <TreePage />;
  return (
    <>
      <TopBar />
      <div id="content">
        <ErrorBoundary key={pathname}>{page}</ErrorBoundary>
      </div>
    </>
  );
}
