/**
 * `npm run bench:principal-token`: what the EdDSA principal token (SPEC G2) costs per subgraph
 * fetch, against the HMAC-SHA256 header it replaced (same claims, node:crypto) in the same run:
 * sign (gateway, billing client) and verify (subgraph), paired rounds, median µs per token and the
 * spread over rounds, and this process's peak RSS. BENCH_ROUNDS (default 7) rounds of BENCH_TOKENS (2000).
 */
import crypto from 'node:crypto';
import { GATEWAY_ISSUER, PrincipalSigner, PrincipalVerifier, type Principal } from '@platform/authz';
import { generatePrincipalKeyPair } from '@platform/config';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const perRound = Number(process.env.BENCH_TOKENS ?? 2000);
const principal: Principal = { kind: 'USER', id: crypto.randomUUID(), actingAccountId: crypto.randomUUID(), sessionId: crypto.randomUUID(), clientAddress: '203.0.113.7', requestId: crypto.randomUUID() };

// The replaced format, kept here only as the baseline: v1.<payload>.<HMAC-SHA256>.
const secret = crypto.randomBytes(32).toString('hex');
const hmacSign = () => {
  const body = Buffer.from(JSON.stringify({ k: principal.kind, sub: principal.id, act: principal.actingAccountId, sid: principal.sessionId, rid: principal.requestId, iat: 0, exp: 9e9 })).toString('base64url');
  return `v1.${body}.${crypto.createHmac('sha256', secret).update(`v1.${body}`).digest('base64url')}`;
};
const hmacVerify = (token: string) => {
  const [, body, mac] = token.split('.');
  const expected = Buffer.from(crypto.createHmac('sha256', secret).update(`v1.${body}`).digest('base64url'));
  if (!crypto.timingSafeEqual(expected, Buffer.from(mac))) throw new Error('bad');
  return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const spread = (values: number[]) => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;

async function microsPer(work: (i: number) => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < perRound; i++) await work(i);
  return Number(process.hrtime.bigint() - start) / 1e3 / perRound;
}

async function main() {
  const keys = generatePrincipalKeyPair();
  const signer = await PrincipalSigner.create(keys.privateJwk, GATEWAY_ISSUER, 30);
  const verifier = await PrincipalVerifier.create({ audience: 'account-hierarchy', gatewayPublicKeys: [keys.publicJwk], maxTtlSeconds: 30 });
  const samples = { hmacSign: [] as number[], jwtSign: [] as number[], hmacVerify: [] as number[], jwtVerify: [] as number[] };
  for (let round = -1; round < rounds; round++) {
    const hmacTokens: string[] = [];
    const jwtTokens: string[] = [];
    const hmacS = await microsPer(() => hmacTokens.push(hmacSign()));
    const jwtS = await microsPer(async () => jwtTokens.push(await signer.sign(principal, 'account-hierarchy')));
    const hmacV = await microsPer((i) => hmacVerify(hmacTokens[i]));
    const jwtV = await microsPer((i) => verifier.verify(jwtTokens[i]));
    if (round < 0) continue; // warm-up
    samples.hmacSign.push(hmacS);
    samples.jwtSign.push(jwtS);
    samples.hmacVerify.push(hmacV);
    samples.jwtVerify.push(jwtV);
  }
  const row = (name: string, before: number[], after: number[]) =>
    `${name.padEnd(8)} HMAC ${median(before).toFixed(1)} µs (${spread(before)})  EdDSA JWT ${median(after).toFixed(1)} µs (${spread(after)})  +${(median(after) - median(before)).toFixed(1)} µs per subgraph fetch`;
  console.log(`principal token, ${rounds} rounds of ${perRound}, Node ${process.version}`);
  console.log(row('sign', samples.hmacSign, samples.jwtSign));
  console.log(row('verify', samples.hmacVerify, samples.jwtVerify));
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
