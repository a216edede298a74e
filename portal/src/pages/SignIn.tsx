import { useEffect, useRef, useState } from 'react';
import { ApiError, request } from '../client';
import { AcceptInvitationDocument, AcceptMyInvitationDocument, BeginSsoLoginDocument, DeclineMyInvitationDocument, LoginDocument, LoginWithSsoDocument } from '../operations';
import { actionsHeader, CopyId, ErrorBanner, FieldError, formatDateTime, Loading, navigate, Table, useAction } from '../ui';
import { useViewer, type Viewer } from '../viewer';

const SSO_STATE_KEY = 'portal.sso-state';

/** After sign-in: a user with several accounts, or with invitations to answer, picks the one to act in (seed 003); others go to their tree. */
function landingOf(viewer: Viewer | null): string {
  return viewer && (viewer.memberships.length > 1 || viewer.invitations.length > 0) ? '/access' : '/accounts';
}

export function SignInPage() {
  const { signedIn } = useViewer();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useAction(async () => {
    const { data } = await request(LoginDocument, { email, password });
    navigate(landingOf(await signedIn(data.login.token)));
  });
  const sso = useAction(async () => {
    const { data } = await request(BeginSsoLoginDocument, { email, redirectUri: `${window.location.origin}/sso/callback` });
    sessionStorage.setItem(SSO_STATE_KEY, data.beginSsoLogin.state);
    window.location.assign(data.beginSsoLogin.authorizationUrl);
  });
  const fieldErrors = { ...sso.fieldErrors, ...signIn.fieldErrors };
  const ssoNotConfigured = sso.error instanceof ApiError && sso.error.code === 'SSO_NOT_CONFIGURED';
  return (
    <main className="narrow">
      <h1>Sign in</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void signIn.run();
        }}
        aria-describedby="sign-in-error"
      >
        <label htmlFor="email">Email</label>
        <input id="email" type="email" autoComplete="username" required value={email} onChange={(event) => setEmail(event.target.value)} aria-describedby="email-error" />
        <FieldError id="email-error" message={ssoNotConfigured ? 'Single sign-on is not set up for this email domain' : fieldErrors.email} />
        <label htmlFor="password">Password</label>
        <input id="password" type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} aria-describedby="password-error" />
        <FieldError id="password-error" message={fieldErrors.password} />
        <div id="sign-in-error">{!ssoNotConfigured && <ErrorBanner error={signIn.error ?? sso.error} />}</div>
        <div className="actions">
          <button type="submit" disabled={signIn.busy}>
            {signIn.busy ? 'Signing in…' : 'Sign in'}
          </button>
          <button type="button" className="secondary" disabled={sso.busy || !email} onClick={() => void sso.run()}>
            Sign in with SSO
          </button>
        </div>
      </form>
    </main>
  );
}

/** The identity provider sends the browser back here with `#id_token=…&state=…` (response_type=id_token). */
export function SsoCallbackPage() {
  const { signedIn } = useViewer();
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const idToken = fragment.get('id_token');
    const state = fragment.get('state');
    if (!idToken || !state || state !== sessionStorage.getItem(SSO_STATE_KEY)) {
      setError(new Error(fragment.get('error_description') ?? 'The identity provider did not sign you in'));
      return;
    }
    sessionStorage.removeItem(SSO_STATE_KEY);
    request(LoginWithSsoDocument, { idToken, state })
      .then(async ({ data }) => navigate(landingOf(await signedIn(data.loginWithSso.token))))
      .catch(setError);
  }, [signedIn]);
  return <main className="narrow">{error ? <ErrorBanner error={error} /> : <Loading what="your session" />}</main>;
}

