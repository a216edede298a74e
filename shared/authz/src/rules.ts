import { isObjectType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { applyMiddleware, type IMiddlewareFunction } from 'graphql-middleware';
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

/**
 * Rules whose answer depends on the parent object alone (not on the field or its arguments), with
 * a synchronous test of whether the request already holds a positive decision on that object.
 */
const decidedPerObject = new Map<unknown, (parent: unknown, ctx: AuthzContext) => boolean>();

/**
 * Fields of an account entity: the caller holds `permission` on the account the parent object is
 * (a federation reference or a loaded row). Decided once per object and request: rows that
 * resolvers return from a subtree the caller may see are marked visible where they are loaded
 * (AccessControl.markVisible), entity references are decided in one batch as they are resolved
 * (AccessControl.resolveReference), and `applyShield` answers the fields of such objects without
 * running the rule. Any other object is checked here, once per object for `account.view`.
 */
const parentAccountRules = new Map<Permission, IRule>();

export function canOnParentAccount(permission: Permission): IRule {
  const existing = parentAccountRules.get(permission);
  if (existing) return existing;
  const created = rule(`canOnParentAccount:${permission}`, { cache: 'no_cache' })(async (parent: { id?: string } | null, _args, ctx: AuthzContext) => {
    if (parent && ctx.access.holdsOn(parent, permission)) return true;
    if (!parent?.id) return errors.badInput('An account is required');
    try {
      await (permission === 'account.view' ? ctx.access.requireView(parent as { id: string }) : ctx.access.require(parent.id, permission));
      return true;
    } catch (error) {
      return asError(error);
    }
  });
  decidedPerObject.set(created, (parent, ctx) => parent !== null && typeof parent === 'object' && ctx.access.holdsOn(parent, permission));
  parentAccountRules.set(permission, created);
  return created;
}

/** Entity fields any viewer of the account may read. */
export const canViewParentAccount = canOnParentAccount('account.view');

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

/** A map of rules by name (of types or of fields), not a rule: shield's rules (and logic rules) have a `resolve` method. */
const isRuleMap = (rules: unknown): rules is Record<string, unknown> => rules !== null && typeof rules === 'object' && !('resolve' in rules);

/** The rule shield applies to a field: the field's, else its type's wildcard or type rule, else the fallback (deny); as graphql-shield's generator resolves it. */
function ruleOfField(rules: IRules, typeName: string, fieldName: string): unknown {
  if (!isRuleMap(rules)) return rules;
  const ofType = rules[typeName];
  if (ofType === undefined) return deny;
  if (!isRuleMap(ofType)) return ofType;
  return ofType[fieldName] ?? ofType['*'] ?? deny;
}

type FieldResolve = (parent: unknown, args: unknown, ctx: unknown, info: GraphQLResolveInfo) => unknown;
type FieldMiddleware = (resolve: FieldResolve, parent: unknown, args: unknown, ctx: AuthzContext, info: GraphQLResolveInfo) => unknown;

/**
 * The schema with its shield: graphql-shield generates the middleware of every field (rules,
 * `fallbackRule: deny`, typed errors), graphql-middleware wraps the resolvers. Two cases skip
 * shield's wrapper, which makes every field asynchronous (three promises per field, and 50,000
 * fields for a 10,000-account tree):
 * - a field whose rule is `allow`: the wrapper would only call the resolver (a resolver's error
 *   reaches the answer the same way without it);
 * - a field whose rule is decided per object (canOnParentAccount) once the request holds a
 *   positive decision on its parent object: its resolver is called directly. Until then the rule
 *   runs through shield as any other, and records the decision.
 */
export function applyShield(schema: GraphQLSchema, rules: IRules): GraphQLSchema {
  const generated = buildShield(rules).generate(schema) as Record<string, Record<string, IMiddlewareFunction>>;
  for (const [typeName, fields] of Object.entries(generated)) {
    if (!isObjectType(schema.getType(typeName))) continue;
    for (const [fieldName, middleware] of Object.entries(fields)) {
      const fieldRule = ruleOfField(rules, typeName, fieldName);
      if (fieldRule === allow) {
        delete fields[fieldName];
        continue;
      }
      const decided = decidedPerObject.get(fieldRule);
      if (!decided || typeof middleware !== 'function') continue;
      const viaShield = middleware as FieldMiddleware;
      const direct: FieldMiddleware = (resolve, parent, args, ctx, info) => (decided(parent, ctx) ? resolve(parent, args, ctx, info) : viaShield(resolve, parent, args, ctx, info));
      fields[fieldName] = direct as IMiddlewareFunction;
    }
  }
  return applyMiddleware(schema, generated);
}

export { allow, deny, rule };
