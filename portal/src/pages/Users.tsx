import { useCallback, useEffect, useState } from 'react';
import type { ContactGroupAccess, PortalLimitOptionsQuery, PortalUsersQuery, Role } from '../__generated__/graphql';
import { request } from '../client';
import {
  DeactivateMembershipDocument,
  InviteUserDocument,
  LimitOptionsDocument,
  ReactivateMembershipDocument,
  RevokeInvitationDocument,
  SetMembershipLimitsDocument,
  SetUserCreditLimitDocument,
  UsersDocument,
} from '../operations';
import { AccountBreadcrumb, actionsHeader, CopyId, ErrorBanner, FieldError, formatDateTime, Loading, Table, useAction } from '../ui';
import { roleLabel } from './SignIn';

type UsersAnswer = PortalUsersQuery;

const OPEN_INVITATION = new Set(['PENDING', 'SENT']);
const statusLabel = (status: string): string => status.charAt(0) + status.slice(1).toLowerCase();

/**
 * Users of one account (seed 002 section 5, seed 003): members and guests in one list with type, role,
 * status, creation date and ids, the user's credit when the caller may read it, and the invitations with
 * their states. Per-user limits are edited in a later slice.
 */
export function UsersPage({ accountId }: { accountId: string }) {
  const [answer, setAnswer] = useState<UsersAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setAnswer((await request(UsersDocument, { accountId })).data);
    } catch (caught) {
      setError(caught);
    }
  }, [accountId]);
  useEffect(() => {
    void load();
  }, [load]);
  const closeAndReload = async () => {
    setEditing(null);
    await load();
  };
  const action = useAction(async (change: () => Promise<unknown>) => {
    await change();
    await load();
  });

  if (error) return <main><ErrorBanner error={error} /></main>;
  if (!answer) return <main><Loading what="the users" /></main>;
  const account = answer.account;
  if (!account) return <main><p role="alert">This account does not exist or is not visible to you.</p></main>;
  const can = (permission: string) => answer.me.permissionsOn.includes(permission);
  const timeZone = account.settings.timezone;
  return (
    <main>
      <AccountBreadcrumb ancestors={account.ancestors} account={account} page="Users" />
      <h1>Users of {account.name}</h1>
      <ErrorBanner error={action.error} />
      {!account.members ? (
        <p className="muted">Your role cannot see the users of this account.</p>
      ) : (
        <section aria-labelledby="members-title" className="card table-card">
          <h2 id="members-title">Members and guests ({account.members.totalCount})</h2>
          {account.members.nodes.length === 0 ? (
            <p className="muted">Nobody yet.</p>
          ) : (
            <Table
              rows={account.members.nodes}
              rowKey={(member) => member.id}
              columns={[
                {
                  header: 'User',
                  cell: (member) => (
                    <>
                      {member.user.name}
                      <br />
                      <span className="muted">{member.user.email}</span>
                    </>
                  ),
                },
                { header: 'Type', cell: (member) => (member.type === 'GUEST' ? 'Guest' : 'Member') },
                { header: 'Role', cell: (member) => roleLabel(member.role) },
                { header: 'Status', cell: (member) => statusLabel(member.status) },
                { header: 'Created', cell: (member) => formatDateTime(member.createdAt, timeZone) },
                {
                  header: 'Limits (credit spent / remaining of limit)',
                  cell: (member) => (
                    <>
                      {member.credit ? `${member.credit.spent} / ${member.credit.remaining} of ${member.credit.limit}` : 'No limit'}
                      {(!member.limits.allSenderIds || member.limits.contactAccess === 'SELECTED') && (
                        <span className="muted limits-summary">
                          {[
                            member.limits.allSenderIds ? null : `${member.limits.allowedSenderIds.length} sender ID(s)`,
                            member.limits.contactAccess === 'SELECTED'
                              ? `${member.limits.contactGroups.length} group(s)${member.limits.contactGroups.some((grant) => grant.access === 'RESTRICTED') ? ', numbers masked' : ''}`
                              : null,
                          ]
                            .filter(Boolean)
                            .join(' · ')}
                        </span>
                      )}
                    </>
                  ),
                },
                { header: 'User id', cell: (member) => <CopyId id={member.userId} label="Copy user id" /> },
                can('users') && {
                  header: actionsHeader(),
                  cell: (member) => (
                    <>
                      <button type="button" className="small" aria-expanded={editing === member.id} onClick={() => setEditing(editing === member.id ? null : member.id)}>
                        Limits of {member.user.name}
                      </button>{' '}
                      {member.status === 'ACTIVE' ? (
                        <button type="button" className="small secondary" disabled={action.busy} onClick={() => void action.run(() => request(DeactivateMembershipDocument, { membershipId: member.id }))}>
                          Deactivate {member.user.name}
                        </button>
                      ) : (
                        <button type="button" className="small secondary" disabled={action.busy} onClick={() => void action.run(() => request(ReactivateMembershipDocument, { membershipId: member.id }))}>
                          Reactivate {member.user.name}
                        </button>
                      )}
                    </>
                  ),
                },
              ]}
              expansion={(member) =>
                editing === member.id && (
                  <>
                    {can('billing') && (
                      <CreditLimitForm
                        accountId={account.id}
                        userId={member.userId}
                        name={member.user.name}
                        credit={member.credit}
                        onSaved={closeAndReload}
                      />
                    )}
                    <MembershipLimitsForm
                      accountId={account.id}
                      membershipId={member.id}
                      name={member.user.name}
                      limits={member.limits}
                      onSaved={closeAndReload}
                    />
                  </>
                )
              }
            />
          )}
        </section>
      )}
      {account.invitations && (
        <section aria-labelledby="invitations-title" className="card table-card">
          <h2 id="invitations-title">Invitations ({account.invitations.totalCount})</h2>
          {account.invitations.nodes.length === 0 ? (
            <p className="muted">No invitations.</p>
          ) : (
            <Table
              rows={account.invitations.nodes}
              rowKey={(invitation) => invitation.id}
              columns={[
                { header: 'Email', cell: (invitation) => invitation.email },
                {
                  header: 'Role',
                  cell: (invitation) => (
                    <>
                      {roleLabel(invitation.role)}
                      {invitation.grantedPermissions.length > 0 && <span className="muted"> + {invitation.grantedPermissions.join(', ')}</span>}
                    </>
                  ),
                },
                { header: 'Status', cell: (invitation) => statusLabel(invitation.status) },
                { header: 'Sent', cell: (invitation) => formatDateTime(invitation.createdAt, timeZone) },
                { header: 'Expires', cell: (invitation) => formatDateTime(invitation.expiresAt, timeZone) },
                can('users') && {
                  header: actionsHeader(),
                  cell: (invitation) =>
                    OPEN_INVITATION.has(invitation.status) && (
                      <button type="button" className="small secondary" disabled={action.busy} onClick={() => void action.run(() => request(RevokeInvitationDocument, { invitationId: invitation.id }))}>
                        Revoke the invitation of {invitation.email}
                      </button>
                    ),
                },
              ]}
            />
          )}
        </section>
      )}
      {can('users') && (
        <section aria-labelledby="invite-title" className="card">
          <h2 id="invite-title">Invite a user</h2>
          <InviteForm accountId={account.id} catalogue={answer.permissionCatalogue} onInvited={load} />
        </section>
      )}
    </main>
  );
}

