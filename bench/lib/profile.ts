/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) by self time: per package (node_modules/<name>,
 * our own workspaces by folder, node: internals) and per function. Used to say what bounds a
 * figure that misses its goal.
 *
 *   npx tsx bench/lib/profile.ts <file.cpuprofile> [top]
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

function owner(url: string): string {
  if (!url) return '(native/gc/idle)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  const ours = /\/work\/main\/([^/]+\/[^/]+)\//.exec(url) ?? /\/((?:shared|services|gateway|bench)\/[^/]+)/.exec(url);
  return ours ? ours[1] : url;
}

export function summariseProfile(file: string, top = 15): string {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const node = byNode.get(id)!;
    const name = node.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const pkg = name === '(garbage collector)' ? '(garbage collector)' : owner(node.callFrame.url);
    byOwner.set(pkg, (byOwner.get(pkg) ?? 0) + us);
    const key = `${name} (${pkg}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ''})`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const rows = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `| ${k} | ${(us / 1000).toFixed(0)} ms | ${((100 * us) / total).toFixed(1)} % |`);
  return [
    `busy ${(total / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms`,
    '',
    '| self time by package | ms | share of busy |',
    '|---|---|---|',
    ...rows(byOwner),
    '',
    '| self time by function | ms | share of busy |',
    '|---|---|---|',
    ...rows(byFunction),
  ].join('\n');
}

if (require.main === module) {
  console.log(summariseProfile(process.argv[2], Number(process.argv[3] ?? 15)));
}
