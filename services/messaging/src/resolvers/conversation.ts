import type { MessagingContext } from '../context';
import { numberPolicy, outboundAuthorScope } from '../services/access';
import type { ConversationRow } from '../services/messages';

export const Conversation = {
  accountId: (c: ConversationRow) => c.account_id,
  phoneNumber: async (c: ConversationRow, _: unknown, ctx: MessagingContext) => (await numberPolicy(ctx, c.account_id)).show(c.phone_number),
  lastMessageAt: (c: ConversationRow) => new Date(c.last_message_at).toISOString(),
  messages: async (c: ConversationRow, _: unknown, ctx: MessagingContext) => {
    const author = await outboundAuthorScope(ctx, c.account_id);
    const rows: { id: string; direction: string; body: string; status: string | null; at: Date }[] = await ctx.dataSource.query(
      `SELECT * FROM (
         SELECT id, 'OUTBOUND' AS direction, body, status, created_at AS at FROM messaging.messages
          WHERE account_id = $1 AND recipient = $2 AND ($4::uuid IS NULL OR user_id = $4)
         UNION ALL
         SELECT id, 'INBOUND', body, NULL, received_at FROM messaging.inbound_messages WHERE conversation_id = $3
         ORDER BY at DESC LIMIT 50) recent ORDER BY at`,
      [c.account_id, c.phone_number, c.id, author],
    );
    return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
  },
};
