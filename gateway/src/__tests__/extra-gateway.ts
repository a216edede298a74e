import crypto from 'node:crypto';
import Redis from 'ioredis';
import type { PlatformConfig } from '@platform/config';
import { createLogger, type Logger } from '@platform/server';
import { SERVICES, type TestStack } from '@platform/testing';
import { startGateway } from '../gateway';
import { readCommittedSupergraph } from '../supergraph';

export interface ExtraGateway {
  url: string;
  close(): Promise<void>;
}

/** Another gateway process's worth of state (own Apollo, caches, limiter, pool) in front of the stack's subgraphs. */
export async function startExtraGateway(
  stack: TestStack,
  config: PlatformConfig,
  options: { subgraphUrls?: TestStack['subgraphUrls']; logger?: Logger } = {},
): Promise<ExtraGateway> {
  const dataSource = SERVICES.identity.createDataSource(stack.database.url, { poolSize: 2 });
  await dataSource.initialize();
  try {
    const server = await startGateway({
      config,
      supergraphSdl: readCommittedSupergraph(),
      subgraphUrls: options.subgraphUrls ?? stack.subgraphUrls,
      dataSource,
      port: 0,
      logger: options.logger ?? createLogger('gateway', 'silent'),
    });
    return {
      url: server.url,
      close: async () => {
        await server.close();
        await dataSource.destroy();
      },
    };
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}

/**
 * The Redis of REDIS_URL, else one answering on 127.0.0.1:6379. Tests of state shared between
 * gateways fail (they do not skip) when neither is reachable.
 */
export async function reachableRedisUrl(): Promise<string> {
  const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  try {
    await probe.connect();
    await probe.ping();
    return url;
  } catch (error) {
    throw new Error(`These tests need a Redis: set REDIS_URL or run redis-server on 127.0.0.1:6379 (${url}: ${(error as Error).message})`);
  } finally {
    probe.disconnect();
  }
}

/** A key prefix of its own per test, so runs sharing one Redis never see each other's keys. */
export const randomRedisPrefix = () => `test:${crypto.randomUUID()}:`;

export const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
