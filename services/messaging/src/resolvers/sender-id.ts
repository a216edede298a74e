import type { SenderIdRow } from '../services/sender-ids';

export const SenderId = {
  accountId: (s: SenderIdRow) => s.account_id,
  sharedDown: (s: SenderIdRow) => s.shared_down,
  createdAt: (s: SenderIdRow) => new Date(s.created_at).toISOString(),
};
