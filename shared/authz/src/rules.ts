import { allow, deny, rule, shield } from 'graphql-shield';
import type { IRule, IRules } from 'graphql-shield';
import { AppError, errors } from '@platform/errors';
import type { AccessControl } from './access-control';
import type { OperatorCapability } from './operators';
import type { Permission } from './permissions';

export interface AuthzContext {
  access: AccessControl;
}

type AccountIdSelector = (parent: any, args: any, ctx: any) => string | null | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any

const asError = (error: unknown): Error =>
  error instanceof AppError ? error : error instanceof Error ? error : new Error(String(error));

export const isAuthenticated = rule({ cache: 'contextual' })((_parent, _args, ctx: AuthzContext) =>
  ctx.access.isAuthenticated ? true : errors.unauthenticated(),
);

export const isUser = rule({ cache: 'contextual' })((_parent, _args, ctx: AuthzContext) =>
  ctx.access.principal.kind === 'USER' && ctx.access.principal.id ? true : errors.unauthenticated('A user session is required'),
);

/** Internal fields (@inaccessible in the supergraph) are for other subgraphs only. */
export const isService = rule({ cache: 'contextual' })((_parent, _args, ctx: AuthzContext) =>
  ctx.access.principal.kind === 'SERVICE' ? true : errors.forbidden('Internal operation'),
);

const operatorRules = new Map<OperatorCapability, IRule>();

/** Operator operations (SPEC O1, O3): an operator whose role holds the capability; customers get FORBIDDEN. One rule per capability (shield wants names unique). */
export function isOperatorWith(capability: OperatorCapability): IRule {
  const existing = operatorRules.get(capability);
  if (existing) return existing;
  const created = rule(`operator:${capability}`, { cache: 'contextual' })((_parent, _args, ctx: AuthzContext) => {
    try {
      ctx.access.requireOperator(capability);
      return true;
    } catch (error) {
      return asError(error);
    }
  });
  operatorRules.set(capability, created);
  return created;
}

/**
 * The caller holds `permission` on the account selected from (parent, args). No shield cache:
 * the answer depends on parent/args, and the loaders already deduplicate the SQL.
 */
export function canOnAccount(permission: Permission, selectAccountId: AccountIdSelector) {
  return rule({ cache: 'no_cache' })(async (parent, args, ctx: AuthzContext) => {
    const accountId = selectAccountId(parent, args, ctx);
    if (!accountId) return errors.badInput('An account is required');
    try {
      await ctx.access.require(accountId, permission);
      return true;
    } catch (error) {
      return asError(error);
    }
  });
}

/**
 * A user's own data on an account (SPEC I6 self-service: their credit, limits), or anyone's with
 * `permission` there. The user still has to see the account (an inactive membership does not).
 */
export function isSelfOrCanOnAccount(permission: Permission, selectAccountId: AccountIdSelector, selectUserId: AccountIdSelector) {
  return rule({ cache: 'no_cache' })(async (parent, args, ctx: AuthzContext) => {
    const accountId = selectAccountId(parent, args, ctx);
    if (!accountId) return errors.badInput('An account is required');
    if (ctx.access.userId !== null && ctx.access.userId === selectUserId(parent, args, ctx) && (await ctx.access.canView(accountId))) return true;
    try {
      await ctx.access.require(accountId, permission);
      return true;
    } catch (error) {
      return asError(error);
    }
  });
}

/** Entity fields: the parent is the account itself (a federation reference or a loaded row). */
export const canViewParentAccount = canOnAccount('account.view', (parent) => parent?.id);

/** The rules every subgraph needs for the federation protocol itself. */
export const federationRules = {
  Query: { _service: allow, _entities: allow },
  _Service: allow,
};

/** Builds a subgraph's shield: deny by default, typed errors pass through. */
export function buildShield(rules: IRules) {
  return shield(rules, {
    fallbackRule: deny,
    allowExternalErrors: true,
    fallbackError: () => new AppError('FORBIDDEN', 'Not allowed'),
  });
}

export { allow, deny, rule };
