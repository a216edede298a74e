import type { Sql } from '@platform/db';
import { SecretBox } from '@platform/authz';

/**
 * Mail the platform sends (invitations, password resets, forwarded inbound SMS): a row in the
 * sending subgraph's `<schema>.mail_outbox`, written in the caller's transaction so a refused
 * change sends nothing, for a mail provider to pick up. A real provider plugs in as another
 * `MailSender` that enqueues to its API from the same transaction.
 *
 * Bodies may hold single-use links or a customer's number and text, so they are sealed
 * (AES-256-GCM, key derived from INTERNAL_SIGNING_SECRET, recipient as associated data) and never
 * logged; local runs and tests open them with `readMailOutbox`.
 */
export interface OutgoingMail {
  /** the account the mail is about, when there is one */
  accountId?: string | null;
  to: string;
  subject: string;
  /** a stable name of the message kind, e.g. `invitation` */
  template: string;
  text: string;
}

export interface MailSender {
  send(tx: Sql, mail: OutgoingMail): Promise<{ id: string }>;
}

export interface OutboxMail extends Required<OutgoingMail> {
  id: string;
  createdAt: Date;
}

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]*$/;

const mailBox = (schema: string, secret: string) => new SecretBox(secret, `${schema}-mail-outbox`);

/** The built-in sender: the outbox row, plus a log line without the body. */
export class OutboxMailSender implements MailSender {
  private readonly box: SecretBox;

  constructor(
    private readonly schema: string,
    secret: string,
    private readonly logger?: { info(fields: object, message: string): void },
  ) {
    if (!SCHEMA_PATTERN.test(schema)) throw new Error(`Invalid schema name ${schema}`);
    this.box = mailBox(schema, secret);
  }

  async send(tx: Sql, mail: OutgoingMail): Promise<{ id: string }> {
    const to = mail.to.toLowerCase();
    const rows: { id: string }[] = await tx.query(
      `INSERT INTO ${this.schema}.mail_outbox (account_id, recipient, subject, template, sealed_body) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [mail.accountId ?? null, to, mail.subject, mail.template, this.box.seal(mail.text, to)],
    );
    this.logger?.info({ outboxId: rows[0].id, to, template: mail.template }, 'mail queued in the outbox');
    return rows[0];
  }
}

/** A subgraph's outbox, opened (newest first): for local runs and tests. */
export async function readMailOutbox(db: Sql, schema: string, secret: string, recipient?: string): Promise<OutboxMail[]> {
  if (!SCHEMA_PATTERN.test(schema)) throw new Error(`Invalid schema name ${schema}`);
  const rows: { id: string; account_id: string | null; recipient: string; subject: string; template: string; sealed_body: string; created_at: Date }[] = await db.query(
    `SELECT id, account_id, recipient, subject, template, sealed_body, created_at FROM ${schema}.mail_outbox
      WHERE $1::text IS NULL OR recipient = $1 ORDER BY created_at DESC, id`,
    [recipient?.toLowerCase() ?? null],
  );
  const box = mailBox(schema, secret);
  return rows.map((r) => ({ id: r.id, accountId: r.account_id, to: r.recipient, subject: r.subject, template: r.template, text: box.open(r.sealed_body, r.recipient), createdAt: r.created_at }));
}
