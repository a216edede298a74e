/**
 * `npm run operator:create -- --email ops@example.com --name "Oona Perator" [--role OPERATOR_ADMIN]`:
 * adds a platform operator (SPEC O1) on any install — the first one included — and prints their
 * one-time setup link (also queued in identity's mail outbox). The operator sets their password with
 * `completeOperatorSetup(token, password)`; no password ever passes on the command line.
 * Uses DATABASE_URL, or the embedded PostgreSQL of `npm start` when it is unset; migrates first.
 */
import { isOperatorRole, OPERATOR_ROLES, type OperatorRole } from '@platform/authz';
import { ConfigError, loadConfig } from '@platform/config';
import { bootstrapOperator, service as identity } from '@platform/identity';
import { openPlatformDatabase, prepareDatabase } from '@platform/platform';

function parseArguments(argv: string[]): { email: string; name: string; role: OperatorRole } {
  const values = new Map<string, string>();
  const problems: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const match = /^--(email|name|role)(?:=(.*))?$/.exec(argv[index]);
    if (!match) {
      problems.push(`unknown argument "${argv[index]}" (accepted: --email, --name, --role)`);
      continue;
    }
    const value = match[2] ?? argv[++index];
    if (value === undefined) problems.push(`--${match[1]} needs a value`);
    else values.set(match[1], value);
  }
  const role = values.get('role') ?? 'OPERATOR_ADMIN';
  if (!values.get('email')) problems.push('--email is required');
  if (!isOperatorRole(role)) problems.push(`--role must be one of ${OPERATOR_ROLES.join(', ')}`);
  if (problems.length) throw new ConfigError(problems);
  return { email: values.get('email')!, name: values.get('name') ?? values.get('email')!.split('@')[0], role: role as OperatorRole };
}

async function main(): Promise<void> {
  const input = parseArguments(process.argv.slice(2));
  const config = loadConfig();
  const database = await openPlatformDatabase(config);
  try {
    await prepareDatabase(database.url, { seedDemo: false });
    const dataSource = identity.createDataSource(database.url, { poolSize: 1 });
    await dataSource.initialize();
    try {
      const setup = await bootstrapOperator(dataSource, input, config.internalSigningSecret);
      console.log(`operator ${setup.operator.email} (${setup.operator.role}) created`);
      console.log(`one-time setup link, valid until ${setup.expiresAt.toISOString()}: ${setup.setupLink}`);
      console.log('set the password with the completeOperatorSetup(token, password) mutation (see README, "Operating the platform")');
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await database.stop();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
