import type http from 'node:http';
import type { DataSource } from 'typeorm';
import type { PlatformConfig } from '@platform/config';
import { AccessControl, type AccountChain } from '@platform/authz';
import { AppError } from '@platform/errors';
import { sendGraphQLError, type Logger } from '@platform/server';
import { verifyExportToken } from './export-token';
import { authorizeExport } from './service';
import type { UsageGroupBy } from '../__generated__/resolvers-types';
import { buildUsageSql, type UsageQuery } from './store';
import { drainUsageBeforeRead } from './usage-outbox';

const FETCH_SIZE = 1000;

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
    await drainUsageBeforeRead(dataSource);
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
