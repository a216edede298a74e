import { scopeIn } from '@platform/authz';
import { errors, isUuid } from '@platform/errors';
import { requestedFields, type EntityBatchResolver } from '@platform/server';
import type { Resolvers } from '../__generated__/resolvers-types';
import { numberPolicy } from '../access/access';
import type { MessagingContext } from '../context';
import { MAX_BODY } from './compose';
import { countSmsParts } from './sms-encoding';
import { MessageService, send } from './service';
import { allAndOwnMessageCounts, type AccountReference } from './store';

/**
 * Every Account reference of an `_entities` call at once: visibility decided in one batch, and
 * messageCount (when asked) returned with the references, so that graphql-js completes them without a
 * promise per entity. The counts (all and the caller's own, per account) are read while the
 * references are decided, then each visible account takes the one of its scope; the counts of the
 * others are dropped. A reference the caller may not see is returned bare: its fields' rules refuse
 * it, as for any other object.
 */
export const accountEntities: EntityBatchResolver<MessagingContext> = async (representations, ctx, info) => {
  const accounts: AccountReference[] = representations.map((representation) => ({ __typename: 'Account', id: representation.id as string }));
  const countable: number[] = [];
  if (requestedFields(info, 'Account').has('messageCount') && ctx.access.isAuthenticated && !ctx.access.changing) accounts.forEach((account, i) => isUuid(account.id) && countable.push(i));
  const [{ permissions }, counts] = await Promise.all([
    ctx.access.resolveReferences(accounts),
    countable.length ? allAndOwnMessageCounts(ctx.dataSource, countable.map((i) => accounts[i].id), ctx.access.userId) : null,
  ]);
  if (counts) {
    countable.forEach((index, k) => {
      if (!permissions[index].has('account.view')) return;
      const scope = scopeIn(permissions[index], 'reports');
      if (scope === 'NONE') accounts[index].messageCount = errors.forbidden('Missing permission "reports" on this account');
      else accounts[index].messageCount = scope === 'ALL' ? counts.all[k] : counts.own[k];
    });
  }
  return accounts;
};

export const resolvers: Resolvers = {
  Query: {
    messages: (_, args, ctx) => MessageService.list(ctx, args),
    smsParts: (_, { body }) => {
      if ([...body].length > MAX_BODY) throw errors.badInput(`body must be at most ${MAX_BODY} characters`, 'body');
      const counted = countSmsParts(body);
      return { ...counted, costUnits: counted.parts };
    },
  },
  Mutation: {
    sendMessage: (_, args, ctx) => {
      const { to, contactId, ...rest } = args.input;
      return send(ctx, { ...rest, to: to ? [to] : [], contactIds: contactId ? [contactId] : [] }, 'sendMessage');
    },
    sendBulk: (_, args, ctx) => send(ctx, args.input, 'sendBulk'),
    cancelMessage: (_, args, ctx) => MessageService.cancel(ctx, args.id),
  },
  Account: {
    messageCount: (account, _, ctx) => {
      if (account.messageCount instanceof Error) throw account.messageCount;
      return account.messageCount ?? ctx.loaders.messageCountByAccountId.load(account.id);
    },
  },
  MessageConnection: {
    totalCount: (connection) => connection.count(),
  },
  Message: {
    sender: async (m, _, ctx) => (m.senderValue.startsWith('+') ? (await numberPolicy(ctx, m.accountId)).show(m.senderValue) : m.senderValue),
    recipient: async (m, _, ctx) => (await numberPolicy(ctx, m.accountId)).show(m.recipient),
    sentBy: (m) => (m.userId ? { id: m.userId } : null),
    apiKey: async (m, _, ctx) => {
      const apiKeyId = m.batchId ? await ctx.loaders.apiKeyIdByBatchId.load(m.batchId) : null;
      return apiKeyId ? { id: apiKeyId } : null;
    },
  },
};
