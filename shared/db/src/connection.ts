import { AppError } from '@platform/errors';
import { decodeCursor, encodeCursor, type CursorKey } from './cursor';

/** Relay-style page arguments; `last`/`before` only where a list pages backwards. */
export interface PageArguments {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface PageRequest<TKey extends CursorKey> {
  /** forward: the rows after `cursor` in the list's order; backward: the rows before it */
  direction: 'forward' | 'backward';
  size: number;
  /** the sort key the page starts from, exclusive; null = from the list's start (or end, backward) */
  cursor: TKey | null;
  /** the list's order, when it can be sorted several ways: its cursors carry it */
  order?: string;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  /** @deprecated the pageInfo field of the same name */
  endCursor: string | null;
  /** @deprecated the pageInfo field of the same name */
  hasNextPage: boolean;
}

export interface PageBounds<TShape extends readonly ('string' | 'number')[]> {
  /** page size when neither `first` nor `last` is given */
  defaultSize: number;
  maxSize: number;
  /** the types of the list's sort key (the cursor's values) */
  keyShape: TShape;
  /** the order the client chose, for a list with several: a cursor made in another order is BAD_USER_INPUT */
  order?: string;
}

type KeyOf<TShape extends readonly ('string' | 'number')[]> = { [K in keyof TShape]: TShape[K] extends 'number' ? number : string };

/**
 * Reads and checks page arguments: `first` and `last` between 1 and the list's maximum, never
 * both; `after` and `before` cursors of this list (BAD_USER_INPUT naming the argument otherwise).
 */
export function pageRequest<const TShape extends readonly ('string' | 'number')[]>(args: PageArguments, bounds: PageBounds<TShape>): PageRequest<KeyOf<TShape>> {
  const size = (value: number, field: string) => {
    if (!Number.isInteger(value) || value < 1 || value > bounds.maxSize) throw new AppError('BAD_USER_INPUT', `${field} must be between 1 and ${bounds.maxSize}`, { field });
    return value;
  };
  const backward = args.last != null || args.before != null;
  if (backward && (args.first != null || args.after != null)) {
    throw new AppError('BAD_USER_INPUT', 'Page forward (first/after) or backward (last/before), not both', { field: args.first != null ? 'first' : 'after' });
  }
  const key = (cursor: string | null | undefined, field: string): KeyOf<TShape> | null => {
    if (cursor == null) return null;
    if (bounds.order === undefined) return decodeCursor(cursor, bounds.keyShape, field) as KeyOf<TShape>;
    const [order, ...values] = decodeCursor(cursor, ['string', ...bounds.keyShape], field);
    if (order !== bounds.order) throw new AppError('BAD_USER_INPUT', `${field} is a cursor of another order of this list`, { field });
    return values as KeyOf<TShape>;
  };
  const order = bounds.order === undefined ? {} : { order: bounds.order };
  if (backward) {
    return { direction: 'backward', size: args.last != null ? size(args.last, 'last') : bounds.defaultSize, cursor: key(args.before, 'before'), ...order };
  }
  return { direction: 'forward', size: args.first != null ? size(args.first, 'first') : bounds.defaultSize, cursor: key(args.after, 'after'), ...order };
}

/**
 * The keyset condition and order of a page, for a list ordered by `columns` (a total order: its
 * last column is unique) in `order`. `firstParameter` is the number of the first `$n` it may use.
 * Fetch `size + 1` rows: `toConnection` uses the extra one to know whether there is more.
 */
export function keysetSql(request: PageRequest<CursorKey>, options: { columns: readonly string[]; types: readonly string[]; order: 'ASC' | 'DESC'; firstParameter: number }) {
  const reversed = request.direction === 'backward';
  const ascending = (options.order === 'ASC') !== reversed;
  const comparison = ascending ? '>' : '<';
  const placeholders = options.types.map((type, index) => `$${options.firstParameter + index}::${type}`);
  return {
    where: request.cursor ? `(${options.columns.join(', ')}) ${comparison} (${placeholders.join(', ')})` : 'TRUE',
    orderBy: options.columns.map((column) => `${column} ${ascending ? 'ASC' : 'DESC'}`).join(', '),
    limit: request.size + 1,
    parameters: request.cursor ? [...request.cursor] : [],
  };
}

/**
 * The connection of the rows fetched with `keysetSql` (in fetch order, up to size + 1), in the
 * list's order. hasPreviousPage/hasNextPage say whether rows exist beyond the page on the side it
 * came from (Relay's definition), and that a cursor was given on the other side.
 */
export function toConnection<T>(rows: readonly T[], request: PageRequest<CursorKey>, keyOf: (row: T) => CursorKey): Connection<T> {
  const more = rows.length > request.size;
  const page = rows.slice(0, request.size);
  if (request.direction === 'backward') page.reverse();
  const edges = page.map((node) => ({ cursor: encodeCursor(request.order === undefined ? keyOf(node) : [request.order, ...keyOf(node)]), node }));
  const pageInfo: PageInfo = {
    hasNextPage: request.direction === 'forward' ? more : request.cursor !== null,
    hasPreviousPage: request.direction === 'backward' ? more : request.cursor !== null,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges[edges.length - 1]?.cursor ?? null,
  };
  return { edges, nodes: page, pageInfo, endCursor: pageInfo.endCursor, hasNextPage: pageInfo.hasNextPage };
}
