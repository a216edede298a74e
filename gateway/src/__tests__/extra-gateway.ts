import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import Redis from 'ioredis';
import type { PlatformConfig } from '@platform/config';
import { createLogger, type Logger } from '@platform/server';
import { SUBGRAPHS } from '@platform/platform';
import { type TestStack } from '@platform/platform/testing';
import { startGateway, type StartGatewayOptions } from '../gateway';
import { readCommittedSupergraph } from '../supergraph';

export interface ExtraGateway {
  url: string;
  close(): Promise<void>;
}

/** Another gateway process's worth of state (own Apollo, caches, limiter, pool) in front of the stack's subgraphs. */
export async function startExtraGateway(
  stack: TestStack,
  config: PlatformConfig,
  options: { subgraphUrls?: Record<string, string>; logger?: Logger } & Partial<Pick<StartGatewayOptions, 'supergraphSdl' | 'queryPlanExecutor'>> = {},
): Promise<ExtraGateway> {
  const dataSource = SUBGRAPHS.identity.createDataSource(stack.database.url, { poolSize: 2 });
  await dataSource.initialize();
  try {
    const server = await startGateway({
      config,
      supergraphSdl: options.supergraphSdl ?? readCommittedSupergraph(),
      subgraphUrls: (options.subgraphUrls ?? stack.subgraphUrls) as TestStack['subgraphUrls'],
      queryPlanExecutor: options.queryPlanExecutor,
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
async function answersPing(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** A redis-server of this test process only, on a free port, stopped when the process exits. */
async function startPrivateRedis(): Promise<string> {
  const port = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as net.AddressInfo;
      server.close(() => resolve(free));
    });
  });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => resolve());
  });
  process.once('exit', () => child.kill('SIGKILL'));
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await answersPing(url)) return url;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('redis-server started but does not answer');
}

/**
 * The Redis the shared-state tests use: REDIS_URL, else one on 127.0.0.1:6379, else a private
 * redis-server started from PATH (Debian's `redis-server`), so `npm test` needs no running Redis.
 */
export async function reachableRedisUrl(): Promise<string> {
  const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  if (await answersPing(url)) return url;
  try {
    return await startPrivateRedis();
  } catch (error) {
    throw new Error(`These tests need a Redis: set REDIS_URL, run one on 127.0.0.1:6379, or put redis-server on PATH (${(error as Error).message})`, { cause: error });
  }
}

/** A key prefix of its own per test, so runs sharing one Redis never see each other's keys. */
export const randomRedisPrefix = () => `test:${crypto.randomUUID()}:`;

export const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/** A URL where nothing listens any more (a server that was started and closed). */
export async function deadUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/graphql`;
}
