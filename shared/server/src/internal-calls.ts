import type http from 'node:http';
import type { DataSource } from 'typeorm';
import { AccessControl, PRINCIPAL_HEADER, type PrincipalVerifier } from '@platform/authz';
import type { PlatformConfig } from '@platform/config';
import { errors, findIllFormedStringInJson } from '@platform/errors';
import { answerAndLog, readBody, sendGraphQLError, sendJson, type HttpRoute } from './http';
import type { Logger } from './logger';
import type { SubgraphRequestContext } from './subgraph';

/**
 * A call another service makes to this subgraph outside GraphQL: `POST /internal/<name>` with a JSON
 * object, answered `{ "data": <result> }`, or a refusal `{ "errors": [{ message, extensions: { code, … } }] }`
 * as GraphQL answers an AppError. For the send path's hot call (issue 19: billing's reservation, once
 * per send), where Apollo's pipeline — document cache, operation plugins, execution with shield's
 * middleware, response formatting — cost more CPU than the call's own work. The principal token is
 * verified as for /graphql (same verifier: audience, trusted signers, one use per `jti`), and only a
 * SERVICE principal may call, as the `isService` rule allows internal fields.
 */
export type InternalCall = (call: InternalCallRequest) => Promise<unknown>;

/**
 * What an internal call is given: the request's base context (principal, access, logger, config),
 * not the subgraph's per-request one — a call builds only the service it runs, none of the loaders
 * a GraphQL request may need.
 */
export interface InternalCallRequest {
  context: SubgraphRequestContext;
  dataSource: DataSource;
  /** the request's JSON object */
  body: Record<string, unknown>;
}

/** The path of an internal call. */
export const internalCallPath = (name: string) => `/internal/${name}`;

const MAX_BODY_BYTES = 100_000;

export interface InternalCallOptions {
  principals: PrincipalVerifier;
  dataSource: DataSource;
  config: PlatformConfig;
  logger: Logger;
  onRefusal?(code: string): void;
}

/** The HTTP routes of a subgraph's internal calls, by path. */
export function internalCallRoutes(calls: Record<string, InternalCall>, options: InternalCallOptions): Record<string, HttpRoute> {
  return Object.fromEntries(Object.entries(calls).map(([name, call]) => [internalCallPath(name), internalCallRoute(name, call, options)]));
}

function internalCallRoute(name: string, call: InternalCall, options: InternalCallOptions): HttpRoute {
  const { principals, dataSource, config, logger } = options;
  const answer = async (request: http.IncomingMessage, response: http.ServerResponse, requestId: string): Promise<void> => {
    if (request.method !== 'POST') return sendGraphQLError(response, 'BAD_REQUEST', 'Internal calls are POST requests', 405, { allow: 'POST' });
    // The caller is known before its body is read, as /graphql refuses a request without a valid token before anything else.
    const principal = await principals.verify(request.headers[PRINCIPAL_HEADER] as string | undefined);
    if (principal.kind !== 'SERVICE') throw errors.forbidden('Internal operation');
    const raw = await readBody(request, MAX_BODY_BYTES);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return sendGraphQLError(response, 'BAD_REQUEST', 'Body is not valid JSON');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return sendGraphQLError(response, 'BAD_REQUEST', 'The body of an internal call is a JSON object');
    const illFormed = findIllFormedStringInJson(raw, body);
    if (illFormed !== null) throw errors.badInput('Strings must be well-formed Unicode (this one holds a lone UTF-16 surrogate)', illFormed);
    const access = new AccessControl(principal, dataSource);
    // An internal call changes things, as the mutations it stands beside: decided as a mutation is.
    access.changing = true;
    const context: SubgraphRequestContext = { principal, access, requestId: principal.requestId ?? requestId, logger, config };
    sendJson(response, 200, { data: await call({ context, dataSource, body: body as Record<string, unknown> }) });
  };

  return (request, response) =>
    answerAndLog(request, response, { logger, maxBodyBytes: MAX_BODY_BYTES, onRefusal: options.onRefusal, operationName: () => name }, (requestId) => answer(request, response, requestId));
}
