import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** One registered error: what it means to a client, and its HTTP status where a route answers it outside GraphQL (default 400). */
export interface ErrorDefinition {
  description: string;
  httpStatus?: number;
}

/**
 * The one registry of error codes. Every refusal the platform gives carries one of these
 * in `extensions.code`; clients may rely on them, so codes are never renamed. HTTP routes take
 * their status from here; `ErrorExtensions` types the extensions a code carries.
 */
export const ERRORS = {
  UNAUTHENTICATED: { description: 'No valid session, API key or internal signature accompanies the request.', httpStatus: 401 },
  FORBIDDEN: { description: 'The caller can see the target but its role or permissions do not allow the action.', httpStatus: 403 },
  NOT_FOUND: { description: 'The target does not exist or is not visible to the caller.' },
  BAD_USER_INPUT: { description: 'An argument is malformed or out of range.' },
  MAX_DEPTH_EXCEEDED: { description: 'The account tree would be deeper than level 5.' },
  INVALID_MOVE: { description: 'An account cannot be moved there (its own subtree, another tree, or the root).' },
  ACCOUNT_HAS_OPEN_CHILDREN: { description: 'The account has open sub-accounts; close them first or cascade.' },
  ACCOUNT_CLOSED: { description: 'The account is closed; its data is kept but it accepts no changes.', httpStatus: 403 },
  ACCOUNT_SUSPENDED: { description: 'The account or one of its ancestors is suspended.', httpStatus: 403 },
  INVALID_STATE: { description: 'The target is not in a state that allows this change.' },
  ALREADY_EXISTS: { description: 'The thing to create exists already.' },
  PERMISSION_ESCALATION: { description: 'The role, permissions or scope to give exceed what the caller holds on that account.' },
  INVALID_TOKEN: { description: 'The invitation token is unknown or malformed.' },
  TOKEN_ALREADY_USED: { description: 'The invitation was already accepted or declined; its token is single-use.' },
  TOKEN_EXPIRED: { description: 'The invitation has expired; ask for a new one.' },
  INVITATION_REVOKED: { description: 'The invitation was revoked by an admin of the account.' },
  SSO_NOT_CONFIGURED: { description: 'No account accepts single sign-on from this issuer and client.' },
  SSO_TOKEN_INVALID: { description: 'The ID token failed verification (signature, issuer, audience, expiry, nonce or unverified email).' },
  SSO_DOMAIN_NOT_ALLOWED: { description: "The email's domain is not allowed by the account's single sign-on configuration." },
  INVALID_MANIFEST: { description: 'The persisted query manifest is malformed (format, ids, or an operation that does not parse).' },
  BAD_REQUEST: { description: 'The HTTP request is malformed (not JSON, batched, or not a GraphQL request).', httpStatus: 400 },
  OPERATION_RESOLUTION_FAILURE: { description: 'The document has no operation of the given operationName, or several operations and no operationName (HTTP 400).', httpStatus: 400 },
  PAYLOAD_TOO_LARGE: { description: 'The request body exceeds the size limit.', httpStatus: 413 },
  QUERY_TOO_DEEP: { description: 'The operation nests fields deeper than the gateway allows.' },
  TOO_MANY_ALIASES: { description: 'The operation uses more aliases than the gateway allows.' },
  TOO_MANY_DIRECTIVES: { description: 'The operation uses more directives than the gateway allows.' },
  TOO_MANY_TOKENS: { description: 'The operation text has more tokens than the gateway parses.' },
  QUERY_TOO_COSTLY: { description: 'The estimated cost of the operation exceeds the gateway limit.' },
  RATE_LIMITED: { description: 'Too many requests from this API key or address; retry after the Retry-After header.', httpStatus: 429 },
  PERSISTED_QUERY_REQUIRED: { description: 'Partner apps may only send the id of a registered operation, never a query text.' },
  OPERATION_NOT_REGISTERED: { description: 'The operation id is not in an active manifest of the calling partner app.' },
  INTERNAL_SERVER_ERROR: { description: 'An unexpected error; it has been logged.', httpStatus: 500 },
  SERVICE_UNAVAILABLE: { description: 'A part of the platform the answer needs is unreachable; retry later (extensions.retryable is true).', httpStatus: 503 },
  GRAPHQL_PARSE_FAILED: { description: 'The operation text is not valid GraphQL (given by Apollo Server).' },
  GRAPHQL_VALIDATION_FAILED: { description: 'The operation does not validate against the schema, or introspection is off in production (given by Apollo Server).' },
  PERSISTED_QUERY_NOT_FOUND: { description: 'The automatic persisted query hash is unknown; resend it with the query text (given by Apollo Server).' },
  INSUFFICIENT_CREDIT: { description: 'A credit limit on the chain (user, sub-account, or the paying balance) does not cover the units; extensions.limit names it.', httpStatus: 402 },
  IDEMPOTENCY_KEY_REUSED: { description: 'The idempotency key was already used with other parameters.', httpStatus: 409 },
  RESERVATION_EXPIRED: { description: 'The credit reservation expired before it was captured; its units were released.' },
  RESERVATION_RELEASED: { description: 'The credit reservation was released (its send was refused or cancelled): it cannot be captured, and its idempotency key reserves nothing again.' },
  CHAIN_CHANGED: { description: 'The account moved in its tree while the send was decided, and again on the retry; nothing was written. extensions.retryable is true: send again.' },
  CREDIT_NOT_CAPTURED: { description: 'The credit of a send could never be captured (its reservation was released, or billing refused it); its messages were not sent.' },
  INVALID_TRANSFER: { description: 'Transfers go only between an account and one of its descendants, each with its own balance or limit.' },
  PAYMENT_DECLINED: { description: 'The payment provider declined the charge; nothing was credited.' },
  WEBHOOK_URL_NOT_ALLOWED: { description: 'A BAD_USER_INPUT of webhook endpoint URLs: not https (production), loopback without the development flag, or a private, link-local or metadata address; extensions.reason says which.' },
  DEFAULT_SENDER_UNAVAILABLE: { description: "The account's default sender ID (setting defaultSenderId) is no longer active or available to it: name a senderId or change the setting.", httpStatus: 409 },
  DEFAULT_TEMPLATE_UNAVAILABLE: { description: "The account's default template (setting defaultTemplateId) is no longer available to it: give a body or a templateId, or change the setting.", httpStatus: 409 },
  SENDER_NOT_ALLOWED: { description: 'The sender ID is not active, not available to the account, or not in the user\'s allowed sender IDs.', httpStatus: 403 },
  OUTSIDE_LIMIT: { description: 'A daily or monthly SMS limit of the account or an ancestor would be exceeded; extensions name the account and period.', httpStatus: 429 },
  INVALID_PHONE_NUMBER: { description: 'The phone number is not a valid number for its country.' },
  NO_RECIPIENTS: { description: 'The send names no recipient that may receive it.' },
  INVALID_VERIFICATION_CODE: { description: 'The verification code of the personal number is wrong or expired.' },
  NOT_AVAILABLE_IN_PRODUCTION: { description: 'A development and test facility that production refuses.' },
  TEMPLATE_VALUE_MISSING: { description: 'A template placeholder has no value for a recipient (a contact field is empty, or the recipient is a bare number); extensions name the placeholder and the recipient.' },
  EMAIL_TO_SMS_DISABLED: { description: 'Email to SMS is off for the account (the emailToSmsEnabled setting).', httpStatus: 403 },
  EMAIL_SENDER_NOT_REGISTERED: { description: 'The sender address of the email is not registered for email to SMS on the account.', httpStatus: 403 },
  AUTHORITY_REQUIRED: { description: "Only someone with strictly more authority on the account (an admin of an ancestor, or a higher role) may change a user's limits; nobody changes their own." },
  INVITATION_LOGIN_REQUIRED: { description: 'The invitation is for an email that has a login: sign in as that user (or give their password) to accept it.' },
  SSO_REQUIRED: { description: "The email's organisation requires single sign-on: password sign-in is refused (start with beginSsoLogin)." },
  SSO_STATE_INVALID: { description: 'The single sign-on state is unknown, expired or already used; start again with beginSsoLogin.' },
  CONTACT_ACCESS_RESTRICTED: { description: "The caller's contact access hides phone numbers on the account (SPEC I6), and the change would send them out in full (a forwarding automation rule, a webhook of a number-carrying event)." },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERRORS;

/** Extensions a client may read besides `code`, per code that has any. */
/** One invalid field of an input, among all those reported at once. */
export interface InvalidField {
  field: string;
  code: string;
  message: string;
}

export interface ErrorExtensions {
  /** `fields`: every invalid field of one input, when several are checked together; `field` is the first */
  BAD_USER_INPUT: { field?: string; fields?: InvalidField[] };
  INSUFFICIENT_CREDIT: { limit?: string; accountId?: string; userId?: string; requested?: number; available?: number };
  OUTSIDE_LIMIT: { accountId?: string; period?: string; limit?: number; used?: number };
  CHAIN_CHANGED: { retryable: true };
  SERVICE_UNAVAILABLE: { retryable: true; service?: string };
  RATE_LIMITED: { retryAfterSeconds?: number };
  WEBHOOK_URL_NOT_ALLOWED: { reason?: string; field?: string };
}

/** What each documented extension means, for the published catalogue (the compiler keeps it whole). */
const EXTENSION_DOCS: { [C in keyof ErrorExtensions]-?: { [K in keyof ErrorExtensions[C]]-?: string } } = {
  BAD_USER_INPUT: {
    field: 'The argument or input field at fault (e.g. "first", "input.email"); with several, the first of fields.',
    fields: 'Every invalid field of one input at once: [{ field, code, message }].',
  },
  INSUFFICIENT_CREDIT: {
    limit: 'Which limit binds: USER_LIMIT, ACCOUNT_LIMIT or BALANCE.',
    accountId: 'The account whose limit or balance binds, when the caller may see it.',
    userId: 'The user whose limit binds (USER_LIMIT).',
    requested: 'Units the operation needed.',
    available: 'Units still available under the binding limit.',
  },
  OUTSIDE_LIMIT: {
    accountId: 'The account whose SMS limit binds, when the caller may see it.',
    period: 'DAY or MONTH.',
    limit: 'The SMS limit of that period.',
    used: 'Messages already counted in that period.',
  },
  CHAIN_CHANGED: { retryable: 'Always true: retry the same request.' },
  SERVICE_UNAVAILABLE: { retryable: 'Always true: retry later.', service: 'The subgraph that did not answer (e.g. "billing").' },
  RATE_LIMITED: { retryAfterSeconds: 'Seconds to wait before trying again.' },
  WEBHOOK_URL_NOT_ALLOWED: { reason: 'Why the URL is refused (https required, private address, ...).', field: 'The input field holding the URL.' },
};

export type ExtensionsOf<C extends ErrorCode> = (C extends keyof ErrorExtensions ? ErrorExtensions[C] : Record<never, never>) & Record<string, unknown>;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERRORS, value);
}

