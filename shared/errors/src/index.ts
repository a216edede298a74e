import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * The one registry of error codes. Every refusal the platform gives carries one of these
 * in `extensions.code`; clients may rely on them, so codes are never renamed.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: 'No valid session, API key or internal signature accompanies the request.',
  FORBIDDEN: 'The caller can see the target but its role or permissions do not allow the action.',
  NOT_FOUND: 'The target does not exist or is not visible to the caller.',
  BAD_USER_INPUT: 'An argument is malformed or out of range.',
  MAX_DEPTH_EXCEEDED: 'The account tree would be deeper than level 5.',
  INVALID_MOVE: 'An account cannot be moved there (its own subtree, another tree, or the root).',
  ACCOUNT_HAS_OPEN_CHILDREN: 'The account has open sub-accounts; close them first or cascade.',
  ACCOUNT_CLOSED: 'The account is closed; its data is kept but it accepts no changes.',
  ACCOUNT_SUSPENDED: 'The account or one of its ancestors is suspended.',
  INVALID_STATE: 'The target is not in a state that allows this change.',
  ALREADY_EXISTS: 'The thing to create exists already.',
  PERMISSION_ESCALATION: 'The role, permissions or scope to give exceed what the caller holds on that account.',
  INVALID_TOKEN: 'The invitation token is unknown or malformed.',
  TOKEN_ALREADY_USED: 'The invitation was already accepted or declined; its token is single-use.',
  TOKEN_EXPIRED: 'The invitation has expired; ask for a new one.',
  INVITATION_REVOKED: 'The invitation was revoked by an admin of the account.',
  SSO_NOT_CONFIGURED: 'No account accepts single sign-on from this issuer and client.',
  SSO_TOKEN_INVALID: 'The ID token failed verification (signature, issuer, audience, expiry, nonce or unverified email).',
  SSO_DOMAIN_NOT_ALLOWED: "The email's domain is not allowed by the account's single sign-on configuration.",
  INVALID_MANIFEST: 'The persisted query manifest is malformed (format, ids, or an operation that does not parse).',
  BAD_REQUEST: 'The HTTP request is malformed (not JSON, batched, or not a GraphQL request).',
  OPERATION_RESOLUTION_FAILURE: 'The document has no operation of the given operationName, or several operations and no operationName (HTTP 400).',
  PAYLOAD_TOO_LARGE: 'The request body exceeds the size limit.',
  QUERY_TOO_DEEP: 'The operation nests fields deeper than the gateway allows.',
  TOO_MANY_ALIASES: 'The operation uses more aliases than the gateway allows.',
  TOO_MANY_DIRECTIVES: 'The operation uses more directives than the gateway allows.',
  TOO_MANY_TOKENS: 'The operation text has more tokens than the gateway parses.',
  QUERY_TOO_COSTLY: 'The estimated cost of the operation exceeds the gateway limit.',
  RATE_LIMITED: 'Too many requests from this API key or address; retry after the Retry-After header.',
  PERSISTED_QUERY_REQUIRED: 'Partner apps may only send the id of a registered operation, never a query text.',
  OPERATION_NOT_REGISTERED: 'The operation id is not in an active manifest of the calling partner app.',
  INTERNAL_SERVER_ERROR: 'An unexpected error; it has been logged.',
  GRAPHQL_PARSE_FAILED: 'The operation text is not valid GraphQL (given by Apollo Server).',
  GRAPHQL_VALIDATION_FAILED: 'The operation does not validate against the schema, or introspection is off in production (given by Apollo Server).',
  PERSISTED_QUERY_NOT_FOUND: 'The automatic persisted query hash is unknown; resend it with the query text (given by Apollo Server).',
  INSUFFICIENT_CREDIT: 'A credit limit on the chain (user, sub-account, or the paying balance) does not cover the units; extensions.limit names it.',
  IDEMPOTENCY_KEY_REUSED: 'The idempotency key was already used with other parameters.',
  RESERVATION_EXPIRED: 'The credit reservation expired before it was captured; its units were released.',
  RESERVATION_RELEASED: 'The credit reservation was released (its send was refused or cancelled): it cannot be captured, and its idempotency key reserves nothing again.',
  CHAIN_CHANGED: 'The account moved in its tree while the send was decided, and again on the retry; nothing was written. extensions.retryable is true: send again.',
  CREDIT_NOT_CAPTURED: 'The credit of a send could never be captured (its reservation was released, or billing refused it); its messages were not sent.',
  INVALID_TRANSFER: 'Transfers go only between an account and one of its descendants, each with its own balance or limit.',
  PAYMENT_DECLINED: 'The payment provider declined the charge; nothing was credited.',
  WEBHOOK_URL_NOT_ALLOWED: 'A BAD_USER_INPUT of webhook endpoint URLs: not https (production), loopback without the development flag, or a private, link-local or metadata address; extensions.reason says which.',
  SENDER_NOT_ALLOWED: 'The sender ID is not active, not available to the account, or not in the user\'s allowed sender IDs.',
  OUTSIDE_LIMIT: 'A daily or monthly SMS limit of the account or an ancestor would be exceeded; extensions name the account and period.',
  INVALID_PHONE_NUMBER: 'The phone number is not a valid number for its country.',
  NO_RECIPIENTS: 'The send names no recipient that may receive it.',
  INVALID_VERIFICATION_CODE: 'The verification code of the personal number is wrong or expired.',
  NOT_AVAILABLE_IN_PRODUCTION: 'A development and test facility that production refuses.',
  TEMPLATE_VALUE_MISSING: 'A template placeholder has no value for a recipient (a contact field is empty, or the recipient is a bare number); extensions name the placeholder and the recipient.',
  EMAIL_TO_SMS_DISABLED: 'Email to SMS is off for the account (the emailToSmsEnabled setting).',
  EMAIL_SENDER_NOT_REGISTERED: 'The sender address of the email is not registered for email to SMS on the account.',
  AUTHORITY_REQUIRED: "Only someone with strictly more authority on the account (an admin of an ancestor, or a higher role) may change a user's limits; nobody changes their own.",
  INVITATION_LOGIN_REQUIRED: 'The invitation is for an email that has a login: sign in as that user (or give their password) to accept it.',
  SSO_REQUIRED: "The email's organisation requires single sign-on: password sign-in is refused (start with beginSsoLogin).",
  SSO_STATE_INVALID: 'The single sign-on state is unknown, expired or already used; start again with beginSsoLogin.',
  CONTACT_ACCESS_RESTRICTED: "The caller's contact access hides phone numbers on the account (SPEC I6), and the change would send them out in full (a forwarding automation rule, a webhook of a number-carrying event).",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string = ERROR_CODES[code], details: Record<string, unknown> = {}) {
    super(message, { extensions: { ...details, code } });
    this.code = code;
    this.name = 'AppError';
  }
}

