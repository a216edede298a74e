/**
 * `npm run documents:manifest [-- --check]`: builds the Apollo persisted query manifest of the partner
 * documents (`documents/*.graphql`, one named operation each, named as its file) into
 * `documents/manifest.json`: each body is the document printed by graphql-js (comments dropped), its id
 * the SHA-256 of that body. Refuses a document that does not validate against the API schema of
 * `schema/supergraph.graphql`. `--check` writes nothing and fails when the committed manifest differs.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { parse, print, validate, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

const ROOT = path.join(__dirname, '..');
export const DOCUMENTS_DIR = path.join(ROOT, 'documents');
export const MANIFEST_PATH = path.join(DOCUMENTS_DIR, 'manifest.json');
const SUPERGRAPH_PATH = path.join(ROOT, 'schema', 'supergraph.graphql');

export interface ManifestOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}
export interface PersistedQueryManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: ManifestOperation[];
}

export const apiSchema = (supergraphSdl = fs.readFileSync(SUPERGRAPH_PATH, 'utf8')): GraphQLSchema => Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();

/** The manifest of every document in `dir`, in file-name order; throws listing every problem. */
export function buildManifest(dir = DOCUMENTS_DIR, schema = apiSchema()): PersistedQueryManifest {
  const problems: string[] = [];
  const operations: ManifestOperation[] = [];
  for (const file of fs.readdirSync(dir).filter((entry) => entry.endsWith('.graphql')).sort()) {
    const expectedName = path.basename(file, '.graphql');
    let document;
    try {
      document = parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
      continue;
    }
    const definitions = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    if (definitions.length !== 1 || definitions[0].name?.value !== expectedName) {
      problems.push(`${file}: must hold exactly one operation, named ${expectedName}`);
      continue;
    }
    for (const error of validate(schema, document)) problems.push(`${file}: ${error.message}`);
    const body = print(document);
    operations.push({ id: crypto.createHash('sha256').update(body, 'utf8').digest('hex'), name: expectedName, type: definitions[0].operation, body });
  }
  if (operations.length === 0 && problems.length === 0) problems.push(`${dir}: no .graphql documents`);
  if (problems.length) throw new Error(`Invalid partner documents:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

export const serializeManifest = (manifest: PersistedQueryManifest): string => `${JSON.stringify(manifest, null, 2)}\n`;

function main(): void {
  const text = serializeManifest(buildManifest());
  if (process.argv.includes('--check')) {
    const committed = fs.existsSync(MANIFEST_PATH) ? fs.readFileSync(MANIFEST_PATH, 'utf8') : '';
    if (committed !== text) {
      console.error('documents/manifest.json is out of date: run npm run documents:manifest');
      process.exit(1);
    }
    console.log('documents/manifest.json is up to date');
    return;
  }
  fs.writeFileSync(MANIFEST_PATH, text);
  console.log(`documents/manifest.json: ${JSON.parse(text).operations.length} operations`);
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
