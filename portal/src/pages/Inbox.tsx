import { useState } from 'react';
import { PortalConversationDocument, PortalInboxDocument, PortalReplyToConversationDocument, type PortalReplyToConversationMutation } from '../__generated__/graphql';
import { request } from '../client';
import { ErrorBanner, FieldError, formatDateTime, Loading, onSubmitted, useAction, useQuery } from '../ui';
import { useViewer } from '../viewer';
import { SendAnswer } from './Send';

/** New messages show up without a reload: the list and the open thread are read again this often. */
const POLL_MS = 3000;

/** Page 8 (issue 18): the acting account's conversations and a thread with reply (SPEC M4); who sees what is the API's decision. */
export function InboxPage() {
  const { viewer } = useViewer();
  const accountId = viewer?.activeAccount?.id ?? '';
  const inbox = useQuery(PortalInboxDocument, { accountId, first: 100 }, POLL_MS);
  const [openId, setOpenId] = useState<string | null>(null);

  if (inbox.error && !inbox.data) return <main><ErrorBanner error={inbox.error} /></main>;
  if (!inbox.data) return <main><Loading what="the inbox" /></main>;
  const { account, me, inbox: conversations } = inbox.data;
  if (!account) return <main><p role="alert">This account does not exist or is not visible to you.</p></main>;
  const timeZone = account.settings.timezone;
  const ownOnly = me.permissionsOn.includes('inbox.own') && !me.permissionsOn.includes('inbox');
  return (
    <main className="inbox-page">
      <h1>Inbox of {account.name}</h1>
      {ownOnly && <p className="muted">You see the conversations of the messages you sent.</p>}
      <div className="inbox-layout">
        <section aria-labelledby="conversations-title" className="card">
          <h2 id="conversations-title">Conversations</h2>
          {conversations.nodes.length === 0 ? (
            <p className="muted">No conversations yet.</p>
          ) : (
            <ul className="conversations" aria-label="Conversations">
              {conversations.nodes.map((conversation) => (
                <li key={conversation.id}>
                  <button type="button" className={conversation.id === openId ? 'conversation open' : 'conversation'} aria-current={conversation.id === openId} onClick={() => setOpenId(conversation.id)}>
                    <span className="number">{conversation.phoneNumber}</span>
                    <span className="muted">{formatDateTime(conversation.lastMessageAt, timeZone)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {conversations.pageInfo.hasNextPage && <p className="muted">The 100 most recent conversations are shown.</p>}
        </section>
        {openId ? <Thread key={openId} id={openId} timeZone={timeZone} canReply={me.permissionsOn.includes('messages.send')} /> : <p className="muted thread-hint">Pick a conversation to read it and reply.</p>}
      </div>
    </main>
  );
}

function Thread({ id, timeZone, canReply }: { id: string; timeZone: string; canReply: boolean }) {
  const thread = useQuery(PortalConversationDocument, { id }, POLL_MS);
  const [body, setBody] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const [answer, setAnswer] = useState<PortalReplyToConversationMutation['replyToConversation'] | null>(null);
  const reply = useAction(async () => {
    setAnswer(null);
    const { data } = await request(PortalReplyToConversationDocument, { conversationId: id, body, idempotencyKey });
    setAnswer(data.replyToConversation);
    setBody('');
    setIdempotencyKey(crypto.randomUUID());
    await thread.reload();
  });
  if (thread.error && !thread.data) return <ErrorBanner error={thread.error} />;
  if (!thread.data) return <Loading what="the conversation" />;
  const { conversation } = thread.data;
  return (
    <section aria-labelledby="thread-title" className="card thread">
      <h2 id="thread-title">Conversation with {conversation.phoneNumber}</h2>
      <ol className="messages" aria-label="Messages">
        {conversation.messages.nodes.map((entry) => (
          <li key={entry.id} className={entry.direction === 'INBOUND' ? 'inbound' : 'outbound'}>
            <span className="visually-hidden">{entry.direction === 'INBOUND' ? 'Received' : 'Sent'}: </span>
            <span className="body">{entry.body}</span>
            <span className="muted meta">
              {formatDateTime(entry.at, timeZone)}
              {entry.status ? ` · ${entry.status.toLowerCase()}` : ''}
            </span>
          </li>
        ))}
      </ol>
      {canReply ? (
        <form className="stacked-form" onSubmit={onSubmitted(() => reply.run())}>
          <label htmlFor="reply-body">Reply</label>
          <textarea id="reply-body" rows={3} required value={body} onChange={(event) => setBody(event.target.value)} aria-describedby="reply-body-error" />
          <FieldError id="reply-body-error" message={reply.fieldErrors.body} />
          <div className="actions">
            <button type="submit" disabled={reply.busy}>
              Send reply
            </button>
          </div>
          {!reply.fieldErrors.body && <ErrorBanner error={reply.error} />}
        </form>
      ) : (
        <p className="muted">Your role cannot send messages from this account, so it cannot reply.</p>
      )}
      {answer && <SendAnswer sent={answer} timeZone={timeZone} />}
    </section>
  );
}
