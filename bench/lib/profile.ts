/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) by self time: per package (node_modules/<name>,
 * our own workspaces by folder, node: internals) and per function. Used to say what bounds a
 * figure that misses its goal. A sampling heap profile (`.heapprofile`: `--heap-prof`, or
 * bench/allocation.ts) is summarised the same way by bytes allocated, and by the deepest function of
 * our own code on the stack of each allocation.
 *
 *   npx tsx bench/lib/profile.ts <file.cpuprofile | file.heapprofile> [top]
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

interface HeapProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapProfileNode[];
}

const isOurs = (url: string) => /\/(shared|services|gateway|platform|bench)\//.test(url) && !url.includes('node_modules');

export function summariseHeapProfile(file: string, top = 15): { totalBytes: number; text: string } {
  const { head } = JSON.parse(fs.readFileSync(file, 'utf8')) as { head: HeapProfileNode };
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const byOurCaller = new Map<string, number>();
  let total = 0;
  const add = (map: Map<string, number>, key: string, bytes: number) => map.set(key, (map.get(key) ?? 0) + bytes);
  const frameName = (node: HeapProfileNode) => `${node.callFrame.functionName || '(anonymous)'} (${owner(node.callFrame.url)}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ''})`;
  const walk = (node: HeapProfileNode, ourCaller: string) => {
    const caller = isOurs(node.callFrame.url) ? frameName(node) : ourCaller;
    if (node.selfSize > 0) {
      total += node.selfSize;
      add(byOwner, owner(node.callFrame.url), node.selfSize);
      add(byFunction, frameName(node), node.selfSize);
      add(byOurCaller, caller, node.selfSize);
    }
    for (const child of node.children) walk(child, caller);
  };
  walk(head, '(no frame of ours)');
  const rows = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, bytes]) => `| ${k} | ${(bytes / 2 ** 20).toFixed(1)} MB | ${((100 * bytes) / total).toFixed(1)} % |`);
  const table = (title: string, map: Map<string, number>) => [`| ${title} | allocated | share |`, '|---|---|---|', ...rows(map), ''];
  return {
    totalBytes: total,
    text: [
      `allocated ${(total / 2 ** 20).toFixed(1)} MB (sampled)`,
      '',
      ...table('by package', byOwner),
      ...table('by function', byFunction),
      ...table('by the deepest function of ours on the stack', byOurCaller),
    ].join('\n'),
  };
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  console.log(file.endsWith('.heapprofile') ? summariseHeapProfile(file, Number(top ?? 15)).text : summariseProfile(file, Number(top ?? 15)));
}
