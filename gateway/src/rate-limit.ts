import type Redis from 'ioredis';
import type { Logger } from '@platform/server';

export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until the current window ends (the Retry-After of a refusal). */
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters (SPEC G4): windows are aligned on the epoch so every gateway replica
 * counts in the same window. A client may burst up to twice the limit across a window boundary;
 * that is the accepted price of one atomic increment per request.
 */
export interface RateLimiter {
  hit(key: string, limit: number): Promise<RateLimitDecision>;
}

function currentWindow(windowMs: number, nowMs: number) {
  const index = Math.floor(nowMs / windowMs);
  return { index, retryAfterSeconds: Math.max(1, Math.ceil(((index + 1) * windowMs - nowMs) / 1000)) };
}

/** Counters of one process; the map is emptied when a new window starts, so it stays bounded by one window's keys. */
export class MemoryRateLimiter implements RateLimiter {
  private windowIndex = -1;
  private readonly counts = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  async hit(key: string, limit: number): Promise<RateLimitDecision> {
    const window = currentWindow(this.windowMs, Date.now());
    if (window.index !== this.windowIndex) {
      this.windowIndex = window.index;
      this.counts.clear();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return { allowed: count <= limit, retryAfterSeconds: window.retryAfterSeconds };
  }
}

// INCR and the first PEXPIRE in one atomic step: a counter can never be left without expiry.
const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;

/** Counters shared by every gateway replica. If Redis is unreachable the request is let through (and logged): availability over strictness. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly windowMs: number,
    private readonly logger: Logger,
  ) {}

  async hit(key: string, limit: number): Promise<RateLimitDecision> {
    const window = currentWindow(this.windowMs, Date.now());
    try {
      const count = (await this.redis.eval(INCREMENT_SCRIPT, 1, `${this.prefix}rl:${window.index}:${key}`, this.windowMs + 1000)) as number;
      return { allowed: count <= limit, retryAfterSeconds: window.retryAfterSeconds };
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'rate limiter unavailable; request allowed');
      return { allowed: true, retryAfterSeconds: 0 };
    }
  }
}
