import crypto from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

const NAME_PATTERN = /^[a-z_][a-z0-9_]*$/;

/**
 * Creates a throwaway database with a random name on the server of serverUrl, empty or as a copy
 * of `template` (a database made by `createTemplateDatabase`).
 */
export async function createTestDatabase(serverUrl: string, options: { template?: string; namePrefix?: string } = {}): Promise<TestDatabase> {
  const name = `${options.namePrefix ?? 'test_'}${crypto.randomBytes(6).toString('hex')}`;
  if (!NAME_PATTERN.test(name)) throw new Error(`Invalid database name prefix ${options.namePrefix}`);
  if (options.template !== undefined && !NAME_PATTERN.test(options.template)) throw new Error(`Invalid template name ${options.template}`);
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(options.template ? `CREATE DATABASE "${name}" TEMPLATE "${options.template}"` : `CREATE DATABASE "${name}"`);
    // A throwaway database needs no durability: commits do not wait for the WAL flush (the suites write a lot).
    await admin.query(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: async () => {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      try {
        // Let connections that are still finishing their work end first; FORCE only the stragglers.
        for (let attempt = 0; attempt < 50; attempt++) {
          const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          if (rows[0].n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Makes a template database: `prepare` fills it (migrations, demo data), then it is closed to
 * connections so that any number of `createTestDatabase({ template })` copy it at once.
 */
export async function createTemplateDatabase(serverUrl: string, name: string, prepare: (url: string) => Promise<void>): Promise<{ name: string; drop(): Promise<void> }> {
  if (!NAME_PATTERN.test(name)) throw new Error(`Invalid template name ${name}`);
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
    await prepare(withDatabase(serverUrl, name));
    await admin.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
  } finally {
    await admin.end();
  }
  return {
    name,
    drop: async () => {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE false`);
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Drops every database whose name starts with `prefix`, twenty at a time, at the end of a run: the
 * DROP DATABASE of a copy a suite has written to took 2.7-3.6 s on a busy machine (an untouched copy
 * drops in tens of ms), which each suite used to pay in its own close.
 */
export async function dropTestDatabases(serverUrl: string, prefix: string): Promise<number> {
  if (!NAME_PATTERN.test(prefix)) throw new Error(`Invalid database name prefix ${prefix}`);
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  let names: string[];
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND NOT datistemplate`, [prefix]);
    names = rows.map((row) => row.datname);
  } finally {
    await admin.end();
  }
  const dropOne = async (name: string) => {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
  for (let start = 0; start < names.length; start += 20) await Promise.all(names.slice(start, start + 20).map(dropOne));
  return names.length;
}
