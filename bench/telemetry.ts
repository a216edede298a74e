/**
 * `npm run bench:telemetry`: what tracing and metrics cost a request (issue 16).
 *
 * Four sets of the four subgraphs and the gateway, each server its own process (bench/lib/serve.ts,
 * the production entries' code), on one throwaway database with the demo data:
 *   baseline : production defaults — metrics on (`/metrics` also on the gateway's port, to scrape it), tracing off
 *   traced   : the same with OTEL_EXPORTER_OTLP_ENDPOINT at a dummy OTLP collector in this process
 *              (every span exported over OTLP/HTTP protobuf, the SDK's default batching)
 *   sampled  : traced, but only 10 % of traces recorded (OTEL_TRACES_SAMPLER=parentbased_traceidratio, 0.1)
 *   unmetered: METRICS_ENABLED=false (no request is timed or counted), tracing off
 * The measured request is the demo dashboard, `accountTree { id name messageCount balance }` as the
 * retail head office's admin: the gateway, three subgraphs and their SQL. Every round runs the four
 * sets one after the other at 1 connection, in an order that rotates from round to round (so no set is
 * warmer or later than another); a figure is the median of its per-round p50 differences. The scrape
 * cost is the median time of sequential `GET /metrics`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DEMO_PASSWORD, demoUser } from '@platform/demo-data';
import { prepareDatabase } from '@platform/platform';
import { createBenchDatabase, serverEnvironment, startServerSet, type ServerProcess, type ServerSet } from './lib/cluster';
import { load, verifyTarget, type LoadRun, type Target } from './lib/load';
import { type BenchResult, printStandalone } from './lib/result';
import { fmt, median, spread } from './lib/stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const SCRAPES = 30;
const DASHBOARD = 'query Dashboard { accountTree { id name messageCount balance } }';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** An OTLP/HTTP receiver that accepts every export and counts what it got, as a collector would. */
async function startDummyCollector(): Promise<{ endpoint: string; exports: () => { requests: number; bytes: number }; close(): Promise<void> }> {
  let requests = 0;
  let bytes = 0;
  const server = http.createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      requests += 1;
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports: () => ({ requests, bytes }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function dashboard(name: string, set: ServerSet, token: string): Target {
  return { name, url: set.gateway.url, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: DASHBOARD }) };
}

/** Round after round, each target once at 1 connection, the order rotating; the runs of each target, in round order. */
async function rotate(targets: Target[], rounds: number): Promise<LoadRun[][]> {
  const runs: LoadRun[][] = targets.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < targets.length; i++) {
      const which = (round + i) % targets.length;
      runs[which].push(await load(targets[which], { connections: 1, seconds: SECONDS }));
    }
  }
  const errors = runs.flat().reduce((sum, run) => sum + run.errors, 0);
  if (errors > 0) log(`warning: ${errors} failed responses`);
  return runs;
}

/** Median wall time of sequential scrapes of one process's /metrics, and the size of one answer. */
async function scrapeCost(server: ServerProcess): Promise<{ ms: number; bytes: number; series: number }> {
  const url = new URL('/metrics', server.url);
  const times: number[] = [];
  let text = '';
  for (let i = 0; i < SCRAPES; i++) {
    const startedAt = performance.now();
    const response = await fetch(url);
    text = await response.text();
    if (!response.ok) throw new Error(`${server.label} /metrics answered ${response.status}`);
    times.push(performance.now() - startedAt);
  }
  return { ms: median(times), bytes: Buffer.byteLength(text), series: text.split('\n').filter((line) => line && !line.startsWith('#')).length };
}

