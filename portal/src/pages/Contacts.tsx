import { useEffect, useState } from 'react';
import {
  PortalContactGroupsDocument,
  PortalContactsDocument,
  PortalCreateContactDocument,
  PortalCreateContactGroupDocument,
  PortalImportJobDocument,
  PortalShareContactGroupDocument,
  PortalStartContactImportDocument,
  type GroupShareAccess,
  type PortalContactGroupsQuery,
  type PortalImportJobQuery,
} from '../__generated__/graphql';
import { ApiError, portalConfig, request, type GraphQLErrorEntry } from '../client';
import { CopyId, ErrorBanner, FieldError, formatDateTime, Loading, onSubmitted, Table, useAction, useDebounced, useQuery } from '../ui';
import { useViewer } from '../viewer';
import { contactName } from './Send';

const PAGE_SIZE = 25;
type Groups = PortalContactGroupsQuery['contactGroups'];
type Job = NonNullable<PortalImportJobQuery['importJob']>;

const SHARE_LABELS: Record<GroupShareAccess, string> = { READ: 'Shared down: read', READ_SEND: 'Shared down: read and send' };

/** A forward-paged list: the first page again when `reset` changes, the next one appended with `more`. */
function usePagedList<TPage extends { nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }, TExtra>(
  load: (after: string | null) => Promise<{ page: TPage; extra: TExtra }>,
  reset: string,
) {
  const [state, setState] = useState<{ page: TPage; extra: TExtra } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const first = async () => {
    try {
      setState(await load(null));
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  };
  useEffect(() => {
    void first();
  }, [reset]);
  const more = async () => {
    if (!state?.page.pageInfo.hasNextPage) return;
    setLoadingMore(true);
    try {
      const next = await load(state.page.pageInfo.endCursor);
      setState({ extra: next.extra, page: { ...next.page, nodes: [...state.page.nodes, ...next.page.nodes] } });
    } catch (caught) {
      setError(caught);
    } finally {
      setLoadingMore(false);
    }
  };
  return { state, error, more, loadingMore, reload: first };
}

/** Page 6 (issue 18): the acting account's contacts and groups (SPEC M5); numbers come masked for restricted access (I6). */
export function ContactsPage() {
  const { viewer } = useViewer();
  const accountId = viewer?.activeAccount?.id ?? '';
  const [search, setSearch] = useState('');
  const appliedSearch = useDebounced(search.trim());
  const [groupId, setGroupId] = useState('');
  const [groupsVersion, setGroupsVersion] = useState(0);
  const contacts = usePagedList(async (after) => {
    const { data } = await request(PortalContactsDocument, { accountId, groupId: groupId || null, search: appliedSearch || null, first: PAGE_SIZE, after });
    return { page: data.contacts, extra: { me: data.me, account: data.account } };
  }, `${accountId} ${groupId} ${appliedSearch}`);
  // The groups to pick from (filter, new contact, import) and to name in the list.
  const groupOptions = useQuery(PortalContactGroupsDocument, { accountId, first: 200 });

  if (contacts.error && !contacts.state) return <main><ErrorBanner error={contacts.error} /></main>;
  if (!contacts.state) return <main><Loading what="the contacts" /></main>;
  const { account, me } = contacts.state.extra;
  if (!account) return <main><p role="alert">This account does not exist or is not visible to you.</p></main>;
  const can = (permission: string) => me.permissionsOn.includes(permission);
  const timeZone = account.settings.timezone;
  const groupList = groupOptions.data?.contactGroups.nodes ?? [];
  const groupName = (id: string) => groupList.find((group) => group.id === id)?.name;
  const reloadAll = async () => {
    setGroupsVersion((version) => version + 1);
    await Promise.all([contacts.reload(), groupOptions.reload()]);
  };
  const page = contacts.state.page;
  return (
    <main className="contacts-page">
      <h1>Contacts of {account.name}</h1>
      <section aria-labelledby="contacts-title" className="card table-card">
        <h2 id="contacts-title">Contacts ({page.totalCount})</h2>
        <div className="inline-form">
          <label htmlFor="contacts-search">Search contacts</label>
          <input id="contacts-search" type="search" value={search} onChange={(event) => setSearch(event.target.value)} aria-describedby="contacts-search-help" />
          <label htmlFor="contacts-group">Group</label>
          <GroupSelect id="contacts-group" none="All contacts" groups={groupList} value={groupId} onChange={setGroupId} />
          <span id="contacts-search-help" className="help">
            Name or email; digits of a number you may see in full.
          </span>
        </div>
        <ErrorBanner error={contacts.error} />
        {page.nodes.some((contact) => !contact.editable) && <p className="muted">Some numbers are masked: your access to their group is restricted (you may send to them, not see them).</p>}
        {page.nodes.length === 0 ? (
          <p className="muted">{appliedSearch || groupId ? 'No contact matches.' : 'No contacts yet.'}</p>
        ) : (
          <Table
            rows={page.nodes}
            rowKey={(contact) => contact.id}
            columns={[
              { header: 'Name', cell: (contact) => [contact.firstName, contact.lastName].filter(Boolean).join(' ') || <span className="muted">No name</span> },
              {
                header: 'Phone number',
                cell: (contact) => (
                  <>
                    {contact.phoneNumber}
                    {contact.optedOut && <span className="badge"> opted out</span>}
                  </>
                ),
              },
              { header: 'Email', cell: (contact) => contact.email },
              { header: 'Groups', cell: (contact) => contact.groupIds.map((id) => groupName(id) ?? 'a shared group').join(', ') },
              { header: 'Added', cell: (contact) => formatDateTime(contact.createdAt, timeZone) },
              { header: 'Contact id', cell: (contact) => <CopyId id={contact.id} label="Copy contact id" /> },
            ]}
          />
        )}
        {page.pageInfo.hasNextPage && (
          <button type="button" className="secondary" disabled={contacts.loadingMore} onClick={() => void contacts.more()}>
            Show more contacts ({page.nodes.length} of {page.totalCount})
          </button>
        )}
      </section>

      <GroupsSection accountId={account.id} hasChildren={account.depth < 5} canEdit={can('contacts')} version={groupsVersion} onChanged={reloadAll} />

      {can('contacts') && (
        <>
          <section aria-labelledby="add-contact-title" className="card">
            <h2 id="add-contact-title">Add a contact</h2>
            <AddContactForm accountId={account.id} groups={groupList} onAdded={reloadAll} />
          </section>
          <section aria-labelledby="import-title" className="card">
            <h2 id="import-title">Import contacts from a CSV file</h2>
            <ImportForm accountId={account.id} groups={groupList} onFinished={reloadAll} />
          </section>
        </>
      )}
    </main>
  );
}

/** A group of the account, or `none` (the empty value). */
function GroupSelect({ id, none, groups, value, onChange, describedBy }: { id: string; none: string; groups: Groups['nodes']; value: string; onChange: (groupId: string) => void; describedBy?: string }) {
  return (
    <select id={id} value={value} onChange={(event) => onChange(event.target.value)} aria-describedby={describedBy}>
      <option value="">{none}</option>
      {groups.map((group) => (
        <option key={group.id} value={group.id}>
          {group.name}
        </option>
      ))}
    </select>
  );
}

/** The groups, paged and searched by name; shared down the tree from here (SPEC M5). */
function GroupsSection({ accountId, hasChildren, canEdit, version, onChanged }: { accountId: string; hasChildren: boolean; canEdit: boolean; version: number; onChanged: () => Promise<void> }) {
  const [search, setSearch] = useState('');
  const appliedSearch = useDebounced(search.trim());
  const list = usePagedList(async (after) => ({ page: (await request(PortalContactGroupsDocument, { accountId, search: appliedSearch || null, first: PAGE_SIZE, after })).data.contactGroups, extra: null }), `${accountId} ${appliedSearch} ${version}`);
  const groups = list.state?.page ?? null;
  const [name, setName] = useState('');
  const create = useAction(async () => {
    await request(PortalCreateContactGroupDocument, { accountId, name });
    setName('');
    await onChanged();
  });
  const share = useAction(async (id: string, sharedAccess: GroupShareAccess | null) => {
    await request(PortalShareContactGroupDocument, { id, input: { sharedAccess } });
    await onChanged();
  });
  return (
    <section aria-labelledby="groups-title" className="card table-card">
      <h2 id="groups-title">Groups{groups ? ` (${groups.totalCount})` : ''}</h2>
      <div className="inline-form">
        <label htmlFor="groups-search">Search groups</label>
        <input id="groups-search" type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
      </div>
      <ErrorBanner error={list.error} />
      <ErrorBanner error={share.error} />
      {!groups ? (
        <Loading what="the groups" />
      ) : groups.nodes.length === 0 ? (
        <p className="muted">{appliedSearch ? 'No group matches.' : 'No groups yet.'}</p>
      ) : (
        <Table
          rows={groups.nodes}
          rowKey={(group) => group.id}
          columns={[
            { header: 'Group', cell: (group) => group.name },
            { header: 'Contacts', cell: (group) => group.contactCount },
            {
              header: 'Sharing down the tree',
              cell: (group) =>
                group.accountId !== accountId ? (
                    <span className="muted">Shared with this account by a parent account</span>
                  ) : canEdit && hasChildren ? (
                    <>
                      <label htmlFor={`share-${group.id}`} className="visually-hidden">
                        Share {group.name} with sub-accounts
                      </label>
                      <select id={`share-${group.id}`} value={group.sharedAccess ?? ''} disabled={share.busy} onChange={(event) => void share.run(group.id, (event.target.value || null) as GroupShareAccess | null)}>
                        <option value="">Not shared</option>
                        <option value="READ">{SHARE_LABELS.READ}</option>
                        <option value="READ_SEND">{SHARE_LABELS.READ_SEND}</option>
                      </select>
                    </>
                  ) : (
                  (group.sharedAccess && SHARE_LABELS[group.sharedAccess]) ?? 'Not shared'
                ),
            },
          ]}
        />
      )}
      {groups?.pageInfo.hasNextPage && (
        <button type="button" className="secondary" disabled={list.loadingMore} onClick={() => void list.more()}>
          Show more groups
        </button>
      )}
      {canEdit && (
        <form
          className="inline-form"
          onSubmit={onSubmitted(() => create.run())}
        >
          <label htmlFor="group-name">New group name</label>
          <input id="group-name" required value={name} onChange={(event) => setName(event.target.value)} aria-describedby="group-name-error" />
          <button type="submit" disabled={create.busy}>
            Create group
          </button>
          <FieldError id="group-name-error" message={create.fieldErrors.name} />
          {!create.fieldErrors.name && <ErrorBanner error={create.error} />}
        </form>
      )}
    </section>
  );
}

function AddContactForm({ accountId, groups, onAdded }: { accountId: string; groups: Groups['nodes']; onAdded: () => Promise<void> }) {
  const empty = { phoneNumber: '', firstName: '', lastName: '', email: '', groupId: '' };
  const [contact, setContact] = useState(empty);
  const [added, setAdded] = useState<string | null>(null);
  const add = useAction(async () => {
    const { groupId, ...fields } = contact;
    await request(PortalCreateContactDocument, { accountId, input: { ...fields, email: fields.email || null, groupIds: groupId ? [groupId] : [] } });
    setAdded(`${contactName(contact)} was added.`);
    setContact(empty);
    await onAdded();
  });
  const input = (key: keyof typeof empty, label: string, type = 'text') => (
    <span className="field">
      <label htmlFor={`contact-${key}`}>{label}</label>
      <input id={`contact-${key}`} type={type} value={contact[key]} required={key === 'phoneNumber'} onChange={(event) => setContact({ ...contact, [key]: event.target.value })} aria-describedby={`contact-${key}-error`} />
      <FieldError id={`contact-${key}-error`} message={add.fieldErrors[key]} />
    </span>
  );
  return (
    <form
      className="inline-form"
      onSubmit={onSubmitted(() => {
        setAdded(null);
        return add.run();
      })}
    >
      {input('phoneNumber', 'Phone number', 'tel')}
      {input('firstName', 'First name')}
      {input('lastName', 'Last name')}
      {input('email', 'Email', 'email')}
      <span className="field">
        <label htmlFor="contact-group">In group</label>
        <GroupSelect id="contact-group" none="No group" groups={groups} value={contact.groupId} onChange={(groupId) => setContact({ ...contact, groupId })} describedBy="contact-groupIds-error" />
        <FieldError id="contact-groupIds-error" message={add.fieldErrors.groupIds} />
      </span>
      <button type="submit" disabled={add.busy}>
        Add contact
      </button>
      {Object.keys(add.fieldErrors).length === 0 && <ErrorBanner error={add.error} />}
      {added && (
        <p role="status" className="success">
          {added}
        </p>
      )}
    </form>
  );
}

/**
 * SPEC M5 at any size: startContactImport gives an upload link; the file is POSTed there while the
 * job's counts are read every half second (the progress bar), and its answer is the finished job.
 */
function ImportForm({ accountId, groups, onFinished }: { accountId: string; groups: Groups['nodes']; onFinished: () => Promise<void> }) {
  const [file, setFile] = useState<File | null>(null);
  const [groupId, setGroupId] = useState('');
  const [job, setJob] = useState<Job | null>(null);
  const importing = useAction(async () => {
    if (!file) return;
    setJob(null);
    const { data } = await request(PortalStartContactImportDocument, { accountId, groupId: groupId || null });
    const jobId = data.startContactImport.job.id;
    const poll = setInterval(() => {
      void request(PortalImportJobDocument, { id: jobId }).then(({ data: progress }) => progress.importJob && setJob((current) => (current && current.status !== 'PROCESSING' && current.status !== 'WAITING' ? current : progress.importJob)));
    }, 500);
    try {
      const { gatewayUrl } = await portalConfig();
      const response = await fetch(new URL(data.startContactImport.uploadUrl, gatewayUrl), { method: 'POST', headers: { 'content-type': 'text/csv' }, body: file });
      const answer = (await response.json().catch(() => ({}))) as { errors?: GraphQLErrorEntry[] };
      if (answer.errors?.length) throw new ApiError(answer.errors);
    } finally {
      clearInterval(poll);
    }
    const finished = (await request(PortalImportJobDocument, { id: jobId })).data.importJob;
    setJob(finished);
    await onFinished();
  });
  return (
    <form
      className="inline-form"
      onSubmit={onSubmitted(() => importing.run())}
    >
      <p className="help">A header row naming phone (or phone_number, mobile) and optionally first_name, last_name, email; one contact per line.</p>
      <label htmlFor="import-file">CSV file</label>
      <input id="import-file" type="file" accept=".csv,text/csv" required onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
      <label htmlFor="import-group">Into group</label>
      <GroupSelect id="import-group" none="No group" groups={groups} value={groupId} onChange={setGroupId} describedBy="import-group-error" />
      <FieldError id="import-group-error" message={importing.fieldErrors.groupId} />
      <button type="submit" disabled={importing.busy || !file}>
        Import
      </button>
      {!importing.fieldErrors.groupId && <ErrorBanner error={importing.error} />}
      {(importing.busy || job) && <ImportProgress job={job} />}
    </form>
  );
}

function ImportProgress({ job }: { job: Job | null }) {
  const done = job && (job.status === 'COMPLETED' || job.status === 'FAILED');
  return (
    <div className="import-progress" role="status" aria-live="polite">
      {!done && (
        <>
          <progress aria-label="Import progress" />
          <p>{job ? `${job.processed} lines read…` : 'Uploading…'}</p>
        </>
      )}
      {job && done && (
        <>
          <p className={job.status === 'FAILED' ? 'error' : 'success'}>
            {job.status === 'FAILED'
              ? `The import failed (${job.errorCode}): ${job.errorMessage}. No contact was written.`
              : `Import finished: ${job.processed} lines read, ${job.imported} imported, ${job.merged} merged, ${job.rejected} rejected.`}
          </p>
          {job.rejections.length > 0 && (
            <Table
              label="Rejected lines"
              rows={job.rejections}
              rowKey={(rejection) => rejection.line}
              columns={[
                { header: 'Line', cell: (rejection) => rejection.line },
                { header: 'Reason', cell: (rejection) => rejection.reason },
                { header: 'Code', cell: (rejection) => <code>{rejection.code}</code> },
              ]}
            />
          )}
          {job.rejected > job.rejections.length && <p className="muted">The first {job.rejections.length} rejected lines are listed.</p>}
        </>
      )}
    </div>
  );
}
