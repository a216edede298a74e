/**
 * Every benchmark script exports `runBenchmark(): Promise<BenchResult[]>` and can also run on
 * its own (`tsx bench/<area>.ts`); `npm run bench` runs them all and prints one markdown table.
 * A figure is measured against a baseline of the same run (ratios), so machine noise cancels.
 */
export interface BenchResult {
  /** e.g. "Gateway overhead: p50 difference at 1 connection" */
  figure: string;
  /** e.g. "≤ 1.5 ms" */
  goal: string;
  /** measured value, formatted with its unit, e.g. "0.9 ms" */
  value: string;
  /** null: not run in this invocation (the value says why) */
  met: boolean | null;
  /** baseline, peak RSS of each process, sample sizes — whatever a reader needs to trust the figure */
  notes?: string;
}

export function markdownTable(results: BenchResult[]): string {
  const lines = ['| figure | goal | measured | met | notes |', '|---|---|---|---|---|'];
  const met = (r: BenchResult) => (r.met === null ? 'not run' : r.met ? 'yes' : '**no**');
  for (const r of results) lines.push(`| ${r.figure} | ${r.goal} | ${r.value} | ${met(r)} | ${r.notes ?? ''} |`);
  return lines.join('\n');
}

/** What a bench module does when run on its own (`npx tsx bench/<file>.ts`): print its table, or the error and exit 1. */
export function printStandalone(run: () => Promise<BenchResult[]>): void {
  runScript(async () => {
    process.stdout.write(`${markdownTable(await run())}\n`);
  });
}

/** A bench script's entry: exit 0 once `main` is done (servers' handles may linger), else print the error and exit 1. */
export function runScript(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
