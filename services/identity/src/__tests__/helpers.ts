
import type { Sql } from '@platform/db';
import type { TestStack } from '@platform/platform/testing';
import { readMailOutbox } from '@platform/mail';

/** stack.sql (a pg Pool) as the rows-returning Sql the platform's helpers take. */
export const queryable = (stack: TestStack): Sql => stack.db;

/** The newest invitation token mailed to `email`, read from the sealed outbox as a recipient would. */
export async function invitationTokenFor(stack: TestStack, email: string): Promise<string> {
  const [message] = await readMailOutbox(queryable(stack), 'identity', stack.config.internalSigningSecret, email);
  const match = message && /Invitation token: (inv_[0-9A-Za-z]+)/.exec(message.text);
  if (!match) throw new Error(`No invitation mailed to ${email}`);
  return match[1];
}

export { codeOf } from '@platform/testing';

export async function countRows(stack: TestStack, table: string): Promise<number> {
  return (await stack.sql.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
}
