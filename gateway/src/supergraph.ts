import fs from 'node:fs';
import path from 'node:path';

/** The supergraph the gateway serves, composed at build time (`npm run supergraph:compose`) and committed. */
export const SUPERGRAPH_PATH = path.join(__dirname, '..', '..', 'schema', 'supergraph.graphql');

export function readCommittedSupergraph(): string {
  return fs.readFileSync(SUPERGRAPH_PATH, 'utf8');
}
