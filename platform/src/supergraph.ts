import { composeServices } from '@apollo/composition';
import type { SubgraphName } from '@platform/config';
import { SUBGRAPHS_IN_ORDER } from './registry';

/** The URLs written into the committed supergraph; the gateway overrides them from config. */
const DEFAULT_URLS: Record<SubgraphName, string> = {
  'account-hierarchy': 'http://127.0.0.1:4001/graphql',
  identity: 'http://127.0.0.1:4002/graphql',
  messaging: 'http://127.0.0.1:4003/graphql',
  billing: 'http://127.0.0.1:4004/graphql',
};

/** Composes the subgraphs' SDL into the supergraph SDL (SPEC G1); a build-time step, never run by the gateway. */
export function composeSupergraph(): string {
  const result = composeServices(SUBGRAPHS_IN_ORDER.map((subgraph) => ({ name: subgraph.name, url: DEFAULT_URLS[subgraph.name], typeDefs: subgraph.typeDefs })));
  if (result.errors) throw new Error(`Composition failed:\n${result.errors.map((e) => e.message).join('\n')}`);
  return result.supergraphSdl.endsWith('\n') ? result.supergraphSdl : `${result.supergraphSdl}\n`;
}
