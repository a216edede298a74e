import { SecretBox, type Queryable } from '@platform/authz';
import type { Logger } from '@platform/server';

export interface MailMessage {
  to: string;
  subject: string;
  /** A stable name of the message kind, e.g. `invitation` */
  template: string;
  /** The body; it may hold a secret link, so it is never logged nor stored in clear */
  text: string;
}

/**
 * Delivers mail inside the caller's transaction, so a refused mutation sends nothing. A real
 * provider would be an implementation that enqueues to its API from the same outbox.
 */
export interface MailSender {
  send(transaction: Queryable, message: MailMessage): Promise<{ id: string }>;
}

/** Mail bodies are sealed with the recipient as associated data. */
const identityMailBox = (secret: string) => new SecretBox(secret, 'identity-mail-outbox');

/**
 * The built-in sender: a row in `identity.mail_outbox` plus a log line. Bodies carry single-use
 * tokens, so they are sealed (AES-256-GCM, key derived from INTERNAL_SIGNING_SECRET); local runs
 * and tests open them with `readMailOutbox`.
 */
export class OutboxMailSender implements MailSender {
  private readonly box: SecretBox;

  constructor(
    secret: string,
    private readonly logger: Logger,
  ) {
    this.box = identityMailBox(secret);
  }

  async send(transaction: Queryable, message: MailMessage): Promise<{ id: string }> {
    const rows: { id: string }[] = await transaction.query(
      `INSERT INTO identity.mail_outbox (recipient, subject, template, sealed_body) VALUES ($1, $2, $3, $4) RETURNING id`,
      [message.to, message.subject, message.template, this.box.seal(message.text, message.to)],
    );
    this.logger.info({ outboxId: rows[0].id, to: message.to, template: message.template }, 'mail queued in the outbox');
    return rows[0];
  }
}

export interface OutboxMessage {
  id: string;
  to: string;
  subject: string;
  template: string;
  text: string;
  createdAt: Date;
}

/** The outbox, opened (newest first): for local runs and tests. */
export async function readMailOutbox(db: Queryable, secret: string, recipient?: string): Promise<OutboxMessage[]> {
  const rows: { id: string; recipient: string; subject: string; template: string; sealed_body: string; created_at: Date }[] = await db.query(
    `SELECT id, recipient, subject, template, sealed_body, created_at FROM identity.mail_outbox
      WHERE $1::text IS NULL OR recipient = $1 ORDER BY created_at DESC, id`,
    [recipient?.toLowerCase() ?? null],
  );
  return rows.map((r) => ({ id: r.id, to: r.recipient, subject: r.subject, template: r.template, text: identityMailBox(secret).open(r.sealed_body, r.recipient), createdAt: r.created_at }));
}