/** The invitation mail's link (`/invitations/accept?token=…`): a new login sets its name and password; an existing one confirms with its password. */
export function AcceptInvitationPage() {
  const { signedIn, viewer } = useViewer();
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const accept = useAction(async () => {
    const { data } = await request(AcceptInvitationDocument, { token, name: name || null, password: password || null });
    navigate(landingOf(await signedIn(data.acceptInvitation.token)));
  });
  return (
    <main className="narrow">
      <h1>Accept your invitation</h1>
      <p>
        {viewer
          ? `You are signed in as ${viewer.user?.email}; accepting adds the account to your access list.`
          : 'New here: choose your name and a password. Already have a login: enter its password.'}
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void accept.run();
        }}
      >
        <label htmlFor="invite-name">Your name (new login only)</label>
        <input id="invite-name" autoComplete="name" value={name} onChange={(event) => setName(event.target.value)} aria-describedby="invite-name-error" />
        <FieldError id="invite-name-error" message={accept.fieldErrors.name} />
        <label htmlFor="invite-password">Password</label>
        <input id="invite-password" type="password" autoComplete="new-password" value={password} onChange={(event) => setPassword(event.target.value)} aria-describedby="invite-password-error" />
        <FieldError id="invite-password-error" message={accept.fieldErrors.password} />
        <ErrorBanner error={accept.fieldErrors.name || accept.fieldErrors.password ? null : accept.error} />
        <div className="actions">
          <button type="submit" disabled={accept.busy || !token}>
            Accept invitation
          </button>
        </div>
      </form>
    </main>
  );
}

/** The access list (seed 003): every account the user may act in, with its name, id and role. */
/** Open invitations to the signed-in user's email: accepting one acts in its account at once. */
function MyInvitations({ viewer }: { viewer: Viewer }) {
  const { signedIn, reload } = useViewer();
  const accept = useAction(async (invitationId: string) => {
    const { data } = await request(AcceptMyInvitationDocument, { invitationId });
    await signedIn(data.acceptMyInvitation.token);
    navigate('/accounts');
  });
  const decline = useAction(async (invitationId: string) => {
    await request(DeclineMyInvitationDocument, { invitationId });
    await reload();
  });
  if (viewer.invitations.length === 0) return null;
  const busy = accept.busy || decline.busy;
  return (
    <section aria-labelledby="my-invitations">
      <h2 id="my-invitations">Invitations</h2>
      <ErrorBanner error={accept.error ?? decline.error} />
      <ul className="invitations">
        {viewer.invitations.map((invitation) => (
          <li key={invitation.id}>
            <span>
              {invitation.inviterName} invites you to <strong>{invitation.accountName}</strong> as {roleLabel(invitation.role)} (until {formatDateTime(invitation.expiresAt, viewer.activeAccount?.settings.timezone)})
            </span>
            <button type="button" disabled={busy} onClick={() => void accept.run(invitation.id)}>
              Accept the invitation to {invitation.accountName}
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => void decline.run(invitation.id)}>
              Decline the invitation to {invitation.accountName}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function AccessListPage() {
  const { viewer, switchTo } = useViewer();
  const choose = useAction(async (accountId: string) => {
    await switchTo(accountId);
    navigate('/accounts');
  });
  if (!viewer) return <Loading what="your accounts" />;
  return (
    <main>
      <h1>Choose an account</h1>
      <MyInvitations viewer={viewer} />
      <p>You have access to these accounts. Pick the one to act in; you can switch later from the top bar.</p>
      <ErrorBanner error={choose.error} />
      <Table
        className="access-list"
        label="Access list"
        rows={viewer.memberships}
        rowKey={(membership) => membership.id}
        columns={[
          { header: 'Account', cell: (membership) => membership.account?.name ?? '—' },
          { header: 'Account id', cell: (membership) => <CopyId id={membership.accountId} label="Copy account id" /> },
          { header: 'Role', cell: (membership) => roleLabel(membership.role) },
          { header: 'Type', cell: (membership) => (membership.type === 'GUEST' ? 'Guest' : 'Member') },
          { header: 'Status', cell: (membership) => (membership.status === 'ACTIVE' ? 'Active' : 'Inactive') },
          {
            header: actionsHeader('Action'),
            cell: (membership) =>
              viewer.activeAccount?.id === membership.accountId ? (
                <span className="badge">Acting</span>
              ) : (
                <button type="button" disabled={choose.busy || membership.status !== 'ACTIVE'} onClick={() => void choose.run(membership.accountId)}>
                  Act in {membership.account?.name ?? 'this account'}
                </button>
              ),
          },
        ]}
      />
      <p>
        <button type="button" className="secondary" onClick={() => navigate('/accounts')}>
          Continue with {viewer.activeAccount?.name}
        </button>
      </p>
    </main>
  );
}

export const roleLabel = (role: string): string => ({ ADMIN: 'Admin', ADVANCED_USER: 'Advanced user', BASIC_USER: 'Basic user' })[role] ?? role;
