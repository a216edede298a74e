/** `npm run supergraph:compose` writes schema/supergraph.graphql; `--check` fails when it is stale. */
import fs from 'node:fs';
import { SUPERGRAPH_PATH } from '@platform/gateway';
import { composeSupergraph } from '@platform/platform';

const composed = composeSupergraph();
if (process.argv.includes('--check')) {
  const committed = fs.existsSync(SUPERGRAPH_PATH) ? fs.readFileSync(SUPERGRAPH_PATH, 'utf8') : '';
  if (committed !== composed) {
    console.error('schema/supergraph.graphql is stale: run npm run supergraph:compose and commit it');
    process.exit(1);
  }
  console.log('schema/supergraph.graphql is up to date');
} else {
  fs.writeFileSync(SUPERGRAPH_PATH, composed);
  console.log(`wrote ${SUPERGRAPH_PATH}`);
}