export function InviteForm({ accountId, catalogue, onInvited }: { accountId: string; catalogue: string[]; onInvited?: () => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('ADMIN');
  const [permissions, setPermissions] = useState<string[]>([]);
  const [sent, setSent] = useState<string | null>(null);
  const invite = useAction(async () => {
    const { data } = await request(InviteUserDocument, { accountId, email, role, permissions: permissions.length ? permissions : null });
    setSent(`Invitation sent to ${data.inviteUser.email}.`);
    setEmail('');
    setPermissions([]);
    await onInvited?.();
  });
  const fieldMessage = invite.fieldErrors.email ?? invite.fieldErrors.role ?? invite.fieldErrors.permissions;
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        setSent(null);
        void invite.run();
      }}
    >
      <label htmlFor="invite-email">Email</label>
      <input id="invite-email" type="email" required value={email} onChange={(event) => setEmail(event.target.value)} aria-describedby="invite-error" />
      <label htmlFor="invite-role">Role</label>
      <select id="invite-role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
        <option value="ADMIN">Admin</option>
        <option value="ADVANCED_USER">Advanced user</option>
        <option value="BASIC_USER">Basic user</option>
      </select>
      {catalogue.length > 0 && (
        <fieldset>
          <legend>Extra permissions (on top of the role)</legend>
          {catalogue.map((permission) => (
            <label key={permission} className="checkbox">
              <input
                type="checkbox"
                checked={permissions.includes(permission)}
                onChange={(event) => setPermissions(event.target.checked ? [...permissions, permission] : permissions.filter((p) => p !== permission))}
              />
              {permission}
            </label>
          ))}
        </fieldset>
      )}
      <button type="submit" disabled={invite.busy}>
        Send invitation
      </button>
      <FieldError id="invite-error" message={fieldMessage} />
      {!fieldMessage && <ErrorBanner error={invite.error} />}
      {sent && (
        <p role="status" className="success">
          {sent}
        </p>
      )}
    </form>
  );
}

