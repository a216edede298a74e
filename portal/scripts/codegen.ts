/**
 * `npm run portal:codegen [-- --check]`: types the portal's operations (`portal/src/**` `graphql(…)`) against
 * the API schema of `schema/supergraph.graphql` with graphql-codegen's client preset into
 * `portal/src/__generated__/`, and writes the portal's first-party trusted documents manifest
 * `documents/first-party/portal.json` (Apollo persisted query manifest; the gateway serves these ids).
 * The bundle carries only the hashes (`replaceDocumentWithHash`), so the portal can send nothing else.
 * `--check` writes nothing and fails when a committed file differs.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { parse, printSchema, type OperationDefinitionNode } from 'graphql';
import { apiSchema, serializeManifest, type PersistedQueryManifest } from '../../scripts/documents-manifest';

const ROOT = path.join(__dirname, '..', '..');
export const GENERATED_DIR = path.join(ROOT, 'portal', 'src', '__generated__');
export const PORTAL_MANIFEST_PATH = path.join(ROOT, 'documents', 'first-party', 'portal.json');
const PERSISTED_DOCUMENTS = 'persisted-documents.json';

/** Every generated file (path → content): the client preset's output and the first-party manifest. */
export async function portalCodegen(): Promise<Map<string, string>> {
  const outputs = await generate(
    {
      cwd: ROOT,
      schema: printSchema(apiSchema()),
      documents: ['portal/src/**/*.graphql', '!portal/src/__generated__/**', '!portal/src/__tests__/**'],
      silent: true,
      errorsOnly: true,
      generates: {
        'portal/src/__generated__/': {
          preset: 'client',
          presetConfig: { fragmentMasking: false, persistedDocuments: { mode: 'replaceDocumentWithHash', hashAlgorithm: 'sha256' } },
          config: { enumsAsTypes: true, useTypeImports: true, scalars: { DateTime: 'string', Date: 'string', JSON: 'unknown' }, avoidOptionals: { field: true } },
        },
      },
    },
    false,
  );
  const files = new Map<string, string>();
  for (const output of outputs) files.set(path.resolve(ROOT, output.filename), output.content.endsWith('\n') ? output.content : `${output.content}\n`);
  const persisted = files.get(path.join(GENERATED_DIR, PERSISTED_DOCUMENTS));
  if (!persisted) throw new Error('the client preset wrote no persisted documents');
  // The preset names each document `sha256:<hex>` (GraphQL over HTTP's persisted documents); manifests carry the hex.
  const operations = Object.entries(JSON.parse(persisted) as Record<string, string>).map(([documentId, body]) => {
    const id = documentId.replace(/^sha256:/, '');
    if (crypto.createHash('sha256').update(body, 'utf8').digest('hex') !== id) throw new Error(`the hash of a portal document is not the SHA-256 of its text: ${body.slice(0, 60)}`);
    const operation = parse(body).definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    if (!operation?.name) throw new Error(`every portal operation is named: ${body.slice(0, 60)}`);
    return { id, name: operation.name.value, type: operation.operation, body };
  });
  operations.sort((a, b) => a.name.localeCompare(b.name));
  const manifest: PersistedQueryManifest = { format: 'apollo-persisted-query-manifest', version: 1, operations };
  files.set(PORTAL_MANIFEST_PATH, serializeManifest(manifest));
  return files;
}

/** Files that differ from what is committed (relative paths), stale generated files included. */
export function staleFiles(files: Map<string, string>): string[] {
  const stale = [...files].filter(([file, content]) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== content).map(([file]) => file);
  const extra = fs.existsSync(GENERATED_DIR) ? fs.readdirSync(GENERATED_DIR).map((name) => path.join(GENERATED_DIR, name)).filter((file) => !files.has(file)) : [];
  return [...stale, ...extra].map((file) => path.relative(ROOT, file));
}

async function main(): Promise<void> {
  const files = await portalCodegen();
  if (process.argv.includes('--check')) {
    const stale = staleFiles(files);
    if (stale.length) {
      console.error(`out of date: ${stale.join(', ')}; run npm run portal:codegen`);
      process.exit(1);
    }
    console.log('portal generated files are up to date');
    return;
  }
  fs.rmSync(GENERATED_DIR, { recursive: true, force: true });
  for (const [file, content] of files) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  console.log(`portal: ${files.size} generated files`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