/** The HTTP status of a refusal answered outside GraphQL (400 unless the registry says otherwise). */
export function httpStatusOf(code: string): number {
  const definition: ErrorDefinition | undefined = isErrorCode(code) ? ERRORS[code] : undefined;
  return definition?.httpStatus ?? 400;
}

export class AppError<C extends ErrorCode = ErrorCode> extends GraphQLError {
  readonly code: C;
  constructor(code: C, message: string = ERRORS[code].description, details: Partial<ExtensionsOf<C>> = {}) {
    super(message, { extensions: { ...details, code } });
    this.code = code;
    this.name = 'AppError';
  }

  /**
   * The registered error another subgraph answered (e.g. billing to messaging's billing client),
   * rethrown as itself; an unregistered or missing code becomes INTERNAL_SERVER_ERROR.
   */
  static fromRemote(error: { message?: string; extensions?: Record<string, unknown> }): AppError {
    const { code, ...extensions } = error.extensions ?? {};
    if (!isErrorCode(code)) return new AppError('INTERNAL_SERVER_ERROR', error.message ?? 'Unexpected answer');
    return new AppError(code, error.message ?? ERRORS[code].description, extensions);
  }
}

export const errors = {
  unauthenticated: (message = 'Authentication required') => new AppError('UNAUTHENTICATED', message),
  forbidden: (message = 'Not allowed') => new AppError('FORBIDDEN', message),
  notFound: (what = 'Resource') => new AppError('NOT_FOUND', `${what} not found`),
  badInput: (message: string, field?: string) =>
    new AppError('BAD_USER_INPUT', message, field ? { field } : {}),
  /** Every invalid field of one input at once (never empty). */
  invalidFields: (fields: InvalidField[]) =>
    new AppError('BAD_USER_INPUT', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { field: fields[0].field, fields }),
};

