/**
 * `npm run bench [-- <area>…] [-- --reporting]`: measures the platform against its baselines and
 * prints one markdown table (bench/lib/result.ts) and the peak RSS of every server process.
 * Areas: gateway (1), tree (2), authz (3), send-path (4), reporting (5), cold-start (6), telemetry; none
 * given = all but reporting, which runs only with --reporting, BENCH_REPORTING=1, or when
 * bench/reporting.ts says its dataset is cached (`export function datasetCached(): boolean`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execSync } from 'node:child_process';
import { runBenchmark as coldStart } from './cold-start';
import { runBenchmark as telemetry } from './telemetry';
import { LOG_DIR } from './lib/cluster';
import { markdownTable, type BenchResult } from './lib/result';
import { authorizationCost, gatewayOverhead, memoryFigure, startBenchPlatform, treeQuery } from './platform';

const AREAS = ['gateway', 'tree', 'authz', 'send-path', 'reporting', 'cold-start', 'telemetry'] as const;
type Area = (typeof AREAS)[number];

interface ExternalBenchmark {
  runBenchmark(): Promise<BenchResult[]>;
  datasetCached?(): boolean;
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function notMeasured(area: string, figures: [string, string][], reason: string): BenchResult[] {
  return figures.map(([figure, goal]) => ({ figure, goal, value: `not measured: ${reason}`, met: null, notes: `run \`npm run bench:${area}\`` }));
}

const SEND_PATH_FIGURES: [string, string][] = [
  ['Send path: bulk acceptance of 10,000 recipients', '≤ 1 s'],
  ['Send path: loopback drain rate', '≥ 2,000 msg/s'],
  ['Send path: 200 concurrent single sends, p95', '≤ 50 ms'],
  ['Send path: CPU per single send, summed over the processes', '≤ 10 ms'],
  ['Send path: SQL statements per single send', '≤ 15'],
  ['Send path: accepted sends/s at 100 concurrent, one tree / 100 trees', '≥ 0.8'],
  ['Send path: accepted sends/s at 200 concurrent, one tree / 100 trees', '≥ 0.8'],
];
const REPORTING_FIGURES: [string, string][] = [['Reporting: dashboard query over a 5-level tree with thousands of accounts and millions of messages', 'tens of ms']];

/** bench/<file>.ts written by another area's engineer, when it exists. */
async function external(file: string): Promise<ExternalBenchmark | undefined> {
  const modulePath = path.join(__dirname, file);
  if (!fs.existsSync(modulePath)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(modulePath) as ExternalBenchmark;
}

async function runExternal(area: string, file: string, figures: [string, string][], shouldRun: (module: ExternalBenchmark) => boolean, skipReason: string): Promise<BenchResult[]> {
  const module = await external(file);
  if (!module) return notMeasured(area, figures, `bench/${file} missing`);
  if (!shouldRun(module)) return notMeasured(area, figures, skipReason);
  log(`${area}: bench/${file}`);
  try {
    return await module.runBenchmark();
  } catch (error) {
    return notMeasured(area, figures, `bench/${file} failed: ${String((error as Error).message ?? error).split('\n')[0]}`);
  }
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} CPUs (nproc ${execSync('nproc').toString().trim()}), ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const withReporting = args.includes('--reporting') || process.env.BENCH_REPORTING === '1';
  const asked = args.filter((a) => !a.startsWith('--')) as Area[];
  for (const area of asked) if (!AREAS.includes(area)) throw new Error(`unknown area "${area}" (areas: ${AREAS.join(', ')})`);
  const areas = new Set<Area>(asked.length ? asked : AREAS.filter((a) => a !== 'reporting' || withReporting));
  if (!asked.length && !withReporting) areas.add('reporting'); // printed as skipped unless its dataset is cached
  const startedAt = Date.now();
  const results: BenchResult[] = [];
  let rss = '';

  // A failing area prints its rows as failed and the run goes on with the others.
  const guarded = async (area: string, figures: [string, string][], run: () => Promise<BenchResult[]>) => {
    try {
      results.push(...(await run()));
    } catch (error) {
      log(`${area} failed: ${(error as Error).stack ?? error}`);
      results.push(...notMeasured(area, figures, `failed: ${String((error as Error).message ?? error).split('\n')[0]}`));
    }
  };
  if (areas.has('gateway') || areas.has('tree') || areas.has('authz')) {
    const platform = await startBenchPlatform();
    try {
      if (areas.has('gateway')) await guarded('gateway', [['Gateway overhead', '≤ 1.5 ms / ≥ 0.8']], () => gatewayOverhead(platform));
      if (areas.has('tree')) await guarded('tree', [['Tree query', 'constant / flat or falling']], () => treeQuery(platform));
      if (areas.has('authz')) await guarded('authz', [['Authorization cost', '≤ 10 % / ≤ 15 %']], () => authorizationCost(platform));
      const memory = await memoryFigure(platform);
      results.push(memory.result);
      rss = memory.table;
    } finally {
      await platform.close();
    }
  }
  if (areas.has('send-path')) results.push(...(await runExternal('send-path', 'send-path.ts', SEND_PATH_FIGURES, () => true, '')));
  if (areas.has('reporting')) {
    const explicit = asked.includes('reporting') || withReporting;
    results.push(
      ...(await runExternal('reporting', 'reporting.ts', REPORTING_FIGURES, (m) => explicit || Boolean(m.datasetCached?.()), 'heavy dataset not cached; run with --reporting or `npm run bench:reporting`')),
    );
  }
  if (areas.has('cold-start')) {
    await guarded('cold-start', [['Cold start', '≤ 20 s'], ['Warm start', '≤ 5 s']], coldStart);
  }
  if (areas.has('telemetry')) {
    await guarded('telemetry', [['Tracing cost', 'reported'], ['Tracing cost, 10 % sampled', 'reported'], ['Metrics cost', 'reported'], ['Metrics scrape', 'reported']], telemetry);
  }

  const output = [
    `Machine: ${machine()}`,
    `Run: ${new Date().toISOString()}, ${((Date.now() - startedAt) / 1000).toFixed(0)} s, areas: ${[...areas].join(', ')}`,
    '',
    markdownTable(results),
    ...(rss ? ['', 'Memory of the server processes (figures 1-3):', '', rss] : []),
  ].join('\n');
  console.log(output);
  if (process.env.BENCH_OUTPUT) fs.writeFileSync(process.env.BENCH_OUTPUT, `${output}\n`);
  fs.rmSync(LOG_DIR, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  console.error(`server logs kept in ${LOG_DIR}`);
  process.exit(1);
});
