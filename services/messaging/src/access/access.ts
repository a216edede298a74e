import type { AuditScope } from '@platform/audit';
import type { AccountChain, MembershipLimits } from '@platform/authz';
import { AppError, errors } from '@platform/errors';
import type { EventType } from '@platform/events';
import type { MessagingContext } from '../context';
import { SCHEMA } from '../data-source';
import { maskPhoneNumber } from '../phone/phone';

/** An account that can be seen may still refuse changes: sending and writes need an ACTIVE chain (SPEC H6). */
export function requireActiveChain(chain: AccountChain): void {
  if (chain.chainStatus === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'The account or an ancestor is closed');
  if (chain.chainStatus === 'SUSPENDED') throw new AppError('ACCOUNT_SUSPENDED', 'The account or an ancestor is suspended');
}

/** The audit scope of a change to `chain`'s account by the request's principal (for `mutate` of @platform/audit). */
export function auditScope(ctx: MessagingContext, chain: AccountChain): AuditScope {
  return { dataSource: ctx.dataSource, schema: SCHEMA, principal: ctx.principal, chain };
}

/**
 * What the caller may see of an account's phone numbers (SPEC I6). With contact access SELECTED and
 * at least one RESTRICTED group, every number of the account is masked except those of contacts in
 * the caller's FULL groups; contact writes need the `contacts` permission and ALL access or a FULL group.
 */
export interface NumberPolicy {
  limits: MembershipLimits;
  /** numbers of messages, conversations and skipped recipients */
  revealsNumbers: boolean;
  canManageContacts: boolean;
  /** null = every group */
  selectedGroupIds: Set<string> | null;
  fullGroupIds: Set<string> | null;
  show(number: string): string;
  /** `show` for free text (a stored reason, an email address): every run of 5+ digits masked like a number. */
  showDigitsIn(text: string): string;
  showContact(number: string, groupIds: string[]): string;
  /** A contact outside every selected group does not exist for the caller. */
  canSeeContact(groupIds: string[]): boolean;
  canEditContact(groupIds: string[]): boolean;
  /**
   * Stored contacts a write deduplicates against (H5): null = every contact of the account; with
   * selected groups only those of the caller's FULL groups, so that a number kept elsewhere in the
   * account becomes a separate contact and the caller learns nothing of the other one (I6).
   */
  dedupeGroupIds: string[] | null;
}

type AccessContext = Pick<MessagingContext, 'access'>;
const policyCache = new WeakMap<AccessContext, Map<string, Promise<NumberPolicy>>>();

export function numberPolicy(ctx: AccessContext, accountId: string): Promise<NumberPolicy> {
  let cache = policyCache.get(ctx);
  if (!cache) policyCache.set(ctx, (cache = new Map()));
  let policy = cache.get(accountId);
  if (!policy) cache.set(accountId, (policy = buildPolicy(ctx, accountId)));
  return policy;
}

/** Forgets the request's number policies (after the account's chain changed under the request). */
export function forgetNumberPolicies(ctx: MessagingContext): void {
  policyCache.delete(ctx);
}

async function buildPolicy(ctx: AccessContext, accountId: string): Promise<NumberPolicy> {
  const [limits, canManageContacts] = await Promise.all([ctx.access.limitsOn(accountId), ctx.access.can(accountId, 'contacts')]);
  const selected = limits.contactAccess === 'SELECTED';
  const revealsNumbers = !selected || limits.contactGroups.every((g) => g.access === 'FULL');
  const selectedGroupIds = selected ? new Set(limits.contactGroups.map((g) => g.groupId)) : null;
  const fullGroupIds = selected ? new Set(limits.contactGroups.filter((g) => g.access === 'FULL').map((g) => g.groupId)) : null;
  const inFullGroup = (groupIds: string[]) => fullGroupIds === null || groupIds.some((id) => fullGroupIds.has(id));
  return {
    limits,
    revealsNumbers,
    canManageContacts,
    selectedGroupIds,
    fullGroupIds,
    show: (number) => (revealsNumbers ? number : maskPhoneNumber(number)),
    showDigitsIn: (text) => (revealsNumbers ? text : text.replace(/\+?\d{5,}/g, maskPhoneNumber)),
    showContact: (number, groupIds) => (inFullGroup(groupIds) ? number : maskPhoneNumber(number)),
    canSeeContact: (groupIds) => selectedGroupIds === null || groupIds.some((id) => selectedGroupIds.has(id)),
    canEditContact: (groupIds) => canManageContacts && inFullGroup(groupIds),
    dedupeGroupIds: fullGroupIds && [...fullGroupIds],
  };
}

/** The contact write rule (I6): NOT_FOUND outside the caller's selected groups, FORBIDDEN unless a FULL group (or ALL access) and `contacts`. */
export function requireEditableContact(policy: NumberPolicy, groupIds: string[]): void {
  if (!policy.canSeeContact(groupIds)) throw errors.notFound('Contact');
  if (!policy.canEditContact(groupIds)) throw errors.forbidden('Your contact access to this contact is restricted');
}

/**
 * Whose outbound messages the caller reads on an account, wherever messages are listed (`messages`,
 * a conversation's entries): null = everyone's; a user id = only that user's (basic users: neither
 * `reports` nor `inbox` in full, SPEC I2 and M4).
 */
export async function outboundAuthorScope(ctx: MessagingContext, accountId: string): Promise<string | null> {
  const [reports, inbox] = await Promise.all([ctx.access.dataScope(accountId, 'reports'), ctx.access.dataScope(accountId, 'inbox')]);
  if (reports === 'ALL' || inbox === 'ALL') return null;
  if (!ctx.access.userId) throw errors.forbidden('Missing permission "reports" on this account');
  return ctx.access.userId;
}

/** Event types whose data carries phone numbers in full (README, Webhooks: event payloads). */
export const NUMBER_CARRYING_EVENT_TYPES: readonly EventType[] = ['automation.forwarded', 'message.status', 'message.inbound', 'contact.opted_out', 'contact.resubscribed'];

/**
 * Sending phone numbers out of the platform (a FORWARD_EMAIL or FORWARD_WEBHOOK rule, a webhook
 * endpoint of a number-carrying event) is only for callers who see the account's numbers (I6):
 * numbers leave as their configurer sees them, so a caller whose contact access masks them is refused.
 */
export async function requireSeesNumbers(ctx: AccessContext, accountId: string, what: string): Promise<void> {
  if (!(await numberPolicy(ctx, accountId)).revealsNumbers) {
    throw new AppError('CONTACT_ACCESS_RESTRICTED', `Your contact access hides phone numbers on this account, and ${what} would send them out in full`);
  }
}
