import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HEAP_SETTINGS, nodeOptionsFor, type ServerRole } from '@platform/config';

const ROOT = path.join(__dirname, '..', '..', '..');
const ROLES = Object.keys(HEAP_SETTINGS) as ServerRole[];

/** The environment block of a compose service: the lines after `  <name>:` up to the next service. */
function composeService(name: string): string {
  const text = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  const start = text.indexOf(`\n  ${name}:\n`);
  const next = text.slice(start + 1).search(/\n {2}[a-z][a-z-]*:\n/);
  return text.slice(start, next < 0 ? undefined : start + 1 + next);
}

/** A node process with a role's NODE_OPTIONS that applies the role's settings: exit status and output. */
function startWithSettingsOf(role: ServerRole): string {
  const script = `require('@platform/config').applyHeapSettings(${JSON.stringify(role)}); console.log('applied')`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, env: { PATH: process.env.PATH, NODE_OPTIONS: nodeOptionsFor(role) ?? '' }, encoding: 'utf8' });
  return `${child.status} ${child.stdout.trim()} ${child.stderr.trim()}`.trim();
}

describe('V8 heap settings per role (issue 17), read from @platform/config', () => {
  it('docker-compose.yml and the Kubernetes base give each role the NODE_OPTIONS of its settings, and none to the others', () => {
    for (const role of ['gateway', 'identity', ...ROLES].filter((name, index, names) => names.indexOf(name) === index)) {
      // Act
      const compose = composeService(role);
      const manifest = fs.readFileSync(path.join(ROOT, 'deploy', 'base', `${role}.yaml`), 'utf8');
      const expected = role in HEAP_SETTINGS ? nodeOptionsFor(role as ServerRole) : undefined;

      // Assert
      expect(`${role} ${/\n\s+NODE_OPTIONS: (.*)\n/.exec(compose)?.[1]}`).toBe(`${role} ${expected}`);
      expect(`${role} ${/- name: NODE_OPTIONS\n\s+value: "(.*)"/.exec(manifest)?.[1]}`).toBe(`${role} ${expected}`);
    }
    // The gateway's settings are a growing factor alone (set by the process), identity keeps V8's defaults.
    expect(nodeOptionsFor('gateway')).toBeUndefined();
  });

  it("node accepts each role's NODE_OPTIONS (it exits with 9 on a V8 flag it does not allow there), and the process sets its growing factor", () => {
    for (const role of ROLES) expect(`${role} ${startWithSettingsOf(role)}`).toBe(`${role} 0 applied`);
  });
});
