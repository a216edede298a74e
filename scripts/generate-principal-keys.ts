/**
 * Prints a fresh Ed25519 key pair for principal tokens (SPEC G2) as environment lines.
 *   npm run keys:generate                 → the gateway's and messaging's pairs
 *   npm run keys:generate -- gateway      → one new gateway pair (rotation: see README, "Principal tokens")
 */
import { generatePrincipalKeyPair } from '@platform/config';

const signers = { gateway: ['GATEWAY_PRINCIPAL_PRIVATE_KEY', 'GATEWAY_PRINCIPAL_PUBLIC_KEYS'], messaging: ['MESSAGING_SERVICE_PRIVATE_KEY', 'MESSAGING_SERVICE_PUBLIC_KEYS'] } as const;
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in signers));
if (unknown.length) {
  process.stderr.write(`unknown signer ${unknown.join(', ')}; choose from ${Object.keys(signers).join(', ')}\n`);
  process.exit(2);
}
for (const name of (wanted.length ? wanted : Object.keys(signers)) as (keyof typeof signers)[]) {
  const { privateJwk, publicJwk } = generatePrincipalKeyPair();
  const [privateVariable, publicVariable] = signers[name];
  process.stdout.write(`${privateVariable}='${JSON.stringify(privateJwk)}'\n${publicVariable}='${JSON.stringify({ keys: [publicJwk] })}'\n`);
}
