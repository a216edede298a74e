/**
 * `npm run build [-- <out dir>]` (default `dist/`): the JavaScript the production image runs. Every
 * workspace's src/ (tests left out) and scripts/ are compiled file by file with swc (the transform the
 * test suites use: TypeORM's decorators keep their metadata), other files of src/ (GraphQL SDL, SQL,
 * JSON), schema/ and documents/first-party/ are copied, and each workspace's package.json points at the compiled files, so
 * `npm ci --omit=dev` in the output links the workspaces as in the repository.
 */
import fs from 'node:fs';
import path from 'node:path';
import { transformFileSync, type Options } from '@swc/core';

const ROOT = path.join(__dirname, '..');

const SWC: Options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: false,
  swcrc: false,
};

/** The workspaces' folders, relative to the repository. */
export function workspaceDirs(): string[] {
  const patterns = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  return patterns.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? fs.readdirSync(path.join(ROOT, pattern.slice(0, -2))).map((entry) => path.join(pattern.slice(0, -2), entry)).filter((dir) => fs.existsSync(path.join(ROOT, dir, 'package.json')))
      : [pattern],
  );
}

/** Compiles one TypeScript file to `target` (CommonJS, decorator metadata kept). */
export function compileFile(source: string, target: string): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, transformFileSync(source, SWC).code);
}

/** Compiles .ts files (not .d.ts) and copies the rest, leaving out tests. */
function buildTree(relativeDir: string, out: string, counts: { compiled: number; copied: number }): void {
  for (const entry of fs.readdirSync(path.join(ROOT, relativeDir), { withFileTypes: true })) {
    const relative = path.join(relativeDir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '__tests__' && entry.name !== 'node_modules') buildTree(relative, out, counts);
      continue;
    }
    const target = path.join(out, relative);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      compileFile(path.join(ROOT, relative), target.replace(/\.ts$/, '.js'));
      counts.compiled++;
    } else if (!entry.name.endsWith('.d.ts')) {
      fs.copyFileSync(path.join(ROOT, relative), target);
      counts.copied++;
    }
  }
}

const toJs = (value: unknown): unknown =>
  typeof value === 'string' ? value.replace(/\.ts$/, '.js') : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toJs(inner)])) : value;

export function build(out: string): { compiled: number; copied: number } {
  fs.rmSync(out, { recursive: true, force: true });
  const counts = { compiled: 0, copied: 0 };
  for (const file of ['package.json', 'package-lock.json']) fs.cpSync(path.join(ROOT, file), path.join(out, file));
  for (const dir of workspaceDirs()) {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8'));
    if (pkg.main) pkg.main = toJs(pkg.main);
    if (pkg.exports) pkg.exports = toJs(pkg.exports);
    fs.mkdirSync(path.join(out, dir), { recursive: true });
    fs.writeFileSync(path.join(out, dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    // The portal (no main) is static files built by Vite, served apart from the Node processes.
    if ((pkg.main || pkg.exports) && fs.existsSync(path.join(ROOT, dir, 'src'))) buildTree(path.join(dir, 'src'), out, counts);
  }
  for (const file of fs.readdirSync(path.join(ROOT, 'scripts')).filter((name) => name.endsWith('.ts'))) {
    compileFile(path.join(ROOT, 'scripts', file), path.join(out, 'scripts', file.replace(/\.ts$/, '.js')));
    counts.compiled++;
  }
  fs.cpSync(path.join(ROOT, 'schema'), path.join(out, 'schema'), { recursive: true });
  // The first-party trusted documents the gateway serves by id (the portal's).
  fs.cpSync(path.join(ROOT, 'documents', 'first-party'), path.join(out, 'documents', 'first-party'), { recursive: true });
  return counts;
}

if (require.main === module) {
  const out = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist'));
  const started = Date.now();
  const { compiled, copied } = build(out);
  console.log(`${out}: ${compiled} files compiled, ${copied} copied in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
