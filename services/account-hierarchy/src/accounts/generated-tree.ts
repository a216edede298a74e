import crypto from 'node:crypto';
import type { Pool } from 'pg';

export interface GeneratedTree {
  rootId: string;
  accountIds: string[];
}

/**
 * Inserts a tree of `size` accounts (root included) breadth-first with `fanout` children per
 * account, never deeper than level 5, in one statement (children are named `<parent>.<n>` unless
 * `childName` says otherwise): the accounts module's own helper for tests
 * and benchmarks that need big trees (other modules seed accounts through it, not with SQL of their own).
 */
export async function insertAccountTree(
  sql: Pool,
  options: { size: number; fanout?: number; name?: string; childName?: (parentName: string, index: number) => string },
): Promise<GeneratedTree> {
  const fanout = options.fanout ?? 10;
  const ids: string[] = [];
  const parents: (string | null)[] = [];
  const paths: string[][] = [];
  const names: string[] = [];
  const queue: number[] = [];
  const add = (parentIndex: number | null, name: string) => {
    const id = crypto.randomUUID();
    ids.push(id);
    parents.push(parentIndex === null ? null : ids[parentIndex]);
    paths.push(parentIndex === null ? [id] : [...paths[parentIndex], id]);
    names.push(name);
    queue.push(ids.length - 1);
  };
  add(null, options.name ?? `Generated tree ${options.size}`);
  let head = 0;
  while (ids.length < options.size && head < queue.length) {
    const parentIndex = queue[head++];
    if (paths[parentIndex].length > 5) continue;
    for (let i = 0; i < fanout && ids.length < options.size; i++) add(parentIndex, options.childName ? options.childName(names[parentIndex], i) : `${names[parentIndex]}.${i + 1}`);
  }
  await sql.query(
    `INSERT INTO hierarchy.accounts (id, parent_id, root_id, path, depth, name)
     SELECT t.id, t.parent_id, $4::uuid, string_to_array(t.path, ',')::uuid[], array_length(string_to_array(t.path, ','), 1) - 1, t.name
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $5::text[]) AS t(id, parent_id, path, name)`,
    [ids, parents, paths.map((p) => p.join(',')), ids[0], names],
  );
  return { rootId: ids[0], accountIds: ids };
}
