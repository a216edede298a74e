import type { SubgraphName } from '@platform/config';
import type { Subgraph } from '@platform/server';

/**
 * One subgraph's definition, loading that subgraph's package only. The registry (registry.ts) imports
 * all four for the in-process platform and the tests; a process that serves one subgraph
 * (`scripts/run-subgraph.ts`, the bench's servers) would then hold every other subgraph's schema,
 * entities and libraries too: ~50 MB of RSS and ~25 MB of heap at rest for nothing.
 */
const LOADERS: Record<SubgraphName, () => Promise<{ service: Subgraph }>> = {
  'account-hierarchy': () => import('@platform/account-hierarchy'),
  identity: () => import('@platform/identity'),
  messaging: () => import('@platform/messaging'),
  billing: () => import('@platform/billing'),
};

export async function loadSubgraph(name: SubgraphName): Promise<Subgraph> {
  return (await LOADERS[name]()).service;
}
