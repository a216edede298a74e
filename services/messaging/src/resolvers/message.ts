import type { MessagingContext } from '../context';
import { numberPolicy } from '../services/access';
import type { MessageRow } from '../services/messages';

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);

export const Message = {
  accountId: (m: MessageRow) => m.account_id,
  userId: (m: MessageRow) => m.user_id,
  batchId: (m: MessageRow) => m.batch_id,
  contactId: (m: MessageRow) => m.contact_id,
  senderId: (m: MessageRow) => m.sender_id,
  sender: async (m: MessageRow, _: unknown, ctx: MessagingContext) => (m.sender_value.startsWith('+') ? (await numberPolicy(ctx, m.account_id)).show(m.sender_value) : m.sender_value),
  recipient: async (m: MessageRow, _: unknown, ctx: MessagingContext) => (await numberPolicy(ctx, m.account_id)).show(m.recipient),
  costUnits: (m: MessageRow) => m.cost_units,
  errorCode: (m: MessageRow) => m.error_code,
  sendAt: (m: MessageRow) => iso(m.send_at),
  sentAt: (m: MessageRow) => iso(m.sent_at),
  statusAt: (m: MessageRow) => iso(m.status_at),
  createdAt: (m: MessageRow) => iso(m.created_at),
};