/** The invalid fields a BAD_USER_INPUT names (its list, or its one field); null for any other error. */
export function invalidFieldsOf(error: unknown): InvalidField[] | null {
  if (!(error instanceof AppError) || error.code !== 'BAD_USER_INPUT') return null;
  const extensions = error.extensions as ErrorExtensions['BAD_USER_INPUT'];
  return extensions.fields ?? [{ field: extensions.field ?? 'input', code: 'BAD_USER_INPUT', message: error.message }];
}

/**
 * Runs every check of one input and reports all their BAD_USER_INPUT refusals at once (extensions.fields);
 * any other error passes through. Returns the checks' results in order.
 */
export function checkAll<const T extends readonly (() => unknown)[]>(checks: T): { -readonly [K in keyof T]: T[K] extends () => infer R ? R : never } {
  const invalid: InvalidField[] = [];
  const results = checks.map((check) => {
    try {
      return check();
    } catch (error) {
      const fields = invalidFieldsOf(error);
      if (!fields) throw error;
      invalid.push(...fields);
      return undefined;
    }
  });
  if (invalid.length) throw errors.invalidFields(invalid);
  return results as { -readonly [K in keyof T]: T[K] extends () => infer R ? R : never };
}

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
  const trail: (string | number)[] = [];
  if (!holdsIllFormedString(value, trail)) return null;
  const found = trail.reverse().join('.');
  return path ? (found ? `${path}.${found}` : path) : found;
}

