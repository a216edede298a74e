import type Redis from 'ioredis';
import type { PersistedQueryOptions } from '@apollo/server';
import type { Logger } from '@platform/server';

export { connectRedis } from '@platform/server';

/**
 * Apollo Server's KeyValueCache in Redis, so every gateway replica serves the persisted queries
 * any of them registered (SPEC G3). A Redis outage degrades to cache misses (clients resend the
 * query text), never to failed requests.
 */
type KeyValueCache = NonNullable<PersistedQueryOptions['cache']>;

export class RedisKeyValueCache implements KeyValueCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly defaultTtlSeconds: number,
    private readonly logger: Logger,
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.redis.get(this.prefix + key)) ?? undefined;
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'redis cache read failed');
      return undefined;
    }
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    const ttl = options?.ttl === null ? undefined : (options?.ttl ?? this.defaultTtlSeconds);
    try {
      if (ttl) await this.redis.set(this.prefix + key, value, 'EX', Math.ceil(ttl));
      else await this.redis.set(this.prefix + key, value);
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'redis cache write failed');
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      return (await this.redis.del(this.prefix + key)) > 0;
    } catch {
      return false;
    }
  }
}
