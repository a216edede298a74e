import Redis from 'ioredis';
import type { Logger } from './logger';

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

export interface Counter {
  count: number;
  /** Milliseconds the counter still lives (0 when absent). */
  ttlMs: number;
}

/**
 * The store under the rate limiters, also used by identity's failed-login throttle: expiring
 * counters, in memory or in Redis. With Redis every operation is one atomic script.
 */
export interface CounterStore {
  /** Adds `by` (default 1, may be negative) to the counter; a new counter lives `windowMs`. */
  increment(key: string, windowMs: number, by?: number): Promise<Counter>;
  /** Several counters at once (count 0, ttl 0 when absent). */
  read(keys: readonly string[]): Promise<Counter[]>;
  /** Creates the key for `ms` unless it is alive (a lock): claimed, or the time the holder keeps it. */
  claim(key: string, ms: number): Promise<{ claimed: boolean; ttlMs: number }>;
  delete(keys: readonly string[]): Promise<void>;
}

const toSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Counters of one process. Expired windows are swept when the map grows, so memory stays bounded by active clients. */
export class MemoryRateLimiter implements RateLimiter, CounterStore {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly sweepAbove = 50_000,
  ) {}

  async hit(key: string, limit: number): Promise<RateLimitDecision> {
    const { count, ttlMs } = await this.increment(key, this.windowMs);
    return { allowed: count <= limit, retryAfterSeconds: toSeconds(ttlMs) };
  }

  async increment(key: string, windowMs: number, by = 1): Promise<Counter> {
    const now = Date.now();
    const window = this.live(key, now) ?? this.open(key, now, windowMs, 0);
    window.count += by;
    return { count: window.count, ttlMs: window.endsAt - now };
  }

  async read(keys: readonly string[]): Promise<Counter[]> {
    const now = Date.now();
    return keys.map((key) => {
      const window = this.live(key, now);
      return window ? { count: window.count, ttlMs: window.endsAt - now } : { count: 0, ttlMs: 0 };
    });
  }

  async claim(key: string, ms: number): Promise<{ claimed: boolean; ttlMs: number }> {
    const now = Date.now();
    const held = this.live(key, now);
    if (held) return { claimed: false, ttlMs: held.endsAt - now };
    this.open(key, now, ms, 1);
    return { claimed: true, ttlMs: ms };
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.windows.delete(key);
  }

  private live(key: string, now: number) {
    const window = this.windows.get(key);
    return window && window.endsAt > now ? window : undefined;
  }

  private open(key: string, now: number, windowMs: number, count: number) {
    if (this.windows.size >= this.sweepAbove) this.sweep(now);
    const window = { count, endsAt: now + windowMs };
    this.windows.set(key, window);
    return window;
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}

// INCR and the window's expiry in one atomic step: a counter is never left without expiry.
const INCREMENT_SCRIPT = `
local by = tonumber(ARGV[2] or '1')
local count = redis.call('INCRBY', KEYS[1], by)
if count == by then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return { count, ttl }`;

const READ_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then ttl = 0 end
  out[#out + 1] = count
  out[#out + 1] = ttl
end
return out`;

const CLAIM_SCRIPT = `
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return { 1, tonumber(ARGV[1]) } end
return { 0, redis.call('PTTL', KEYS[1]) }`;

/** Counters shared by every replica. If Redis is unreachable the request is let through (and logged): availability over strictness. */
export class RedisRateLimiter implements RateLimiter, CounterStore {
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
      this.unavailable(err);
      return { allowed: true, retryAfterSeconds: 0 };
    }
  }

  async increment(key: string, windowMs: number, by = 1): Promise<Counter> {
    try {
      const [count, ttlMs] = (await this.redis.eval(INCREMENT_SCRIPT, 1, this.prefix + key, windowMs, by)) as [number, number];
      return { count, ttlMs };
    } catch (err) {
      this.unavailable(err);
      return { count: 0, ttlMs: 0 };
    }
  }

  async read(keys: readonly string[]): Promise<Counter[]> {
    try {
      const flat = (await this.redis.eval(READ_SCRIPT, keys.length, ...keys.map((k) => this.prefix + k))) as number[];
      return keys.map((_, i) => ({ count: flat[2 * i], ttlMs: flat[2 * i + 1] }));
    } catch (err) {
      this.unavailable(err);
      return keys.map(() => ({ count: 0, ttlMs: 0 }));
    }
  }

  async claim(key: string, ms: number): Promise<{ claimed: boolean; ttlMs: number }> {
    try {
      const [claimed, ttlMs] = (await this.redis.eval(CLAIM_SCRIPT, 1, this.prefix + key, Math.ceil(ms))) as [number, number];
      return { claimed: claimed === 1, ttlMs };
    } catch (err) {
      this.unavailable(err);
      return { claimed: true, ttlMs: 0 };
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.redis.del(...keys.map((k) => this.prefix + k));
    } catch (err) {
      this.unavailable(err);
    }
  }

  private unavailable(err: unknown) {
    this.logger.warn({ err: { message: (err as Error).message } }, 'rate limiter unavailable; request allowed');
  }
}

/** One connection per process; commands fail fast instead of queueing while Redis is away. */
export function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  redis.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis error'));
  return redis;
}
