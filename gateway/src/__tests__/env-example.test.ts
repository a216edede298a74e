import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generatePrincipalKeyPair, loadConfig, tracingEnabled } from '@platform/config';

const ROOT = path.join(__dirname, '..', '..', '..');
const CONFIG_SOURCES = [path.join(ROOT, 'shared', 'config', 'src'), path.join(ROOT, 'shared', 'telemetry', 'src')];
/** Read by docker-compose.yml's interpolation only, never by a process of the platform. */
const COMPOSE_ONLY = ['POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'GATEWAY_PUBLISHED_PORT'];

/** NAME=value lines of .env.example, each with the comment line just above it. */
function exampleEntries(): { name: string; comment: string; value: string }[] {
  const lines = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8').split('\n');
  return lines.flatMap((line, index) => {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    return match ? [{ name: match[1], value: match[2], comment: lines[index - 1] ?? '' }] : [];
  });
}

/** The names loadConfig and tracingEnabled look up, recorded by an environment that notes every key asked for. */
function variablesReadAtRuntime(): Set<string> {
  const read = new Set<string>();
  const recording = (values: Record<string, string>): NodeJS.ProcessEnv =>
    new Proxy(values, {
      get: (target, key) => (typeof key === 'string' && read.add(key), target[key as string]),
      has: (target, key) => (typeof key === 'string' && read.add(key), key in target),
    });
  const gateway = generatePrincipalKeyPair();
  const messaging = generatePrincipalKeyPair();
  loadConfig(
    recording({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://platform:p@postgres:5432/platform',
      INTERNAL_SIGNING_SECRET: 's'.repeat(40),
      WEBHOOK_ENCRYPTION_KEY: 'w'.repeat(40),
      GATEWAY_PRINCIPAL_PUBLIC_KEYS: JSON.stringify({ keys: [gateway.publicJwk] }),
      MESSAGING_SERVICE_PUBLIC_KEYS: JSON.stringify({ keys: [messaging.publicJwk] }),
      METRICS_PORT: '9464',
    }),
  );
  // Outside production without keys, the development key file is read (or made) too.
  const keysDir = fs.mkdtempSync(path.join(os.tmpdir(), 'env-example-'));
  loadConfig(recording({ NODE_ENV: 'test', PRINCIPAL_KEYS_FILE: path.join(keysDir, 'keys.json') }));
  fs.rmSync(keysDir, { recursive: true, force: true });
  tracingEnabled(recording({}));
  tracingEnabled(recording({ OTEL_TRACES_EXPORTER: '' }));
  return read;
}

/** The names the configuration sources mention as environment reads: env.X, env['X'], and the string literals handed to its readers. */
function variablesReadInSource(): Set<string> {
  const names = new Set<string>();
  const patterns = [/\benv\.([A-Z][A-Z0-9_]*)/g, /\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]/g, /\b(?:integer|url|boolean|read)\(\s*'([A-Z][A-Z0-9_]*)'/g, /:\s*'([A-Z][A-Z0-9]*_(?:PORT|URL))'/g];
  for (const dir of CONFIG_SOURCES) {
    for (const file of fs.readdirSync(dir).filter((entry) => entry.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      for (const pattern of patterns) for (const match of text.matchAll(pattern)) names.add(match[1]);
    }
  }
  return names;
}

describe('.env.example', () => {
  it('lists every variable the configuration reads', () => {
    // Arrange
    const listed = new Set(exampleEntries().map((entry) => entry.name));

    // Act
    const runtime = variablesReadAtRuntime();
    const source = variablesReadInSource();

    // Assert
    // Both ways of finding the reads agree on the bulk of them (a sanity check of each).
    expect(runtime.size).toBeGreaterThan(60);
    expect([...runtime].filter((name) => !source.has(name))).toEqual([]);
    expect([...new Set([...runtime, ...source])].filter((name) => !listed.has(name)).sort()).toEqual([]);
  });

  it('lists no variable that nothing reads, each once, with a comment and no real secret', () => {
    // Arrange
    const known = new Set([...variablesReadAtRuntime(), ...variablesReadInSource(), ...COMPOSE_ONLY]);

    // Act
    const entries = exampleEntries();

    // Assert
    expect(entries.filter((entry) => !known.has(entry.name)).map((entry) => entry.name)).toEqual([]);
    expect(entries.length).toBe(new Set(entries.map((entry) => entry.name)).size);
    for (const entry of entries) expect(`${entry.name}: ${entry.comment}`).toMatch(/^[A-Z0-9_]+: # \S/);
    for (const entry of entries.filter((e) => /SECRET|PRIVATE_KEY|PUBLIC_KEYS|ENCRYPTION_KEY|PASSWORD/.test(e.name))) expect(`${entry.name}=${entry.value}`).toMatch(/=<[a-z0-9-]+>$/);
    for (const entry of entries.filter((e) => /_URL$/.test(e.name) && e.value.includes('@'))) expect(`${entry.name}=${entry.value}`).toMatch(/:<[a-z-]+-password>@/);
  });

});
