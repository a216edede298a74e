/**
 * V8 heap settings of the server processes (issue 17: peak RSS of every process ≤ 250 MB under the
 * bench's load). Without them V8 lets garbage pile up in the old generation, up to ~4× what survives a
 * full collection, before it collects: the gateway peaked at 310–345 MB and the hierarchy at 200–267 MB
 * for heaps of 50–100 MB live. A heap cap (--max-old-space-size=200/256/384) keeps every process under
 * 190 MB but costs 1.3–1.7× the CPU: near the cap V8 grows the old generation by little and collects
 * often. What is set instead, measured in bench/README.md ("Memory: V8 heap settings per role"; ~6–8 %
 * more CPU in the hierarchy and billing, within that machine's noise in the p50):
 * - heapGrowingPercent: the old generation may grow to (1 + p/100) × what survived the last full
 *   collection before the next one (V8's own factor goes up to 4), with no cap;
 * - maxSemiSpaceMb: a larger young generation, so fewer requests' objects survive two scavenges while
 *   they wait for I/O and get promoted (fewer full collections pay for the smaller factor).
 * The gateway gets a growing factor alone (its young generation stays V8's). Not set for the identity
 * subgraph, the worker, the webhook dispatcher and migrations.
 */
import v8 from 'node:v8';
import type { SubgraphName } from './index';

/**
 * The processes with settings of their own. The identity subgraph keeps V8's defaults (125–138 MB at peak
 * under the bench). The gateway, since it stopped loading Apollo Gateway (~32 MB of heap live at rest), peaked
 * at 229–255 MB under figures 1–3 with V8's defaults (its factor up to 4× that); a factor of 3 gave 203 MB under
 * figure 1 for the same CPU per 10,000-account tree (36/37 ms against 38/36 ms) and the same overhead, where a
 * factor of 1.5 had cost it 15–55 % of its CPU (bench/README.md, "Final run of session 9").
 */
export type ServerRole = Exclude<SubgraphName, 'identity'> | 'gateway';

export interface HeapSettings {
  /** `--max-semi-space-size` in MB: read when the heap is created, so it comes from NODE_OPTIONS (nodeOptionsFor); none: V8's. */
  maxSemiSpaceMb?: number;
  /** `--heap-growing-percent`: NODE_OPTIONS refuses it; the process sets it itself at start (applyHeapSettings). */
  heapGrowingPercent: number;
}

export const HEAP_SETTINGS: Record<ServerRole, HeapSettings> = {
  'account-hierarchy': { maxSemiSpaceMb: 32, heapGrowingPercent: 100 },
  messaging: { maxSemiSpaceMb: 32, heapGrowingPercent: 150 },
  billing: { maxSemiSpaceMb: 32, heapGrowingPercent: 150 },
  gateway: { heapGrowingPercent: 200 },
};

export function isServerRole(role: string): role is ServerRole {
  return role in HEAP_SETTINGS;
}

/** The NODE_OPTIONS of a role's process, if it needs any (docker-compose.yml and deploy/ set the same; a test compares them). */
export function nodeOptionsFor(role: ServerRole): string | undefined {
  const { maxSemiSpaceMb } = HEAP_SETTINGS[role];
  return maxSemiSpaceMb === undefined ? undefined : `--max-semi-space-size=${maxSemiSpaceMb}`;
}

/**
 * Sets the role's heap growing factor in this process, unless its command line sets one (an operator's
 * or the bench's override). V8 reads the flag at every full collection, so setting it at start acts as
 * the command-line flag would.
 */
export function applyHeapSettings(role: ServerRole, execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_SETTINGS[role].heapGrowingPercent}`);
}
