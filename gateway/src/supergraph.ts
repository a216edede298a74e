import fs from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { SUBGRAPH_NAMES, type SubgraphName } from '@platform/config';
import { readSubgraphSdl } from '@platform/server';

export const SUPERGRAPH_PATH = path.join(__dirname, '..', '..', 'schema', 'supergraph.graphql');

const SERVICE_DIRS: Record<SubgraphName, string> = {
  'account-hierarchy': path.join(__dirname, '..', '..', 'services', 'account-hierarchy'),
  identity: path.join(__dirname, '..', '..', 'services', 'identity'),
  messaging: path.join(__dirname, '..', '..', 'services', 'messaging'),
  billing: path.join(__dirname, '..', '..', 'services', 'billing'),
};

/** The URLs written into the committed supergraph; the gateway overrides them from config. */
const DEFAULT_URLS: Record<SubgraphName, string> = {
  'account-hierarchy': 'http://127.0.0.1:4001/graphql',
  identity: 'http://127.0.0.1:4002/graphql',
  messaging: 'http://127.0.0.1:4003/graphql',
  billing: 'http://127.0.0.1:4004/graphql',
};

/** Composes the four subgraph SDLs into the supergraph SDL (SPEC G1). */
export function composeSupergraph(): string {
  const result = composeServices(
    SUBGRAPH_NAMES.map((name) => ({
      name,
      url: DEFAULT_URLS[name],
      typeDefs: parse(readSubgraphSdl(SERVICE_DIRS[name])),
    })),
  );
  if (result.errors) throw new Error(`Composition failed:\n${result.errors.map((e) => e.message).join('\n')}`);
  return result.supergraphSdl.endsWith('\n') ? result.supergraphSdl : `${result.supergraphSdl}\n`;
}

export function readCommittedSupergraph(): string {
  return fs.readFileSync(SUPERGRAPH_PATH, 'utf8');
}
