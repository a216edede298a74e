/**
 * `npm run schema:check-changes`: compares the client-facing schema (the supergraph's API schema:
 * what the gateway serves, @inaccessible fields removed) with the one at a base commit and fails
 * on a breaking change unless it is intended: every breaking change must be named (its schema
 * coordinate, e.g. `Contact.createdAt`) in CHANGELOG.md, and a commit since the base must say
 * `BREAKING CHANGE:`.
 *
 * Base: SCHEMA_BASE_REF if set; else the merge base with origin/main when HEAD is not on it; else HEAD~1.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';

const SUPERGRAPH = 'schema/supergraph.graphql';

const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

function tryGit(...args: string[]): string | null {
  try {
    return git(...args);
  } catch {
    return null;
  }
}

function baseRef(): string | null {
  if (process.env.SCHEMA_BASE_REF) return process.env.SCHEMA_BASE_REF;
  const head = git('rev-parse', 'HEAD');
  const mergeBase = tryGit('merge-base', 'HEAD', 'origin/main');
  if (mergeBase && mergeBase !== head) return mergeBase;
  return tryGit('rev-parse', 'HEAD~1');
}

const apiSchema = (supergraphSdl: string): GraphQLSchema => Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();

async function main(): Promise<void> {
  const base = baseRef();
  const baseSdl = base ? tryGit('show', `${base}:${SUPERGRAPH}`) : null;
  if (!base || !baseSdl) {
    console.log('schema changes: no base commit with a supergraph to compare with');
    return;
  }
  const changes = await diff(apiSchema(baseSdl), apiSchema(fs.readFileSync(SUPERGRAPH, 'utf8')));
  const breaking = changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking);
  console.log(`schema changes since ${base.slice(0, 12)}: ${changes.length} (${breaking.length} breaking)`);
  if (breaking.length === 0) return;
  const changelog = fs.existsSync('CHANGELOG.md') ? fs.readFileSync('CHANGELOG.md', 'utf8') : '';
  const announced = /BREAKING CHANGE:/.test(git('log', '--format=%B', `${base}..HEAD`));
  const unannounced = breaking.filter((change) => !announced || !changelog.includes(change.path ?? change.message));
  for (const change of breaking) console.log(`  ${unannounced.includes(change) ? '✗' : '✓'} ${change.message}`);
  if (unannounced.length) {
    console.error(`${unannounced.length} breaking change(s) of the client-facing schema without a CHANGELOG.md entry naming it${announced ? '' : ' and a "BREAKING CHANGE:" commit note'}`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
