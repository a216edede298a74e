import type { AccountChain } from '@platform/authz';
import { keysetSql, queryRows, type PageRequest, type Sql } from '@platform/db';

export interface TemplateRow {
  id: string;
  accountId: string;
  name: string;
  body: string;
  sharedDown: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = 'id, account_id AS "accountId", name, body, shared_down AS "sharedDown", created_at AS "createdAt", updated_at AS "updatedAt"';

/** A template the account may send with: its own, or an ancestor's shared down. Null otherwise. */
export async function usableTemplate(db: Sql, chain: AccountChain, templateId: string): Promise<TemplateRow | null> {
  const [row] = await queryRows<TemplateRow>(
    db,
    `SELECT ${COLUMNS} FROM messaging.message_templates
      WHERE id = $1 AND (account_id = $2 OR (shared_down AND account_id = ANY($3::uuid[])))`,
    [templateId, chain.id, chain.path.slice(0, -1)],
  );
  return row ?? null;
}

/** A page of the account's templates and those shared down to it by its ancestors, by name then id. */
export function templatesOfChain(db: Sql, chain: AccountChain, page: PageRequest<readonly [string, string]>): Promise<TemplateRow[]> {
  const keyset = keysetSql(page, { columns: ['name', 'id'], types: ['text', 'uuid'], order: 'ASC', firstParameter: 3 });
  return queryRows<TemplateRow>(
    db,
    `SELECT ${COLUMNS} FROM messaging.message_templates
      WHERE (account_id = $1 OR (shared_down AND account_id = ANY($2::uuid[]))) AND ${keyset.where}
      ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}`,
    [chain.id, chain.path.slice(0, -1), ...keyset.parameters],
  );
}

export async function findTemplate(db: Sql, id: string): Promise<TemplateRow | null> {
  const [row] = await queryRows<TemplateRow>(db, `SELECT ${COLUMNS} FROM messaging.message_templates WHERE id = $1`, [id]);
  return row ?? null;
}

/** The new template; null when the account has one of that name already. */
export async function insertTemplate(tx: Sql, template: { accountId: string; name: string; body: string; sharedDown: boolean; createdBy: string | null }): Promise<TemplateRow | null> {
  const [row] = await queryRows<TemplateRow>(
    tx,
    `INSERT INTO messaging.message_templates (account_id, name, body, shared_down, created_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (account_id, name) DO NOTHING RETURNING ${COLUMNS}`,
    [template.accountId, template.name, template.body, template.sharedDown, template.createdBy],
  );
  return row ?? null;
}

/** The updated template; null when another template of the account has that name. */
export async function updateTemplate(tx: Sql, id: string, accountId: string, values: { name: string; body: string; sharedDown: boolean }): Promise<TemplateRow | null> {
  const [row] = await queryRows<TemplateRow>(
    tx,
    `UPDATE messaging.message_templates SET name = $2, body = $3, shared_down = $4, updated_at = now()
      WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM messaging.message_templates o WHERE o.account_id = $5 AND o.name = $2 AND o.id <> $1)
      RETURNING ${COLUMNS}`,
    [id, values.name, values.body, values.sharedDown, accountId],
  );
  return row ?? null;
}

export async function deleteTemplate(tx: Sql, id: string): Promise<void> {
  await tx.query(`DELETE FROM messaging.message_templates WHERE id = $1`, [id]);
}

/** A template as listed for an account: `inherited` when an ancestor shares it down. */
export interface ListedTemplateRow extends TemplateRow {
  inherited?: boolean;
}
