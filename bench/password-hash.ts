/**
 * `npm run bench:password`: the CPU and memory one login pays for its password check, before
 * (scrypt N=2^15, r=8, p=1) and after (argon2id m=19 MiB, t=2, p=1) in the same run. Rounds are
 * paired (old then new, order flipped every round); figures are the median ms per hash and per
 * verify, with the spread over rounds. BENCH_ROUNDS (default 7) rounds of BENCH_HASHES (10).
 */
import os from 'node:os';
import { hashPassword, hashPasswordLegacyScrypt, verifyPassword } from '@platform/identity';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const perRound = Number(process.env.BENCH_HASHES ?? 10);
const password = 'correct horse battery staple';

async function msPer(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < perRound; i++) await work();
  return Number(process.hrtime.bigint() - start) / 1e6 / perRound;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const spread = (values: number[]) => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;

async function main() {
  const oldHash = await hashPasswordLegacyScrypt(password);
  const newHash = await hashPassword(password);
  const samples = { oldHash: [] as number[], newHash: [] as number[], oldVerify: [] as number[], newVerify: [] as number[] };
  await msPer(() => hashPassword(password)); // warm-up of both
  await msPer(() => hashPasswordLegacyScrypt(password));
  for (let round = 0; round < rounds; round++) {
    const pair = [
      async () => {
        samples.oldHash.push(await msPer(() => hashPasswordLegacyScrypt(password)));
        samples.oldVerify.push(await msPer(() => verifyPassword(password, oldHash)));
      },
      async () => {
        samples.newHash.push(await msPer(() => hashPassword(password)));
        samples.newVerify.push(await msPer(() => verifyPassword(password, newHash)));
      },
    ];
    if (round % 2 === 1) pair.reverse();
    for (const run of pair) await run();
  }
  const rows: [string, number[], number[]][] = [
    ['hash (new password, rehash)', samples.oldHash, samples.newHash],
    ['verify (every login)', samples.oldVerify, samples.newVerify],
  ];
  console.log(`${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; ${rounds} paired rounds × ${perRound}`);
  console.log('| operation | scrypt N=2^15,r=8,p=1 (old) ms | argon2id m=19 MiB,t=2,p=1 (new) ms | new / old |');
  console.log('|---|---|---|---|');
  for (const [name, old, fresh] of rows) {
    const ratios = old.map((o, i) => fresh[i] / o);
    console.log(`| ${name} | ${median(old).toFixed(1)} (${spread(old)}) | ${median(fresh).toFixed(1)} (${spread(fresh)}) | ${median(ratios).toFixed(2)} |`);
  }
  console.log('memory per check: scrypt 32 MiB (128·N·r), argon2id 19 MiB');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
