import { AccountPage } from './pages/Account';
import { AcceptInvitationPage, AccessListPage, roleLabel, SignInPage, SsoCallbackPage } from './pages/SignIn';
import { TreePage } from './pages/Tree';
import { UsersPage } from './pages/Users';
import { ErrorBanner, ErrorBoundary, Link, Loading, navigate, useAction, usePath } from './ui';
import { useViewer } from './viewer';

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
