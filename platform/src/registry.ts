import { SUBGRAPH_NAMES, type SubgraphName } from '@platform/config';
import type { Subgraph } from '@platform/server';
import { service as accountHierarchy } from '@platform/account-hierarchy';
import { service as billing } from '@platform/billing';
import { service as identity } from '@platform/identity';
import { service as messaging } from '@platform/messaging';

/** Every subgraph of the platform: adding one is one line here (and its ports in @platform/config). */
const REGISTERED: Subgraph[] = [accountHierarchy, identity, messaging, billing];

export const SUBGRAPHS = Object.fromEntries(REGISTERED.map((subgraph) => [subgraph.name, subgraph])) as Record<SubgraphName, Subgraph>;

/** In migration order: the hierarchy first (the others read its chain), then as configured. */
export const SUBGRAPHS_IN_ORDER: Subgraph[] = SUBGRAPH_NAMES.map((name) => SUBGRAPHS[name]);

/** The subgraphs in an order where each starts after those it calls. */
export function startOrder(): Subgraph[] {
  const ordered: Subgraph[] = [];
  const visit = (subgraph: Subgraph) => {
    if (ordered.includes(subgraph)) return;
    for (const callee of subgraph.calls) visit(SUBGRAPHS[callee]);
    ordered.push(subgraph);
  };
  SUBGRAPHS_IN_ORDER.forEach(visit);
  return ordered;
}
