/**
 * The one entry of the production image: `node dist/scripts/platform.js <role> [arguments]` runs
 *   gateway | subgraph <name> | worker | webhook-dispatcher | migrate
 * by loading that role's process script (the same scripts `tsx` runs in development) with the
 * arguments after the role. `help` prints the roles.
 */
import path from 'node:path';
import { applyHeapSettings, isServerRole } from '@platform/config';

const ROLES: Record<string, { module: string; about: string }> = {
  gateway: { module: '../gateway/src/main', about: 'the public GraphQL gateway (PORT)' },
  subgraph: { module: './run-subgraph', about: 'subgraph <account-hierarchy|identity|messaging|billing>' },
  worker: { module: './run-messaging-worker', about: 'the message delivery worker' },
  'webhook-dispatcher': { module: './run-webhook-dispatcher', about: 'the webhook dispatcher' },
  migrate: { module: './migrate', about: "applies every subgraph's pending migrations, then exits" },
};

const usage = `usage: platform <role> [arguments]\nroles:\n${Object.entries(ROLES).map(([name, role]) => `  ${name.padEnd(20)}${role.about}`).join('\n')}`;

const [role, ...rest] = process.argv.slice(2);
if (role === 'help' || role === '--help') {
  console.log(usage);
} else if (!role || !(role in ROLES)) {
  console.error(role ? `unknown role "${role}"\n${usage}` : usage);
  process.exitCode = 2;
} else {
  // Before the role's modules load: its V8 heap settings (@platform/config, issue 17's memory goal).
  const heapRole = role === 'subgraph' ? rest[0] : role;
  if (heapRole !== undefined && isServerRole(heapRole)) applyHeapSettings(heapRole);
  const file = require.resolve(path.join(__dirname, ROLES[role].module));
  // The role's script reads its arguments from argv[2…], and tracing names the service after argv[1].
  process.argv = [process.argv[0], file, ...rest];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(file);
}