type Credit = NonNullable<NonNullable<UsersAnswer['account']>['members']>['nodes'][number]['credit'];

/** A member's credit limit and monthly renewal amount (SPEC I6, seed 004); empty limit: no limit. */
function CreditLimitForm({ accountId, userId, name, credit, onSaved }: { accountId: string; userId: string; name: string; credit: Credit; onSaved: () => Promise<void> }) {
  const [limit, setLimit] = useState(credit?.limit.toString() ?? '');
  const [renewal, setRenewal] = useState(credit?.renewalAmount?.toString() ?? '');
  const toUnits = (text: string) => (text.trim() === '' ? null : Number(text));
  const save = useAction(async () => {
    await request(SetUserCreditLimitDocument, { accountId, userId, limit: toUnits(limit), renewalAmount: toUnits(renewal) });
    await onSaved();
  });
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        void save.run();
      }}
    >
      <label htmlFor={`limit-${userId}`}>Credit limit of {name} (units)</label>
      <input id={`limit-${userId}`} type="number" min={0} value={limit} onChange={(event) => setLimit(event.target.value)} aria-describedby={`limit-${userId}-error`} />
      <FieldError id={`limit-${userId}-error`} message={save.fieldErrors.limit} />
      <label htmlFor={`renewal-${userId}`}>Renewed to, on the 1st of each month</label>
      <input id={`renewal-${userId}`} type="number" min={0} value={renewal} onChange={(event) => setRenewal(event.target.value)} aria-describedby={`renewal-${userId}-error`} />
      <FieldError id={`renewal-${userId}-error`} message={save.fieldErrors.renewalAmount} />
      <button type="submit" disabled={save.busy}>
        Save credit limit
      </button>
      {!save.fieldErrors.limit && !save.fieldErrors.renewalAmount && <ErrorBanner error={save.error} />}
    </form>
  );
}

type Limits = NonNullable<NonNullable<UsersAnswer['account']>['members']>['nodes'][number]['limits'];
type LimitOptions = PortalLimitOptionsQuery;

