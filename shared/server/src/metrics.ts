import type http from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Operation names are chosen by clients: beyond this many distinct ones, further names count as "(other)". */
const MAX_OPERATION_NAMES = 200;

export type RequestOutcome = 'success' | 'error' | 'refused';

interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * The Prometheus metrics of one process (prom-client): every server of the process (the gateway,
 * each subgraph in `npm start`) records into it with its `service` label, and `/metrics` renders it.
 * Domain modules add their own series with `gauge`/`counter`/`histogram`.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly requestDuration: Histogram<'service' | 'operation' | 'outcome'>;
  readonly graphqlErrors: Counter<'service' | 'code'>;
  private readonly operationNames = new Set<string>();
  /** counts scrapes, so that `perScrape` readings are shared within one */
  private scrapes = 0;
  private readonly pools: { service: string; pool: () => PoolStats | undefined }[] = [];

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.requestDuration = new Histogram({
      name: 'graphql_request_duration_seconds',
      help: 'GraphQL requests by service, operation name and outcome (success, error: an error in the answer, refused: a 4xx answer)',
      labelNames: ['service', 'operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.graphqlErrors = new Counter({
      name: 'graphql_errors_total',
      help: 'Errors in GraphQL answers by extensions.code (refusals such as RATE_LIMITED, OUTSIDE_LIMIT, INSUFFICIENT_CREDIT, and INTERNAL_SERVER_ERROR)',
      labelNames: ['service', 'code'],
      registers: [this.registry],
    });
    const pools = this.pools;
    new Gauge({
      name: 'db_pool_connections',
      help: 'PostgreSQL pool connections by state (in_use, idle, waiting: requests queued for a connection)',
      labelNames: ['service', 'state'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { service, pool } of pools) {
          const stats = pool();
          if (!stats) continue;
          this.inc({ service, state: 'in_use' }, stats.totalCount - stats.idleCount);
          this.inc({ service, state: 'idle' }, stats.idleCount);
          this.inc({ service, state: 'waiting' }, stats.waitingCount);
        }
      },
    });
  }

  /** Reports the pool of a data source (TypeORM's postgres driver keeps a node-postgres Pool). */
  observePool(service: string, dataSource: DataSource): void {
    this.pools.push({ service, pool: () => (dataSource.isInitialized ? ((dataSource.driver as unknown as { master?: PoolStats }).master ?? undefined) : undefined) });
  }

  /** A label value for a client-chosen operation name, bounded in number. */
  operationLabel(name: string | undefined | null): string {
    if (!name) return '(anonymous)';
    if (!OPERATION_NAME.test(name)) return '(invalid)';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return '(other)';
    this.operationNames.add(name);
    return name;
  }

  gauge<T extends string>(options: { name: string; help: string; labelNames?: readonly T[]; collect?: (this: Gauge<T>) => void | Promise<void> }): Gauge<T> {
    return (this.registry.getSingleMetric(options.name) as Gauge<T> | undefined) ?? new Gauge({ ...options, registers: [this.registry] });
  }

  counter<T extends string>(options: { name: string; help: string; labelNames?: readonly T[] }): Counter<T> {
    return (this.registry.getSingleMetric(options.name) as Counter<T> | undefined) ?? new Counter({ ...options, registers: [this.registry] });
  }

  histogram<T extends string>(options: { name: string; help: string; labelNames?: readonly T[]; buckets?: number[] }): Histogram<T> {
    return (this.registry.getSingleMetric(options.name) as Histogram<T> | undefined) ?? new Histogram({ ...options, registers: [this.registry] });
  }

  /**
   * One reading shared by the gauges one query fills (a scrape collects each gauge in turn): the
   * query runs once per scrape, not once per gauge.
   */
  perScrape<T>(read: () => Promise<T>): () => Promise<T> {
    let last: { scrape: number; value: Promise<T> } | null = null;
    return () => {
      if (!last || last.scrape !== this.scrapes) last = { scrape: this.scrapes, value: read() };
      return last.value;
    };
  }

  async respond(response: http.ServerResponse): Promise<void> {
    this.scrapes += 1;
    const text = await this.registry.metrics();
    response.writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' });
    response.end(text);
  }
}

/** Times every GraphQL request of a server and counts the codes of the errors it answers. */
export function metricsPlugin(metrics: Metrics, service: string): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      const startedAt = performance.now();
      let operationName: string | null = null;
      return {
        async didResolveOperation({ operationName: name }) {
          operationName = name ?? null;
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          for (const error of errors) metrics.graphqlErrors.inc({ service, code: String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') });
          const status = response.http.status ?? 200;
          const outcome: RequestOutcome = status >= 400 && status < 500 ? 'refused' : errors.length ? 'error' : 'success';
          metrics.requestDuration.observe({ service, operation: metrics.operationLabel(operationName), outcome }, (performance.now() - startedAt) / 1000);
        },
      };
    },
  };
}
