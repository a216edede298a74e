import { SecretBox, type Queryable } from '@platform/authz';

/**
 * Mail sent by messaging (automation rules forwarding inbound SMS to an address, SPEC M11), the
 * same idea as identity's mail sender: a row in `messaging.mail_outbox`, written in the caller's
 * transaction (a rolled-back change sends nothing), for a mail provider to pick up. Bodies hold a
 * customer's phone number and text, so they are sealed (AES-256-GCM, key derived from
 * INTERNAL_SIGNING_SECRET); local runs and tests open them with `readMessagingMailOutbox`.
 */
export interface OutgoingMail {
  accountId: string;
  to: string;
  subject: string;
  template: string;
  text: string;
}

/** Mail bodies are sealed with the recipient as associated data. */
const messagingMailBox = (secret: string) => new SecretBox(secret, 'messaging-mail-outbox');

export async function queueMail(transaction: Queryable, secret: string, mail: OutgoingMail): Promise<{ id: string }> {
  const rows: { id: string }[] = await transaction.query(
    `INSERT INTO messaging.mail_outbox (account_id, recipient, subject, template, sealed_body) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [mail.accountId, mail.to.toLowerCase(), mail.subject, mail.template, messagingMailBox(secret).seal(mail.text, mail.to.toLowerCase())],
  );
  return rows[0];
}

/** The outbox, opened (newest first): for local runs and tests. */
export async function readMessagingMailOutbox(db: Queryable, secret: string, recipient?: string) {
  const rows: { id: string; account_id: string; recipient: string; subject: string; template: string; sealed_body: string; created_at: Date }[] = await db.query(
    `SELECT id, account_id, recipient, subject, template, sealed_body, created_at FROM messaging.mail_outbox
      WHERE $1::text IS NULL OR recipient = $1 ORDER BY created_at DESC, id`,
    [recipient?.toLowerCase() ?? null],
  );
  return rows.map((r) => ({ id: r.id, accountId: r.account_id, to: r.recipient, subject: r.subject, template: r.template, text: messagingMailBox(secret).open(r.sealed_body, r.recipient), createdAt: r.created_at }));
}
