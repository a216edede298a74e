import type Redis from 'ioredis';
import type { Logger } from '@platform/server';

export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until the key's window ends (the Retry-After of a refusal). */
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters per key (SPEC G4): a key's window opens at its first request and lasts
 * the configured time. A client may burst up to twice the limit across two adjacent windows;
 * that is the accepted price of one atomic increment per request.
 */
export interface RateLimiter {
  hit(key: string, limit: number): Promise<RateLimitDecision>;
}

const toSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Counters of one process. Expired windows are swept when the map grows, so memory stays bounded by active clients. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly sweepAbove = 50_000,
  ) {}

  async hit(key: string, limit: number): Promise<RateLimitDecision> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      if (this.windows.size >= this.sweepAbove) this.sweep(now);
      window = { count: 0, endsAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { allowed: window.count <= limit, retryAfterSeconds: toSeconds(window.endsAt - now) };
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}

// INCR and the window's expiry in one atomic step: a counter is never left without expiry.
const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return { count, ttl }`;

/** Counters shared by every gateway replica. If Redis is unreachable the request is let through (and logged): availability over strictness. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly windowMs: number,
    private readonly logger: Logger,
  ) {}

  async hit(key: string, limit: number): Promise<RateLimitDecision> {
    try {
      const [count, ttlMs] = (await this.redis.eval(INCREMENT_SCRIPT, 1, `${this.prefix}rl:${key}`, this.windowMs)) as [number, number];
      return { allowed: count <= limit, retryAfterSeconds: toSeconds(ttlMs) };
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'rate limiter unavailable; request allowed');
      return { allowed: true, retryAfterSeconds: 0 };
    }
  }
}
