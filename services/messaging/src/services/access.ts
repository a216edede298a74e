import type { EntityManager } from 'typeorm';
import { appendActivity } from '@platform/audit';
import type { AccountChain, MembershipLimits } from '@platform/authz';
import { AppError } from '@platform/errors';
import type { MessagingContext } from '../context';
import { maskPhoneNumber } from '../phone';

/** An account that can be seen may still refuse changes: sending and writes need an ACTIVE chain (SPEC H6). */
export function requireActiveChain(chain: AccountChain): void {
  if (chain.chainStatus === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'The account or an ancestor is closed');
  if (chain.chainStatus === 'SUSPENDED') throw new AppError('ACCOUNT_SUSPENDED', 'The account or an ancestor is suspended');
}

/** Runs a mutation in one transaction and records it in messaging.activity_log before commit (SPEC I9). */
export async function mutate<T>(
  ctx: MessagingContext,
  chain: AccountChain,
  action: string,
  work: (tx: EntityManager) => Promise<{ result: T; targetType?: string; targetId?: string | null; before?: unknown; after?: unknown }>,
): Promise<T> {
  return ctx.dataSource.transaction(async (tx) => {
    const { result, targetType, targetId, before, after } = await work(tx);
    await appendActivity(tx, 'messaging', {
      principal: ctx.principal,
      treeId: chain.rootId,
      targetAccountPath: chain.path,
      action,
      targetType: targetType ?? null,
      targetId: targetId ?? null,
      before: before ?? null,
      after: after ?? null,
    });
    return result;
  });
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
  showContact(number: string, groupIds: string[]): string;
  canEditContact(groupIds: string[]): boolean;
}

const policyCache = new WeakMap<MessagingContext, Map<string, Promise<NumberPolicy>>>();

export function numberPolicy(ctx: MessagingContext, accountId: string): Promise<NumberPolicy> {
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

async function buildPolicy(ctx: MessagingContext, accountId: string): Promise<NumberPolicy> {
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
    showContact: (number, groupIds) => (inFullGroup(groupIds) ? number : maskPhoneNumber(number)),
    canEditContact: (groupIds) => canManageContacts && inFullGroup(groupIds),
  };
}
