import { AppError, isUuid } from '@platform/errors';
import { pageRequest, toConnection, type Connection, type PageArguments, type PageRequest } from './connection';
import type { CursorKey } from './cursor';
import { groupBy } from './sql';

/** A connection whose totalCount is counted only when the client selects it. */
export type CountedConnection<T> = Connection<T> & { totalCount: () => Promise<number> };

export function withTotalCount<T>(connection: Connection<T>, count: () => Promise<number>): CountedConnection<T> {
  return { ...connection, totalCount: count };
}

/**
 * A timestamp column as cursor text at full precision (microseconds, UTC). A cursor never holds a
 * JS Date: it keeps milliseconds, and rows a bulk insert stamped within one millisecond would be
 * skipped or repeated.
 */
export const timestampKeySql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const TIMESTAMP_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** `pageRequest` for a list keyed on (a timestamp as `timestampKeySql` writes it, a uuid); any other cursor is BAD_USER_INPUT naming the argument. */
export function timeIdPageRequest(args: PageArguments, bounds: { defaultSize: number; maxSize: number }): PageRequest<readonly [string, string]> {
  const request = pageRequest(args, { ...bounds, keyShape: ['string', 'string'] });
  if (request.cursor && !(TIMESTAMP_KEY.test(request.cursor[0]) && !Number.isNaN(Date.parse(request.cursor[0])) && isUuid(request.cursor[1]))) {
    const field = request.direction === 'forward' ? 'after' : 'before';
    throw new AppError('BAD_USER_INPUT', `${field} is not a cursor of this list`, { field });
  }
  return request;
}

/** Checks the last value of a page's cursor is an id (lists keyed on (…, id)); BAD_USER_INPUT naming the argument otherwise. */
export function assertCursorEndsWithId<TKey extends CursorKey>(request: PageRequest<TKey>): PageRequest<TKey> {
  const last = request.cursor?.[request.cursor.length - 1];
  if (request.cursor && !(typeof last === 'string' && isUuid(last))) {
    const field = request.direction === 'forward' ? 'after' : 'before';
    throw new AppError('BAD_USER_INPUT', `${field} is not a cursor of this list`, { field });
  }
  return request;
}

/**
 * The connections of several parents' lists fetched by one statement (each parent's page of up to
 * size + 1 rows, e.g. through a LATERAL join), in the parents' order.
 */
export function toConnections<T>(parentIds: readonly string[], rows: readonly T[], parentOf: (row: T) => string, request: PageRequest<CursorKey>, keyOf: (row: T) => CursorKey): Connection<T>[] {
  return groupBy(parentIds, rows, parentOf).map((group) => toConnection(group, request, keyOf));
}

/**
 * One loader per distinct arguments (filter, page size, cursor) within a request: every parent
 * asking for the same page of its list (`children(first: 20)` on each account of a tree) is loaded
 * by the same loader, in one statement.
 */
export class LoaderPerArguments<TArgs, TLoader> {
  private readonly loaders = new Map<string, TLoader>();

  constructor(private readonly create: (args: TArgs) => TLoader) {}

  for(args: TArgs): TLoader {
    const key = JSON.stringify(args);
    let loader = this.loaders.get(key);
    if (!loader) {
      loader = this.create(args);
      this.loaders.set(key, loader);
    }
    return loader;
  }

  /** Forgets every loader (after a change made by this request). */
  clearAll(): void {
    this.loaders.clear();
  }
}

/** An ILIKE pattern matching values that contain `text` literally (its %, _ and \ escaped). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The statement reading the same page of several parents' lists at once: `$1` is the parents' ids
 * (uuid[]); each parent's rows come from `from` where `conditions` hold (they tie a row to its
 * parent as `parent.id`), ordered and cut by `keyset` (of `keysetSql`, its parameters numbered
 * after those of `conditions`).
 */
export function pagesPerParentSql(options: { select: string; from: string; conditions: string[]; keyset: { where: string; orderBy: string; limit: number } }): string {
  const conditions = [...options.conditions, options.keyset.where];
  return `SELECT page.* FROM unnest($1::uuid[]) AS parent(id)
     CROSS JOIN LATERAL (
       SELECT ${options.select} FROM ${options.from}
        WHERE ${conditions.join(' AND ')}
        ORDER BY ${options.keyset.orderBy} LIMIT ${options.keyset.limit}
     ) page`;
}
