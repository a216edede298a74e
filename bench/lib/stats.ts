/** Small statistics helpers: medians of runs, percentiles of fractional-millisecond samples. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const fmt = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** "min–max" of a list, for notes that show the spread of the runs behind a median. */
export const spread = (values: readonly number[], digits = 2): string =>
  values.length ? `${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)}` : 'n/a';