export async function runBenchmark(): Promise<BenchResult[]> {
  const database = await createBenchDatabase();
  const collector = await startDummyCollector();
  const started: ServerProcess[] = [];
  try {
    await prepareDatabase(database.url, { seedDemo: true });
    const base = serverEnvironment(database.url, { METRICS_ON_GATEWAY_PORT: 'true' });
    const baseline = await startServerSet(base, started);
    const traced = await startServerSet({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint }, started, '-traced');
    const sampled = await startServerSet(
      { ...base, OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' },
      started,
      '-sampled',
    );
    const unmetered = await startServerSet({ ...base, METRICS_ENABLED: 'false' }, started, '-unmetered');
    log(`telemetry: ${started.length} server processes up (${database.where})`);
    const email = demoUser('hq-admin').email;
    const targets = await Promise.all(
      ([['baseline', baseline], ['traced', traced], ['sampled', sampled], ['unmetered', unmetered]] as const).map(async ([name, set]) => dashboard(name, set, await set.login(email, DEMO_PASSWORD))),
    );
    for (const target of targets) {
      await verifyTarget(target);
      await load(target, { connections: 4, seconds: 2 });
    }
    const exportedBefore = collector.exports();

    log(`telemetry: ${ROUNDS} rounds of baseline, traced, sampled, unmetered at 1 connection`);
    const [off, on, tenth, unmeteredRuns] = await rotate(targets, ROUNDS);
    const exported = collector.exports();
    log('telemetry: scrapes');
    const gatewayScrape = await scrapeCost(baseline.gateway);
    const messagingScrape = await scrapeCost(baseline.subgraphs.messaging);

    const differences = (subject: LoadRun[], reference: LoadRun[]) => subject.map((run, i) => run.p50 - reference[i].p50);
    const tracingDifferences = differences(on, off);
    const sampledDifferences = differences(tenth, off);
    const metricsDifferences = differences(off, unmeteredRuns);
    const p50 = (runs: { p50: number }[]) => fmt(median(runs.map((run) => run.p50)));
    const requests = (runs: { requests: number }[]) => runs.reduce((sum, run) => sum + run.requests, 0);
    return [
      {
        figure: 'Tracing cost: p50 difference at 1 connection, OTLP export on vs OTEL_* unset (dashboard accountTree, gateway + 3 subgraphs)',
        goal: 'reported',
        value: `${fmt(median(tracingDifferences))} ms`,
        met: true,
        notes: `traced p50 ${p50(on)} ms vs off ${p50(off)} ms; median of ${ROUNDS} paired runs (spread ${spread(tracingDifferences)} ms); ${requests(on)} traced and ${requests(tenth)} sampled requests during the rounds; the dummy collector got ${exported.requests - exportedBefore.requests} OTLP exports, ${((exported.bytes - exportedBefore.bytes) / 1e6).toFixed(1)} MB (protobuf, SDK default batching). Off, the SDK is never loaded`,
      },
      {
        figure: 'Tracing cost, 10 % of traces sampled (parentbased_traceidratio 0.1): p50 difference at 1 connection vs OTEL_* unset',
        goal: 'reported',
        value: `${fmt(median(sampledDifferences))} ms`,
        met: true,
        notes: `sampled p50 ${p50(tenth)} ms vs off ${p50(off)} ms; median of ${ROUNDS} paired runs (spread ${spread(sampledDifferences)} ms)`,
      },
      {
        figure: 'Metrics cost: p50 difference at 1 connection, METRICS_ENABLED=true vs false (same request)',
        goal: 'reported',
        value: `${fmt(median(metricsDifferences))} ms`,
        met: true,
        notes: `metrics on p50 ${p50(off)} ms vs off ${p50(unmeteredRuns)} ms; median of ${ROUNDS} paired runs (spread ${spread(metricsDifferences)} ms); ${requests(off)} requests with metrics`,
      },
      {
        figure: 'Metrics scrape: median time of GET /metrics, gateway / messaging',
        goal: 'reported',
        value: `${fmt(gatewayScrape.ms)} ms / ${fmt(messagingScrape.ms)} ms`,
        met: true,
        notes: `${SCRAPES} sequential scrapes each after the runs above; gateway ${gatewayScrape.series} samples, ${(gatewayScrape.bytes / 1024).toFixed(0)} KiB (includes the /health check of each subgraph behind subgraph_up); messaging ${messagingScrape.series} samples, ${(messagingScrape.bytes / 1024).toFixed(0)} KiB (includes the queue and webhook backlog read from PostgreSQL)`,
      },
    ];
  } finally {
    await Promise.all(started.map((server) => server.stop().catch(() => {})));
    await collector.close();
    await database.drop().catch(() => {});
  }
}

if (require.main === module) printStandalone(runBenchmark);
