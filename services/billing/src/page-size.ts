import { errors } from '@platform/errors';

/** The `first` argument of a list: `fallback` when absent, else 1 to `max` (BAD_USER_INPUT otherwise). */
export function pageSize(first: number | null | undefined, fallback = 50, max = 200): number {
  if (first === null || first === undefined) return fallback;
  if (!Number.isInteger(first) || first < 1 || first > max) throw errors.badInput(`first must be between 1 and ${max}`, 'first');
  return first;
}
