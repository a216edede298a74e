import { composeServices } from '@apollo/composition';
import { DEFAULT_SUBGRAPH_PORTS } from '@platform/config';
import { SUBGRAPHS_IN_ORDER } from './registry';

/** Composes the subgraphs' SDL into the supergraph SDL (SPEC G1); a build-time step, never run by the gateway. */
export function composeSupergraph(): string {
  const result = composeServices(
    SUBGRAPHS_IN_ORDER.map((subgraph) => ({
      name: subgraph.name,
      // the default URL; the gateway overrides it from config
      url: `http://127.0.0.1:${DEFAULT_SUBGRAPH_PORTS[subgraph.name]}/graphql`,
      typeDefs: subgraph.typeDefs,
    })),
  );
  if (result.errors) throw new Error(`Composition failed:\n${result.errors.map((e) => e.message).join('\n')}`);
  return result.supergraphSdl.endsWith('\n') ? result.supergraphSdl : `${result.supergraphSdl}\n`;
}
