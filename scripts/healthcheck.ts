/**
 * The image's HEALTHCHECK: finds the role the container runs (the `platform.js <role>` process) and
 * asks that role's liveness endpoint — the gateway's or the subgraph's port, or the METRICS_PORT
 * listener of a worker or webhook dispatcher. Exit 0 healthy, 1 not.
 */
import fs from 'node:fs';
import { loadConfig, SUBGRAPH_NAMES, type SubgraphName } from '@platform/config';

/** The arguments after `platform.js` of the first process running it (PID 1 is init under `init: true`). */
function runningRole(): string[] | null {
  for (const pid of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue;
    }
    const at = argv.findIndex((arg) => arg.endsWith('scripts/platform.js'));
    if (at >= 0 && Number(pid) !== process.pid) return argv.slice(at + 1);
  }
  return null;
}

export function healthUrl(role: string[], config = loadConfig()): string | null {
  const [name, argument] = role;
  if (name === 'gateway') return `http://127.0.0.1:${config.gatewayPort}/health`;
  if (name === 'subgraph' && SUBGRAPH_NAMES.includes(argument as SubgraphName)) return `http://127.0.0.1:${config.subgraphPorts[argument as SubgraphName]}/health`;
  if ((name === 'worker' || name === 'webhook-dispatcher') && config.metrics.enabled && config.metrics.port !== null) return `http://127.0.0.1:${config.metrics.port}/health`;
  return null;
}

async function main(): Promise<number> {
  const role = runningRole();
  if (!role) return 1;
  // migrate exits when done; a worker without METRICS_PORT has no endpoint: alive while it runs.
  const url = healthUrl(role);
  if (!url) return 0;
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
  return response?.ok ? 0 : 1;
}

if (require.main === module) void main().then((code) => process.exit(code), () => process.exit(1));
