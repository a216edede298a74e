/**
 * Contact imports of any size (issue 14 item 10), `npm run bench:contact-import`.
 *
 * The four subgraphs and the gateway run as their own processes (bench/lib/cluster.ts, production
 * mode) on a throwaway database with the demo data. A CSV generated on the fly (never held whole in
 * this process either) is streamed through the gateway to a started import of Store N1: first 10,000
 * rows (the baseline), then 100,000. Printed: rows per second, and the messaging and gateway
 * processes' peak RSS after each, so a reader sees whether memory grows with the file.
 */
import { Readable } from 'node:stream';
import { DEMO_PASSWORD, demoAccount, demoUser } from '@platform/demo-data';
import { prepareDatabase } from '@platform/platform';
import { createBenchDatabase, serverEnvironment, startServerSet, type ServerProcess } from './lib/cluster';
import { type BenchResult, printStandalone } from './lib/result';
import { fmt } from './lib/stats';

const log = (line: string) => process.stderr.write(`[bench] contact-import: ${line}\n`);

/** `count` rows of distinct valid UK mobile numbers from `first` on, generated as they are read. */
function csvRows(first: number, count: number): Readable {
  return Readable.from(
    (function* () {
      yield 'phone,first_name,last_name\n';
      for (let chunk = 0; chunk < count; chunk += 1000) {
        let text = '';
        for (let i = first + chunk; i < first + Math.min(chunk + 1000, count); i++) text += `+4477${String(i).padStart(8, '0')},Bench ${i},Contact\n`;
        yield text;
      }
    })(),
  );
}

export async function runBenchmark(): Promise<BenchResult[]> {
  const database = await createBenchDatabase();
  const started: ServerProcess[] = [];
  try {
    await prepareDatabase(database.url, { seedDemo: true });
    const base = serverEnvironment(database.url, { MESSAGING_WORKER_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0' });
    const { subgraphs, gateway, gql, login } = await startServerSet(base, started);
    const messaging = subgraphs.messaging;
    const token = await login(demoUser('hq-admin').email, DEMO_PASSWORD);

    const importRows = async (first: number, count: number) => {
      const { uploadUrl } = (await gql('mutation($a: ID!) { startContactImport(accountId: $a) { uploadUrl } }', { a: demoAccount('store-n1').id }, token)).startContactImport;
      const startedAt = process.hrtime.bigint();
      const response = await fetch(new URL(uploadUrl, new URL(gateway.url).origin), {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: Readable.toWeb(csvRows(first, count)) as unknown as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      const { job } = (await response.json()) as { job: { imported: number } };
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      if (job?.imported !== count) throw new Error(`imported ${job?.imported} of ${count}`);
      return { seconds, messagingRss: messaging.peakRssMb(), gatewayRss: gateway.peakRssMb() };
    };

    const idle = { messagingRss: messaging.peakRssMb(), gatewayRss: gateway.peakRssMb() };
    log('10,000 rows (baseline)');
    const small = await importRows(0, 10_000);
    log('100,000 rows');
    const large = await importRows(1_000_000, 100_000);
    const growth = large.messagingRss - small.messagingRss;
    const peaks = `peak RSS: messaging ${fmt(idle.messagingRss, 0)} MB idle → ${fmt(small.messagingRss, 0)} MB after 10,000 rows → ${fmt(large.messagingRss, 0)} MB after 100,000; gateway ${fmt(idle.gatewayRss, 0)} → ${fmt(small.gatewayRss, 0)} → ${fmt(large.gatewayRss, 0)} MB`;
    return [
      {
        figure: 'Contact import: 100,000 CSV rows streamed through the gateway',
        goal: 'bounded memory',
        value: `${fmt(100_000 / large.seconds, 0)} rows/s (${fmt(large.seconds, 1)} s); messaging peak RSS +${fmt(growth, 0)} MB over the 10,000-row import`,
        met: growth < 50,
        notes: `baseline 10,000 rows: ${fmt(10_000 / small.seconds, 0)} rows/s; ${peaks}`,
      },
    ];
  } finally {
    await Promise.all(started.map((server) => server.stop().catch(() => {})));
    await database.drop();
  }
}

if (require.main === module) printStandalone(runBenchmark);