/** Allowed sender IDs and contact access (SPEC I6): all, or the ones picked here; a restricted group masks numbers. */
function MembershipLimitsForm({ accountId, membershipId, name, limits, onSaved }: { accountId: string; membershipId: string; name: string; limits: Limits; onSaved: () => Promise<void> }) {
  const [options, setOptions] = useState<LimitOptions | null>(null);
  const [allSenderIds, setAllSenderIds] = useState(limits.allSenderIds);
  const [senderIds, setSenderIds] = useState<string[]>(limits.allowedSenderIds);
  const [allGroups, setAllGroups] = useState(limits.contactAccess === 'ALL');
  const [groups, setGroups] = useState<Record<string, ContactGroupAccess>>(Object.fromEntries(limits.contactGroups.map((grant) => [grant.groupId, grant.access])));
  const [loadError, setLoadError] = useState<unknown>(null);
  useEffect(() => {
    request(LimitOptionsDocument, { accountId })
      .then(({ data }) => setOptions(data))
      .catch(setLoadError);
  }, [accountId]);
  const save = useAction(async () => {
    await request(SetMembershipLimitsDocument, {
      membershipId,
      limits: {
        allSenderIds,
        allowedSenderIds: allSenderIds ? null : senderIds,
        contactAccess: allGroups ? 'ALL' : 'SELECTED',
        contactGroups: allGroups ? null : Object.entries(groups).map(([groupId, access]) => ({ groupId, access })),
      },
    });
    await onSaved();
  });
  if (loadError) return <ErrorBanner error={loadError} />;
  if (!options) return <Loading what="sender IDs and groups" />;
  const fieldMessage = Object.values(save.fieldErrors)[0];
  return (
    <form
      className="limits-form"
      onSubmit={(event) => {
        event.preventDefault();
        void save.run();
      }}
    >
      <fieldset>
        <legend>Sender IDs {name} may send from</legend>
        <label className="checkbox">
          <input type="radio" name={`senders-${membershipId}`} checked={allSenderIds} onChange={() => setAllSenderIds(true)} />
          All of the account&apos;s sender IDs
        </label>
        <label className="checkbox">
          <input type="radio" name={`senders-${membershipId}`} checked={!allSenderIds} onChange={() => setAllSenderIds(false)} />
          Only these
        </label>
        {!allSenderIds &&
          (options.senderIds.nodes.length === 0 ? (
            <p className="muted">The account has no sender IDs yet.</p>
          ) : (
            options.senderIds.nodes.map((sender) => (
              <label key={sender.id} className="checkbox">
                <input type="checkbox" checked={senderIds.includes(sender.id)} onChange={(event) => setSenderIds(event.target.checked ? [...senderIds, sender.id] : senderIds.filter((id) => id !== sender.id))} />
                {sender.value} ({sender.kind.toLowerCase().replace(/_/g, ' ')}, {sender.status.toLowerCase()})
              </label>
            ))
          ))}
      </fieldset>
      <fieldset>
        <legend>Contacts {name} may reach</legend>
        <label className="checkbox">
          <input type="radio" name={`groups-${membershipId}`} checked={allGroups} onChange={() => setAllGroups(true)} />
          All groups, numbers visible
        </label>
        <label className="checkbox">
          <input type="radio" name={`groups-${membershipId}`} checked={!allGroups} onChange={() => setAllGroups(false)} />
          Selected groups
        </label>
        {!allGroups &&
          (options.contactGroups.nodes.length === 0 ? (
            <p className="muted">The account has no contact groups yet.</p>
          ) : (
            options.contactGroups.nodes.map((group) => (
              <span key={group.id} className="group-access">
                <label htmlFor={`group-${membershipId}-${group.id}`}>{group.name}</label>
                <select
                  id={`group-${membershipId}-${group.id}`}
                  value={groups[group.id] ?? ''}
                  onChange={(event) => {
                    const next = { ...groups };
                    if (event.target.value) next[group.id] = event.target.value as ContactGroupAccess;
                    else delete next[group.id];
                    setGroups(next);
                  }}
                >
                  <option value="">No access</option>
                  <option value="RESTRICTED">Restricted: may send, never sees numbers</option>
                  <option value="FULL">Full: sees, edits, sends, deletes</option>
                </select>
              </span>
            ))
          ))}
      </fieldset>
      <button type="submit" disabled={save.busy}>
        Save limits of {name}
      </button>
      <FieldError id={`limits-${membershipId}-error`} message={fieldMessage} />
      {!fieldMessage && <ErrorBanner error={save.error} />}
    </form>
  );
}
