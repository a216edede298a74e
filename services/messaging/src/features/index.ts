import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { allow, isAuthenticated } from '@platform/authz';
import type { PlatformConfig } from '@platform/config';
import type { Logger } from '@platform/server';
import type { MessagingContext } from '../context';
import type { MessageRow } from '../services/messages';
import { AutomationService, type RuleInput, type RuleRow } from './automation';
import { EmailToSmsService, inboundEmailRoute, INBOUND_EMAIL_PATH, type SenderRow } from './email-to-sms';
import { batchClicks, shortLinkRoute, SHORT_LINK_PATH_PREFIX, SHORT_LINK_ROUTE, type LinkRow } from './short-links';
import { parsePlaceholders, TemplateService, type TemplateRow } from './templates';

export { INBOUND_EMAIL_PATH, SECRET_HEADER as EMAIL_TO_SMS_SECRET_HEADER } from './email-to-sms';

/**
 * Issue 5 features of the messaging subgraph (features.graphql): templates (SPEC M6), trackable
 * short links (M8), email to SMS (M9), automation rules (M11). The send path calls compose.ts;
 * the inbound path calls automation.ts; the rest is wired here.
 */
export interface FeaturesContext {
  features: { linksByMessageId: DataLoader<string, LinkRow[]> };
}

/** The HTTP routes besides /graphql: `GET /l/<code>` (short links) and `POST /inbound/email`. */
export function featureRoutes(dataSource: DataSource, config: PlatformConfig, logger: Logger) {
  return { [SHORT_LINK_ROUTE]: shortLinkRoute(dataSource, logger), [INBOUND_EMAIL_PATH]: inboundEmailRoute(dataSource, config, logger) };
}

type Ctx = MessagingContext & FeaturesContext;
const iso = (value: Date | null | undefined) => (value ? new Date(value).toISOString() : null);

export const featureResolvers = {
  Query: {
    messageTemplates: (_: unknown, args: { accountId: string }, ctx: Ctx) => TemplateService.list(ctx, args.accountId),
    batchClicks: (_: unknown, args: { batchId: string }, ctx: Ctx) => batchClicks(ctx, args.batchId),
    emailToSms: (_: unknown, args: { accountId: string }, ctx: Ctx) => EmailToSmsService.config(ctx, args.accountId),
    automationRules: (_: unknown, args: { accountId: string }, ctx: Ctx) => AutomationService.list(ctx, args.accountId),
  },
  Mutation: {
    createMessageTemplate: (_: unknown, args: { accountId: string; input: { name: string; body: string; sharedDown?: boolean | null } }, ctx: Ctx) =>
      TemplateService.create(ctx, args.accountId, args.input),
    updateMessageTemplate: (_: unknown, args: { id: string; input: { name?: string | null; body?: string | null; sharedDown?: boolean | null } }, ctx: Ctx) =>
      TemplateService.update(ctx, args.id, args.input),
    deleteMessageTemplate: (_: unknown, args: { id: string }, ctx: Ctx) => TemplateService.remove(ctx, args.id),
    registerEmailToSmsSender: (_: unknown, args: { accountId: string; email: string }, ctx: Ctx) => EmailToSmsService.registerSender(ctx, args.accountId, args.email),
    removeEmailToSmsSender: (_: unknown, args: { id: string }, ctx: Ctx) => EmailToSmsService.removeSender(ctx, args.id),
    rotateEmailToSmsSecret: (_: unknown, args: { accountId: string }, ctx: Ctx) => EmailToSmsService.rotateSecret(ctx, args.accountId),
    createAutomationRule: (_: unknown, args: { accountId: string; input: RuleInput }, ctx: Ctx) => AutomationService.create(ctx, args.accountId, args.input),
    updateAutomationRule: (_: unknown, args: { id: string; input: RuleInput }, ctx: Ctx) => AutomationService.update(ctx, args.id, args.input),
    deleteAutomationRule: (_: unknown, args: { id: string }, ctx: Ctx) => AutomationService.remove(ctx, args.id),
  },
  MessageTemplate: {
    accountId: async (t: TemplateRow, _: unknown, ctx: Ctx) => ((await ctx.access.canView(t.account_id)) ? t.account_id : null),
    inherited: (t: TemplateRow & { inherited?: boolean }) => t.inherited ?? false,
    sharedDown: (t: TemplateRow) => t.shared_down,
    placeholders: (t: TemplateRow) => parsePlaceholders(t.body).map((p) => p.name),
    createdAt: (t: TemplateRow) => iso(t.created_at),
    updatedAt: (t: TemplateRow) => iso(t.updated_at),
  },
  Message: {
    clicks: async (m: MessageRow, _: unknown, ctx: Ctx) => (await ctx.features.linksByMessageId.load(m.id)).reduce((sum, l) => sum + l.clicks, 0),
    trackedLinks: (m: MessageRow, _: unknown, ctx: Ctx) => ctx.features.linksByMessageId.load(m.id),
  },
  TrackedLink: {
    shortUrl: (l: LinkRow, _: unknown, ctx: Ctx) => `${ctx.config.messaging.shortLinkBaseUrl}${SHORT_LINK_PATH_PREFIX}${l.code}`,
    url: (l: LinkRow) => l.target_url,
    firstClickedAt: (l: LinkRow) => iso(l.first_clicked_at),
    lastClickedAt: (l: LinkRow) => iso(l.last_clicked_at),
    expiresAt: (l: LinkRow) => iso(l.expires_at),
  },
  EmailToSmsSender: {
    accountId: (s: SenderRow) => s.account_id,
    createdAt: (s: SenderRow) => iso(s.created_at),
  },
  AutomationRule: {
    accountId: (r: RuleRow) => r.account_id,
    replyBody: (r: RuleRow) => r.reply_body,
    forwardEmail: (r: RuleRow) => r.forward_email,
    createdAt: (r: RuleRow) => iso(r.created_at),
    updatedAt: (r: RuleRow) => iso(r.updated_at),
    firings: (r: RuleRow, args: { first: number }, ctx: Ctx) => AutomationService.firings(ctx, r, args.first),
  },
  AutomationFiring: {
    inboundMessageId: (f: { inbound_message_id: string }) => f.inbound_message_id,
    errorCode: (f: { error_code: string | null }) => f.error_code,
    messageId: (f: { message_id: string | null }) => f.message_id,
    firedAt: (f: { fired_at: Date }) => iso(f.fired_at),
  },
};

/** Root fields need a credential; the services require the permission on the target's account (NOT_FOUND when invisible). */
export const featurePermissions = {
  Query: Object.fromEntries(Object.keys(featureResolvers.Query).map((name) => [name, isAuthenticated])),
  Mutation: Object.fromEntries(Object.keys(featureResolvers.Mutation).map((name) => [name, isAuthenticated])),
  MessageTemplate: allow,
  TrackedLink: allow,
  BatchClicks: allow,
  EmailToSmsSender: allow,
  EmailToSmsRejection: allow,
  EmailToSmsConfig: allow,
  EmailToSmsSecret: allow,
  AutomationRule: allow,
  AutomationFiring: allow,
};
