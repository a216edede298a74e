/**
 * Retry schedule of a delivery (SPEC M10): exponential backoff with jitter.
 * The delay after failed attempt n (1-based) is 15 s × 4^(n−1), capped at 24 h, times a jitter
 * factor drawn uniformly from [0.8, 1.2) so that endpoints recovering from an outage are not hit by
 * every retry at once. With the default 8 attempts (WEBHOOK_MAX_ATTEMPTS):
 *
 *   attempt 1 immediately, then after ≈ 15 s, 1 min, 4 min, 16 min, 64 min, 4 h 16 min, 17 h 4 min
 *   (attempt 8 ≈ 22.7 h after the first).
 *
 * After the last failed attempt the delivery is FAILED; its endpoint is disabled when no delivery
 * to it has succeeded since that delivery's first attempt (persistent failure). A 410 Gone answer
 * disables the endpoint at once. Admins can replay any delivery (same webhook-id).
 */
export const RETRY_BASE_MS = 15_000;
export const RETRY_FACTOR = 4;
export const RETRY_CAP_MS = 24 * 3600_000;
export const JITTER = 0.2;

/** The nominal delay (no jitter) after failed attempt `attempt`. */
export function nominalRetryDelayMs(attempt: number): number {
  return Math.min(RETRY_CAP_MS, RETRY_BASE_MS * RETRY_FACTOR ** (attempt - 1));
}

/** The delay after failed attempt `attempt`, `random` in [0, 1). */
export function retryDelayMs(attempt: number, random: () => number): number {
  return Math.round(nominalRetryDelayMs(attempt) * (1 - JITTER + 2 * JITTER * random()));
}

/** Time source of the dispatcher; tests drive a fake one instead of sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
