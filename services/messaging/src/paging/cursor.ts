import { decodeCursor, encodeCursor } from '@platform/db';
import { assertId, errors } from '@platform/errors';

/**
 * Lists page by (timestamp, id): the timestamp travels at full precision (microseconds, as text),
 * so that rows whose times differ below a millisecond, and rows with the same time, are neither
 * repeated nor skipped.
 */
export const cursorTimeSql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The sort key a page query selects with each row (`cursorTimeSql(...) AS cursor_at`). */
export interface CursorKey {
  cursor_at: string;
  id: string;
}

/** The (time, id) position an `after` cursor names. */
export function cursorPosition(after: string): { at: string; id: string } {
  const [at, id] = decodeCursor(after, ['string', 'string'], 'after');
  if (Number.isNaN(Date.parse(at))) throw errors.badInput('after is not a valid cursor', 'after');
  return { at, id: assertId(id, 'after') };
}

/** A connection of the first `first` rows of `rows` (fetched with one more, to tell whether a next page exists). */
export function connectionOf<TRow extends CursorKey>(rows: TRow[], first: number): { nodes: TRow[]; hasNextPage: boolean; endCursor: string | null } {
  const nodes = rows.slice(0, first);
  const last = nodes[nodes.length - 1];
  return { nodes, hasNextPage: rows.length > first, endCursor: last ? encodeCursor([last.cursor_at, last.id]) : null };
}