export const errors = {
  unauthenticated: (message = 'Authentication required') => new AppError('UNAUTHENTICATED', message),
  forbidden: (message = 'Not allowed') => new AppError('FORBIDDEN', message),
  notFound: (what = 'Resource') => new AppError('NOT_FOUND', `${what} not found`),
  badInput: (message: string, field?: string) =>
    new AppError('BAD_USER_INPUT', message, field ? { field } : {}),
};

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/** Ids are UUIDs; anything else is refused before it reaches SQL. */
export function assertId(value: string, field = 'id'): string {
  if (!isUuid(value)) throw errors.badInput(`${field} is not a valid id`, field);
  return value.toLowerCase();
}

/**
 * The path of the first string in `value` that is not well-formed UTF-16 (a lone surrogate),
 * or null. Such strings cannot be stored (PostgreSQL text and jsonb refuse them) nor echoed.
 */
export function findIllFormedString(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.isWellFormed() ? null : path;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
    if (typeof key === 'string' && !key.isWellFormed()) return path ? `${path}.<key>` : '<key>';
    const found = findIllFormedString(item, path ? `${path}.${key}` : String(key));
    if (found !== null) return found;
  }
  return null;
}

/** Trims and checks a human-readable name. */
export function assertName(value: string, field = 'name', maxLength = 100): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw errors.badInput(`${field} must not be empty`, field);
  if (trimmed.length > maxLength) throw errors.badInput(`${field} must be at most ${maxLength} characters`, field);
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw errors.badInput(`${field} must not contain control characters`, field);
  return trimmed;
}

/**
 * Shapes every error leaving a server: always an `extensions.code`; in production no stack
 * trace and no message of an unexpected error (those are logged instead).
 */
export function formatError(
  formatted: GraphQLFormattedError,
  original: unknown,
  options: { production: boolean; log?: (error: unknown) => void },
): GraphQLFormattedError {
  const extensions: Record<string, unknown> = { ...(formatted.extensions ?? {}) };
  const cause = (original as { originalError?: unknown })?.originalError ?? original;
  if (cause instanceof AppError) {
    // An AppError's own code wins over a wrapper's (e.g. a validation rule's error inside GRAPHQL_VALIDATION_FAILED).
    extensions.code = cause.code;
  } else if (!extensions.code) {
    extensions.code = 'INTERNAL_SERVER_ERROR';
  }
  if (options.production) {
    delete extensions.stacktrace;
    delete extensions.exception;
  }
  let message = formatted.message;
  if (extensions.code === 'INTERNAL_SERVER_ERROR') {
    options.log?.(cause);
    if (options.production) message = 'Internal server error';
  }
  return { ...formatted, message, extensions };
}
