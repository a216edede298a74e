import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import type { Histogram } from 'prom-client';
import type { DataSource } from 'typeorm';
import { ANONYMOUS, authenticateBearer, OPERATOR_SESSION_PREFIX, PRINCIPAL_HEADER, SESSION_TOKEN_PREFIX, type Principal, type PrincipalSigner } from '@platform/authz';
import type { SubgraphName } from '@platform/config';
import { AppError } from '@platform/errors';
import type { Logger } from '@platform/server';
import { subgraphFetcher } from './subgraph-fetcher';
import { unavailableAnswer } from './unavailable-answer';

export interface GatewayContext {
  principal: Principal;
}

type JsonObject = Record<string, unknown>;

/** A subgraph's answer other than 2xx: its status and body (its `errors`, when it sent JSON). */
class RefusedBySubgraph extends Error {
  constructor(readonly body: unknown) {
    super('The subgraph refused the request');
  }
}

async function bodyOf(response: FetcherResponse): Promise<unknown> {
  const contentType = response.headers.get('content-type');
  return contentType && (contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json')) ? response.json() : response.text();
}

/** The cache hint of a subgraph's Cache-Control header, as Apollo Server's cache policy takes it. */
function cacheHintOf(header: string | null): { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } {
  const hint: { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } = { maxAge: 0 };
  for (const directive of header?.split(',') ?? []) {
    const [name, value] = directive.trim().toLowerCase().split('=');
    if (name === 'max-age' && /^[0-9]+$/.test(value ?? '')) hint.maxAge = Number(value);
    else if (name === 'private') hint.scope = 'PRIVATE';
    else if (name === 'public') hint.scope = 'PUBLIC';
  }
  return hint;
}

/**
 * A subgraph as the gateway's query plans reach it (Apollo's `GraphQLDataSource`): the operation
 * POSTed as JSON with the authenticated principal in a short-lived token for that subgraph alone
 * (SPEC G2), each fetch timed in `subgraph_fetch_duration_seconds`.
 */
export class SignedSubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    private readonly url: string,
    private readonly subgraph: SubgraphName,
    private readonly signer: PrincipalSigner,
    /** identity's pool: its login and switchAccount answers carry a session the rest of the operation runs as */
    private readonly dataSource?: DataSource,
    private readonly logger?: Logger,
    private readonly fetchDuration?: Histogram<'subgraph' | 'outcome'>,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const startedAt = performance.now();
    let outcome = 'error';
    try {
      const response = await this.send(options);
      outcome = response.errors?.length ? 'error' : 'success';
      return response;
    } catch (error) {
      if ((error as AppError).code !== 'SERVICE_UNAVAILABLE') throw error;
      outcome = 'unavailable';
      return unavailableAnswer(options.request, 'document' in options ? options.document : undefined, error as AppError);
    } finally {
      this.fetchDuration?.observe({ subgraph: this.subgraph, outcome }, (performance.now() - startedAt) / 1000);
    }
  }

  private async send(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    const context = options.context as Partial<GatewayContext>;
    if (!request.query) throw new Error('Missing query');
    const principal = context.principal ?? ANONYMOUS;
    const headers: Record<string, string> = {};
    if (request.http) for (const [name, value] of request.http.headers) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    headers[PRINCIPAL_HEADER] = await this.signer.sign(principal, this.subgraph);
    if (principal.requestId) headers['x-request-id'] = principal.requestId;
    const { query, http: _http, ...rest } = request;

    let response: FetcherResponse | undefined;
    let answer: JsonObject;
    try {
      response = await subgraphFetcher(this.url, { method: 'POST', headers, body: JSON.stringify({ query, ...rest }) });
      if (!response.ok) throw new RefusedBySubgraph(await bodyOf(response));
      const body = await bodyOf(response);
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error(`Expected JSON response body, but received: ${body}`);
      answer = body as JsonObject;
    } catch (error) {
      throw this.failure(error as Error, response);
    }

    // As Apollo's data sources: the answer is cacheable no longer than the subgraph says.
    const policy = 'incomingRequestContext' in options ? options.incomingRequestContext.overallCachePolicy : undefined;
    if (policy && 'restrict' in policy) policy.restrict(cacheHintOf(response.headers.get('cache-control')));
    if (this.dataSource) await this.reauthenticate(answer.data, context);
    return answer as GatewayGraphQLResponse;
  }

  /**
   * A login or switchAccount answers with a new session token; the rest of the same operation
   * (e.g. `login { activeAccount { name } }`) then runs as that session, authenticated afresh.
   */
  private async reauthenticate(data: unknown, context: Partial<GatewayContext>): Promise<void> {
    if (!data || typeof data !== 'object') return;
    for (const value of Object.values(data as Record<string, { token?: unknown } | null>)) {
      const token = value && typeof value === 'object' ? value.token : undefined;
      if (typeof token === 'string' && (token.startsWith(`${SESSION_TOKEN_PREFIX}_`) || token.startsWith(`${OPERATOR_SESSION_PREFIX}_`))) {
        const principal = await authenticateBearer(this.dataSource!, token);
        if (principal) {
          const previous = context.principal;
          context.principal = { ...principal, clientAddress: previous?.clientAddress, requestId: previous?.requestId };
        }
      }
    }
  }

  /**
   * A subgraph that cannot be reached (or answers 5xx) fails the fields it serves with
   * SERVICE_UNAVAILABLE naming it, never with the fetch's own text; the rest of the answer stands.
   * Another HTTP refusal is rethrown as the registered error its body carries.
   */
  private failure(error: Error, response: FetcherResponse | undefined): AppError {
    if (!response || response.status >= 500) {
      this.logger?.warn({ err: error, subgraph: this.subgraph, status: response?.status }, 'subgraph unavailable');
      return new AppError('SERVICE_UNAVAILABLE', `The ${this.subgraph} service is unavailable; retry later`, { service: this.subgraph, retryable: true });
    }
    const body = error instanceof RefusedBySubgraph ? (error.body as { errors?: { message?: string; extensions?: Record<string, unknown> }[] } | null) : undefined;
    return AppError.fromRemote(body?.errors?.[0] ?? { message: 'The subgraph refused the request' });
  }
}
