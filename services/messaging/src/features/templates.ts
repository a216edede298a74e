import type { AccountChain } from '@platform/authz';
import { AppError, assertId, assertName, errors } from '@platform/errors';
import { queryRows } from '@platform/db';
import type { MessagingContext } from '../context';
import { mutate, requireActiveChain } from '../services/access';

/**
 * Message templates (SPEC M6). A template belongs to an account; with `sharedDown` every descendant
 * may use it (and see it in its list, without its owner's id unless the caller sees the owner).
 * Placeholders are `{{name}}` or `{{name|fallback}}` with a contact field name; they are filled per
 * recipient at send time (see compose.ts).
 */
export interface TemplateRow {
  id: string;
  account_id: string;
  name: string;
  body: string;
  shared_down: boolean;
  created_at: Date;
  updated_at: Date;
}

/** The contact fields a placeholder may name. Phone numbers are deliberately absent (SPEC I6: a restricted user must not read them in a body). */
export const PLACEHOLDER_FIELDS = ['firstName', 'lastName', 'fullName', 'email'] as const;
export type PlaceholderField = (typeof PLACEHOLDER_FIELDS)[number];

/** `{{ name }}` or `{{ name | fallback }}`; the fallback is used when the contact has no value. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*(?:\|([^{}]{0,100}))?\}\}/g;

export interface Placeholder {
  name: PlaceholderField;
  fallback: string | null;
}

/** The placeholders of a template body; an unknown name, or braces that are not a placeholder, are BAD_USER_INPUT. */
export function parsePlaceholders(body: string, field = 'body'): Placeholder[] {
  const found: Placeholder[] = [];
  for (const match of body.matchAll(PLACEHOLDER)) {
    const name = match[1];
    if (!(PLACEHOLDER_FIELDS as readonly string[]).includes(name)) {
      throw errors.badInput(`Unknown placeholder {{${name}}}; use one of ${PLACEHOLDER_FIELDS.join(', ')}`, field);
    }
    found.push({ name: name as PlaceholderField, fallback: match[2] === undefined ? null : match[2].trim() });
  }
  if (/\{\{|\}\}/.test(body.replace(PLACEHOLDER, ''))) throw errors.badInput('A {{ or }} is not a well-formed placeholder', field);
  return found;
}

const MAX_BODY = 1600;
const COLUMNS = 'id, account_id, name, body, shared_down, created_at, updated_at';

function validateBody(body: string): string {
  if (body.trim().length === 0) throw errors.badInput('body must not be empty', 'body');
  if ([...body].length > MAX_BODY) throw errors.badInput(`body must be at most ${MAX_BODY} characters`, 'body');
  parsePlaceholders(body);
  return body;
}

/** A template the account may send with: its own, or an ancestor's shared down. Null otherwise. */
export async function usableTemplate(db: MessagingContext['dataSource'], chain: AccountChain, templateId: string): Promise<TemplateRow | null> {
  const [row] = await queryRows<TemplateRow>(
    db,
    `SELECT ${COLUMNS} FROM messaging.message_templates
      WHERE id = $1 AND (account_id = $2 OR (shared_down AND account_id = ANY($3::uuid[])))`,
    [templateId, chain.id, chain.path.slice(0, -1)],
  );
  return row ?? null;
}

export const TemplateService = {
  /** The account's templates and those shared down to it by its ancestors (name order). */
  async list(ctx: MessagingContext, accountId: string): Promise<(TemplateRow & { inherited: boolean })[]> {
    const chain = await ctx.access.require(accountId, 'account.view');
    const rows = await queryRows<TemplateRow>(
      ctx.dataSource,
      `SELECT ${COLUMNS} FROM messaging.message_templates
        WHERE account_id = $1 OR (shared_down AND account_id = ANY($2::uuid[]))
        ORDER BY name, id`,
      [chain.id, chain.path.slice(0, -1)],
    );
    return rows.map((row) => ({ ...row, inherited: row.account_id !== chain.id }));
  },

  async create(ctx: MessagingContext, accountId: string, input: { name: string; body: string; sharedDown?: boolean | null }): Promise<TemplateRow> {
    const chain = await ctx.access.require(accountId, 'contacts');
    requireActiveChain(chain);
    const name = assertName(input.name);
    const body = validateBody(input.body);
    return mutate(ctx, chain, 'createMessageTemplate', async (tx) => {
      const [row] = await queryRows<TemplateRow>(
        tx,
        `INSERT INTO messaging.message_templates (account_id, name, body, shared_down, created_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account_id, name) DO NOTHING RETURNING ${COLUMNS}`,
        [chain.id, name, body, input.sharedDown ?? false, ctx.principal.id],
      );
      if (!row) throw new AppError('ALREADY_EXISTS', 'The account has a template of that name already', { field: 'name' });
      return { result: row, targetType: 'MessageTemplate', targetId: row.id, after: { name, sharedDown: row.shared_down } };
    });
  },

  async update(ctx: MessagingContext, id: string, input: { name?: string | null; body?: string | null; sharedDown?: boolean | null }): Promise<TemplateRow> {
    const { chain, template } = await ownTemplate(ctx, id);
    const name = input.name == null ? template.name : assertName(input.name);
    const body = input.body == null ? template.body : validateBody(input.body);
    return mutate(ctx, chain, 'updateMessageTemplate', async (tx) => {
      const [row] = await queryRows<TemplateRow>(
        tx,
        `UPDATE messaging.message_templates SET name = $2, body = $3, shared_down = $4, updated_at = now()
          WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM messaging.message_templates o WHERE o.account_id = $5 AND o.name = $2 AND o.id <> $1)
          RETURNING ${COLUMNS}`,
        [template.id, name, body, input.sharedDown ?? template.shared_down, chain.id],
      );
      if (!row) throw new AppError('ALREADY_EXISTS', 'The account has a template of that name already', { field: 'name' });
      return {
        result: row,
        targetType: 'MessageTemplate',
        targetId: row.id,
        before: { name: template.name, sharedDown: template.shared_down, bodyChanged: false },
        after: { name: row.name, sharedDown: row.shared_down, bodyChanged: row.body !== template.body },
      };
    });
  },

  async remove(ctx: MessagingContext, id: string): Promise<string> {
    const { chain, template } = await ownTemplate(ctx, id);
    return mutate(ctx, chain, 'deleteMessageTemplate', async (tx) => {
      await tx.query(`DELETE FROM messaging.message_templates WHERE id = $1`, [template.id]);
      return { result: template.id, targetType: 'MessageTemplate', targetId: template.id, before: { name: template.name } };
    });
  },
};

/** A template changed by holders of `contacts` on its own account (or an ancestor); descendants only use it. */
async function ownTemplate(ctx: MessagingContext, id: string): Promise<{ chain: AccountChain; template: TemplateRow }> {
  const [template] = await queryRows<TemplateRow>(ctx.dataSource, `SELECT ${COLUMNS} FROM messaging.message_templates WHERE id = $1`, [assertId(id)]);
  if (!template || !(await ctx.access.canView(template.account_id))) throw errors.notFound('Template');
  const chain = await ctx.access.require(template.account_id, 'contacts');
  requireActiveChain(chain);
  return { chain, template };
}
