import crypto from 'node:crypto';
import type http from 'node:http';
import type { DataSource } from 'typeorm';
import type { PlatformConfig } from '@platform/config';
import { AccessControl, type AccountChain, type Principal, type PrincipalKind } from '@platform/authz';
import { AppError, errors } from '@platform/errors';
import { sendGraphQLError, type Logger } from '@platform/server';
import { reportScope } from './report-scope';
import { buildUsageSql, validateUsageArgs, type UsageGroupBy, type UsageQuery } from './usage-query';

export const USAGE_EXPORT_PATH = '/exports/usage.csv';
/** An export link is a bearer credential: it lives long enough to start the download, no longer. */
export const USAGE_EXPORT_TTL_SECONDS = 300;
const FETCH_SIZE = 1000;

export interface UsageExportRequest {
  accountId: string;
  from: string;
  to: string;
  groupBy: UsageGroupBy[];
  includeDescendants: boolean;
}

interface ExportTokenPayload extends UsageExportRequest {
  principal: { kind: PrincipalKind; id: string | null; actingAccountId: string | null; sessionId: string | null };
  exp: number;
}

// A key of its own, derived from the internal secret, so an export token is never a principal header.
const tokenKey = (secret: string) => crypto.createHmac('sha256', secret).update('usage-export-token/v1').digest();
const mac = (secret: string, body: string) => crypto.createHmac('sha256', tokenKey(secret)).update(body).digest('base64url');

export function signExportToken(request: UsageExportRequest, principal: Principal, secret: string, nowMs = Date.now()): { token: string; expiresAt: Date } {
  const exp = Math.floor(nowMs / 1000) + USAGE_EXPORT_TTL_SECONDS;
  const payload: ExportTokenPayload = {
    ...request,
    principal: { kind: principal.kind, id: principal.id, actingAccountId: principal.actingAccountId, sessionId: principal.sessionId },
    exp,
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return { token: `${body}.${mac(secret, body)}`, expiresAt: new Date(exp * 1000) };
}

export function verifyExportToken(token: string | null, secret: string, nowMs = Date.now()): ExportTokenPayload {
  const [body, signature, extra] = (token ?? '').split('.');
  if (!body || !signature || extra !== undefined) throw errors.unauthenticated('Missing or malformed export token');
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) throw errors.unauthenticated('Invalid export token');
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ExportTokenPayload;
  if (payload.exp * 1000 < nowMs) throw errors.unauthenticated('The export link has expired; create a new one');
  return payload;
}

/**
 * Permission and scope of an export, checked when the link is made and again when it is used
 * (a permission revoked in between stops the download).
 */
export async function authorizeExport(access: AccessControl, request: UsageExportRequest): Promise<UsageQuery> {
  const chain = await access.require(request.accountId, 'reports-export');
  const { ownUserId } = await reportScope(access, chain.id);
  const { from, to, groupBy } = validateUsageArgs(request);
  return { from, to, groupBy, includeDescendants: request.includeDescendants, ownUserId };
}

const CSV_KEY_COLUMNS: Record<UsageGroupBy, { header: string; column: 'child_id' | 'day' | 'month' | 'user_id' | 'sender_id' }> = {
  CHILD_ACCOUNT: { header: 'child_account_id', column: 'child_id' },
  DAY: { header: 'day', column: 'day' },
  MONTH: { header: 'month', column: 'month' },
  USER: { header: 'user_id', column: 'user_id' },
  SENDER_ID: { header: 'sender_id', column: 'sender_id' },
};
const MEASURE_COLUMNS = ['messages', 'parts', 'delivered', 'failed', 'cost_units'] as const;

function drainedOrClosed(response: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

/**
 * GET /exports/usage.csv?token=… (proxied by the gateway): the report as CSV, every row, streamed
 * from a server-side cursor FETCH_SIZE rows at a time with back-pressure. The cells are ids,
 * dates and integers only (never a phone number), so none needs CSV quoting.
 */
export function usageExportRoute(dataSource: DataSource, config: PlatformConfig, logger: Logger) {
  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    if (request.method !== 'GET') return sendGraphQLError(response, 'BAD_REQUEST', 'Use GET', 405);
    let query: UsageQuery;
    let chain: AccountChain;
    try {
      const url = new URL(request.url ?? '/', 'http://internal');
      const payload = verifyExportToken(url.searchParams.get('token'), config.internalSigningSecret);
      const access = new AccessControl({ ...payload.principal }, dataSource);
      query = await authorizeExport(access, payload);
      chain = (await access.chains.load(payload.accountId))!;
    } catch (error) {
      if (error instanceof AppError) return sendGraphQLError(response, error.code, error.message);
      throw error;
    }
    const { sql, parameters } = buildUsageSql(query, [{ accountId: chain.id, depth: chain.depth }]);
    const keyColumns = query.groupBy.map((key) => CSV_KEY_COLUMNS[key]);

    const runner = dataSource.createQueryRunner();
    let aborted = false;
    response.on('close', () => {
      if (!response.writableFinished) aborted = true;
    });
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query(`DECLARE usage_export NO SCROLL CURSOR FOR ${sql}`, parameters);
      response.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="usage-${chain.id}-${query.from}-${query.to}.csv"`,
        'cache-control': 'no-store',
      });
      response.write([...keyColumns.map((k) => k.header), ...MEASURE_COLUMNS].join(',') + '\n');
      for (;;) {
        const rows: Record<string, string | null>[] = await runner.query(`FETCH ${FETCH_SIZE} FROM usage_export`);
        if (rows.length > 0) {
          const chunk = rows.map((row) => [...keyColumns.map((k) => row[k.column] ?? ''), ...MEASURE_COLUMNS.map((m) => row[m])].join(',')).join('\n') + '\n';
          if (!response.write(chunk) && !aborted) await drainedOrClosed(response);
        }
        if (rows.length < FETCH_SIZE || aborted) break;
      }
      await runner.commitTransaction();
      response.end();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => {});
      logger.error({ err: error }, 'usage export failed');
      if (!response.headersSent) sendGraphQLError(response, 'INTERNAL_SERVER_ERROR', 'Internal server error', 500);
      else response.destroy();
    } finally {
      await runner.release();
    }
  };
}
