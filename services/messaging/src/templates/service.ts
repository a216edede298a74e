import type { AccountChain } from '@platform/authz';
import { AppError, assertId, assertName, errors } from '@platform/errors';
import { mutate } from '@platform/audit';
import { pageRequest, toConnection, type PageArguments } from '@platform/db';
import type { MessagingContext } from '../context';
import { auditScope, requireActiveChain } from '../access/access';
import { parsePlaceholders } from './placeholders';
import { deleteTemplate, findTemplate, insertTemplate, templatesOfChain, updateTemplate, type TemplateRow } from './store';
import type { MessageTemplateInput, MessageTemplateUpdate } from '../__generated__/resolvers-types';

/**
 * Message templates (SPEC M6). A template belongs to an account; with `sharedDown` every descendant
 * may use it (and see it in its list, without its owner's id unless the caller sees the owner).
 * Placeholders are `{{name}}` or `{{name|fallback}}` with a contact field name; they are filled per
 * recipient at send time (see sending/compose.ts).
 */
const MAX_BODY = 1600;

function validateBody(body: string): string {
  if (body.trim().length === 0) throw errors.badInput('body must not be empty', 'body');
  if ([...body].length > MAX_BODY) throw errors.badInput(`body must be at most ${MAX_BODY} characters`, 'body');
  parsePlaceholders(body);
  return body;
}

const nameTaken = () => new AppError('ALREADY_EXISTS', 'The account has a template of that name already', { field: 'name' });

export const TemplateService = {
  /** The account's templates and those shared down to it by its ancestors (name order). */
  async list(ctx: MessagingContext, accountId: string, args: PageArguments) {
    const chain = await ctx.access.require(accountId, 'account.view');
    const page = pageRequest(args, { defaultSize: 50, maxSize: 200, keyShape: ['string', 'string'] });
    const rows = await templatesOfChain(ctx.dataSource, chain, page);
    return toConnection(
      rows.map((row) => ({ ...row, inherited: row.accountId !== chain.id })),
      page,
      (row) => [row.name, row.id],
    );
  },

  async create(ctx: MessagingContext, accountId: string, input: MessageTemplateInput): Promise<TemplateRow> {
    const chain = await ctx.access.require(accountId, 'contacts');
    requireActiveChain(chain);
    const name = assertName(input.name);
    const body = validateBody(input.body);
    return mutate(auditScope(ctx, chain), 'createMessageTemplate', async (tx) => {
      const row = await insertTemplate(tx, { accountId: chain.id, name, body, sharedDown: input.sharedDown ?? false, createdBy: ctx.principal.id });
      if (!row) throw nameTaken();
      return { result: row, targetType: 'MessageTemplate', targetId: row.id, after: { name, sharedDown: row.sharedDown } };
    });
  },

  async update(ctx: MessagingContext, id: string, input: MessageTemplateUpdate): Promise<TemplateRow> {
    const { chain, template } = await ownTemplate(ctx, id);
    const name = input.name == null ? template.name : assertName(input.name);
    const body = input.body == null ? template.body : validateBody(input.body);
    return mutate(auditScope(ctx, chain), 'updateMessageTemplate', async (tx) => {
      const row = await updateTemplate(tx, template.id, chain.id, { name, body, sharedDown: input.sharedDown ?? template.sharedDown });
      if (!row) throw nameTaken();
      return {
        result: row,
        targetType: 'MessageTemplate',
        targetId: row.id,
        before: { name: template.name, sharedDown: template.sharedDown, bodyChanged: false },
        after: { name: row.name, sharedDown: row.sharedDown, bodyChanged: row.body !== template.body },
      };
    });
  },

  async remove(ctx: MessagingContext, id: string): Promise<string> {
    const { chain, template } = await ownTemplate(ctx, id);
    return mutate(auditScope(ctx, chain), 'deleteMessageTemplate', async (tx) => {
      await deleteTemplate(tx, template.id);
      return { result: template.id, targetType: 'MessageTemplate', targetId: template.id, before: { name: template.name } };
    });
  },
};

/** A template changed by holders of `contacts` on its own account (or an ancestor); descendants only use it. */
async function ownTemplate(ctx: MessagingContext, id: string): Promise<{ chain: AccountChain; template: TemplateRow }> {
  const template = await findTemplate(ctx.dataSource, assertId(id));
  if (!template || !(await ctx.access.canView(template.accountId))) throw errors.notFound('Template');
  const chain = await ctx.access.require(template.accountId, 'contacts');
  requireActiveChain(chain);
  return { chain, template };
}
