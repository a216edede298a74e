import crypto from 'node:crypto';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import type { PlatformConfig } from '@platform/config';
import { AppError } from '@platform/errors';
import { connectRedis, MemoryRateLimiter, RedisRateLimiter, type CounterStore, type Logger } from '@platform/server';

/**
 * Failed sign-ins are counted per (email, address), per email and per address, each over a fixed
 * window; past a key's free attempts every further attempt needs a lock of its own, held for an
 * exponential backoff (2 s, 4 s, 8 s … at most 15 min), so at most one guess per backoff gets
 * checked, however many arrive in parallel.
 * The per-email lock binds only addresses that have failed for that email in the window: a
 * correct password from an address that has not failed is never held up by someone else's
 * guesses, and a locked user waits at most the window.
 */
export const LOGIN_THROTTLE = {
  windowMs: 60 * 60 * 1000,
  maxLockMs: 15 * 60 * 1000,
  free: { emailAddress: 5, email: 20, address: 100 },
} as const;

const backoffMs = (over: number) => Math.min(LOGIN_THROTTLE.maxLockMs, 1000 * 2 ** Math.min(over, 30));

export interface LoginAttempt {
  keys: { address: string; email?: string; emailAddress?: string };
}

const refusal = (ttlMs: number) =>
  new AppError('RATE_LIMITED', 'Too many failed sign-in attempts; retry later', { retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) });

export class LoginThrottle {
  constructor(private readonly store: () => Promise<CounterStore>) {}

  /**
   * Counts an attempt before its credential is checked (so parallel guesses are counted too), or
   * refuses it with RATE_LIMITED. `email` is the login being tried, when there is one.
   */
  async begin(clientAddress: string | null | undefined, email?: string): Promise<LoginAttempt> {
    const store = await this.store();
    const address = `login:ip:${clientAddress || 'unknown'}`;
    const emailHash = email ? crypto.createHash('sha256').update(email).digest('hex').slice(0, 32) : undefined;
    const keys = { address, email: emailHash && `login:email:${emailHash}`, emailAddress: emailHash && `login:email:${emailHash}:ip:${clientAddress || 'unknown'}` };
    const [addressLock, pairLock, emailLock, pairFailures] = await store.read([
      `${keys.address}:lock`,
      ...(keys.email ? [`${keys.emailAddress}:lock`, `${keys.email}:lock`, keys.emailAddress!] : []),
    ]);
    if (addressLock.ttlMs > 0) throw refusal(addressLock.ttlMs);
    if (pairLock && pairLock.ttlMs > 0) throw refusal(pairLock.ttlMs);
    if (emailLock && emailLock.ttlMs > 0 && pairFailures.count > 0) throw refusal(emailLock.ttlMs);

    const gates: [string, number][] = [[keys.address, LOGIN_THROTTLE.free.address]];
    if (keys.email) gates.push([keys.emailAddress!, LOGIN_THROTTLE.free.emailAddress], [keys.email, LOGIN_THROTTLE.free.email]);
    const counts = await Promise.all(gates.map(([key]) => store.increment(key, LOGIN_THROTTLE.windowMs)));
    const addressIsClean = keys.email ? counts[1].count <= 1 : false;
    for (const [index, [key, free]] of gates.entries()) {
      if (key === keys.email && addressIsClean) continue;
      const over = counts[index].count - free;
      if (over <= 0) continue;
      const lock = await store.claim(`${key}:lock`, backoffMs(over));
      if (!lock.claimed) throw refusal(lock.ttlMs);
    }
    return { keys };
  }

  /** The credential was right: the attempt no longer counts, and the (email, address) pair starts afresh. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    const store = await this.store();
    const { address, email, emailAddress } = attempt.keys;
    await Promise.all([
      store.increment(address, LOGIN_THROTTLE.windowMs, -1),
      email ? store.increment(email, LOGIN_THROTTLE.windowMs, -1) : undefined,
      emailAddress ? store.delete([emailAddress, `${emailAddress}:lock`]) : undefined,
    ]);
  }
}

interface ThrottleResources {
  throttle: LoginThrottle;
  close(): Promise<void>;
}

/**
 * The throttles of the started identity servers, one per server (keyed by its data source): in
 * memory, or in the Redis of REDIS_URL so every identity replica (behind every gateway) shares
 * the counters. Made on a server's first request; `release` (the subgraph's stop) closes it.
 */
export class LoginThrottles {
  private readonly byDataSource = new WeakMap<DataSource, ThrottleResources>();

  for(dataSource: DataSource, config: PlatformConfig, logger: Logger): LoginThrottle {
    let resources = this.byDataSource.get(dataSource);
    if (!resources) {
      resources = config.redisUrl ? redisThrottle(config.redisUrl, config.redisKeyPrefix, logger) : memoryThrottle();
      this.byDataSource.set(dataSource, resources);
    }
    return resources.throttle;
  }

  async release(dataSource: DataSource): Promise<void> {
    const resources = this.byDataSource.get(dataSource);
    this.byDataSource.delete(dataSource);
    await resources?.close();
  }
}

function redisThrottle(redisUrl: string, keyPrefix: string, logger: Logger): ThrottleResources {
  const redis: Redis = connectRedis(redisUrl, logger);
  const connected = redis.connect().catch((err: Error) => logger.warn({ err: { message: err.message } }, 'login throttle: redis unreachable'));
  const store = new RedisRateLimiter(redis, keyPrefix, LOGIN_THROTTLE.windowMs, logger);
  return {
    throttle: new LoginThrottle(async () => {
      await connected;
      return store;
    }),
    close: async () => {
      await connected;
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function memoryThrottle(): ThrottleResources {
  const store = new MemoryRateLimiter(LOGIN_THROTTLE.windowMs);
  return { throttle: new LoginThrottle(async () => store), close: async () => {} };
}
