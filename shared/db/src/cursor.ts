import { AppError } from '@platform/errors';

/**
 * The one cursor codec: an opaque base64url of the sort key's values. A list's sort key must be
 * a total order without ties (e.g. a timestamp at full precision, as text, then the id), so that
 * paging never repeats nor skips a row.
 */
export type CursorKey = readonly (string | number)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The values of a cursor made by `encodeCursor` with `shape` (one `typeof` per value); anything else is BAD_USER_INPUT. */
export function decodeCursor<const TShape extends readonly ('string' | 'number')[]>(
  cursor: string,
  shape: TShape,
  field = 'after',
): { [K in keyof TShape]: TShape[K] extends 'number' ? number : string } {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = null;
  }
  if (!Array.isArray(values) || values.length !== shape.length || values.some((value, index) => typeof value !== shape[index])) {
    throw new AppError('BAD_USER_INPUT', `${field} is not a cursor of this list`, { field });
  }
  return values as { [K in keyof TShape]: TShape[K] extends 'number' ? number : string };
}