/** Walks without building paths; on a hit, `trail` receives the path from the hit back up to the root. */
function holdsIllFormedString(value: unknown, trail: (string | number)[]): boolean {
  if (typeof value === 'string') return !value.isWellFormed();
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      if (holdsIllFormedString(value[index], trail)) {
        trail.push(index);
        return true;
      }
    }
    return false;
  }
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (!key.isWellFormed() || holdsIllFormedString(item, trail)) {
      trail.push(key.isWellFormed() ? key : '<key>');
      return true;
    }
  }
  return false;
}

// Decoded UTF-8 holds no lone surrogate (Buffer#toString replaces them), so one can reach a parsed
// JSON value only through an escape from \uD800 to \uDFFF.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** findIllFormedString of `parsed`, the JSON.parse of `text`, skipping the walk when the text cannot produce a surrogate. */
export function findIllFormedStringInJson(text: string, parsed: unknown): string | null {
  if (text.isWellFormed() && !SURROGATE_ESCAPE.test(text)) return null;
  return findIllFormedString(parsed);
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

/** The published error catalogue (`schema/error-codes.json`): every code clients may meet, for translations and handling. */
export function errorCatalogue(): string {
  const documented: Record<string, Record<string, string>> = EXTENSION_DOCS;
  const entries = Object.entries(ERRORS as Record<string, ErrorDefinition>).map(([code, definition]) => [
    code,
    { description: definition.description, httpStatus: definition.httpStatus ?? 400, ...(documented[code] ? { extensions: documented[code] } : {}) },
  ]);
  return `${JSON.stringify({ $comment: 'Generated by npm run errors:catalogue from shared/errors; do not edit.', codes: Object.fromEntries(entries) }, null, 2)}\n`;
}
