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

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/**
 * What a heap snapshot (`v8.writeHeapSnapshot`) retains: self size by constructor, and the objects that
 * retain most (retained size: what would be freed with them, from the dominator tree of the strong edges).
 */
export function summariseHeapSnapshot(file: string, top = 25): string {
  const heap = JSON.parse(fs.readFileSync(file, 'utf8')) as HeapSnapshot;
  const { node_fields: nodeFields, node_types: [nodeTypes], edge_fields: edgeFields, edge_types: [edgeTypes] } = heap.snapshot.meta;
  const nodeSize = nodeFields.length;
  const edgeSize = edgeFields.length;
  const [typeAt, nameAt, selfAt, edgeCountAt] = ['type', 'name', 'self_size', 'edge_count'].map((field) => nodeFields.indexOf(field));
  const [edgeTypeAt, edgeNameAt, toAt] = ['type', 'name_or_index', 'to_node'].map((field) => edgeFields.indexOf(field));
  const weak = edgeTypes.indexOf('weak');
  const shortcut = edgeTypes.indexOf('shortcut');
  const count = heap.nodes.length / nodeSize;
  const firstEdge = new Uint32Array(count + 1);
  for (let node = 0; node < count; node++) firstEdge[node + 1] = firstEdge[node] + heap.nodes[node * nodeSize + edgeCountAt];
  const targets = (node: number, visit: (target: number, edge: number) => void) => {
    for (let edge = firstEdge[node]; edge < firstEdge[node + 1]; edge++) {
      const type = heap.edges[edge * edgeSize + edgeTypeAt];
      if (type !== weak && type !== shortcut) visit(heap.edges[edge * edgeSize + toAt] / nodeSize, edge);
    }
  };
  // Reverse postorder from the root (node 0), then the dominators (Cooper, Harvey and Kennedy's iteration).
  const order = new Int32Array(count).fill(-1);
  const postorder: number[] = [];
  const stack: [number, number][] = [[0, firstEdge[0]]];
  order[0] = 0;
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [node] = top;
    let pushed = false;
    while (top[1] < firstEdge[node + 1]) {
      const edge = top[1]++;
      const type = heap.edges[edge * edgeSize + edgeTypeAt];
      const target = heap.edges[edge * edgeSize + toAt] / nodeSize;
      if (type === weak || type === shortcut || order[target] !== -1) continue;
      order[target] = 0;
      stack.push([target, firstEdge[target]]);
      pushed = true;
      break;
    }
    if (!pushed) {
      stack.pop();
      order[node] = postorder.length;
      postorder.push(node);
    }
  }
  const predecessors: number[][] = Array.from({ length: count }, () => []);
  for (const node of postorder) targets(node, (target) => predecessors[target].push(node));
  const dominator = new Int32Array(count).fill(-1);
  dominator[0] = 0;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (order[a] < order[b]) a = dominator[a];
      while (order[b] < order[a]) b = dominator[b];
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = postorder.length - 2; i >= 0; i--) {
      const node = postorder[i];
      let idom = -1;
      for (const predecessor of predecessors[node]) if (dominator[predecessor] !== -1) idom = idom === -1 ? predecessor : intersect(predecessor, idom);
      if (idom !== dominator[node]) {
        dominator[node] = idom;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(count);
  for (const node of postorder) {
    retained[node] += heap.nodes[node * nodeSize + selfAt];
    if (node !== 0) retained[dominator[node]] += retained[node];
  }
  const label = (node: number) => `${nodeTypes[heap.nodes[node * nodeSize + typeAt]]} ${heap.strings[heap.nodes[node * nodeSize + nameAt]].slice(0, 60).replace(/[|\n]/g, ' ')}`;
  const edgeName = (from: number, to: number) => {
    let name = '';
    targets(from, (target, edge) => {
      if (target !== to || name) return;
      const value = heap.edges[edge * edgeSize + edgeNameAt];
      const type = edgeTypes[heap.edges[edge * edgeSize + edgeTypeAt]];
      name = type === 'element' || type === 'hidden' ? `[${value}]` : heap.strings[value];
    });
    return name.slice(0, 40);
  };
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const bySelf = new Map<string, number>();
  for (const node of postorder) bySelf.set(label(node), (bySelf.get(label(node)) ?? 0) + heap.nodes[node * nodeSize + selfAt]);
  const total = retained[0];
  // The largest objects that are not the root, its synthetic groups or a (GC roots) category.
  const largest = postorder
    .filter((node) => node !== 0 && dominator[node] !== 0 && retained[node] > total / 500)
    .sort((a, b) => retained[b] - retained[a])
    .slice(0, top * 3)
    .filter((node, _i, list) => !list.includes(dominator[node]) || retained[node] < retained[dominator[node]] * 0.6)
    .slice(0, top);
  return [
    `reachable ${mb(total)} MB in ${postorder.length} objects`,
    '',
    '| self size by type and constructor | MB |',
    '|---|---|',
    ...[...bySelf.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([key, bytes]) => `| ${key} | ${mb(bytes)} |`),
    '',
    '| largest retainers (retained size) | held as | by | MB |',
    '|---|---|---|---|',
    ...largest.map((node) => `| ${label(node)} | ${edgeName(dominator[node], node)} | ${label(dominator[node])} | ${mb(retained[node])} |`),
  ].join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (file.endsWith('.heapsnapshot')) console.log(summariseHeapSnapshot(file, Number(top ?? 25)));
  else console.log(file.endsWith('.heapprofile') ? summariseHeapProfile(file, Number(top ?? 15)).text : summariseProfile(file, Number(top ?? 15)));
}
