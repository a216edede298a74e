import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';

const ROOT = path.join(__dirname, '..', '..', '..');
const rootPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };

interface Workspace {
  dir: string;
  name: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

function workspaces(): Workspace[] {
  return rootPackage.workspaces.flatMap((pattern) => {
    const dirs = pattern.endsWith('/*') ? fs.readdirSync(path.join(ROOT, pattern.slice(0, -2))).map((entry) => path.join(pattern.slice(0, -2), entry)) : [pattern];
    return dirs
      .filter((dir) => fs.existsSync(path.join(ROOT, dir, 'package.json')))
      .map((dir) => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8'));
        return { dir, name: pkg.name, dependencies: pkg.dependencies ?? {}, devDependencies: pkg.devDependencies ?? {} };
      });
  });
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === '__generated__' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|require\('([^']+)'\)/gm;
const BUILTINS = new Set(builtinModules);

/** The packages a file imports: `@scope/name` or `name`, without node built-ins and relative paths. */
function importedPackages(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found = new Set<string>();
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
    const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
    if (!BUILTINS.has(name)) found.add(name);
  }
  return [...found];
}

describe('workspaces tell the truth (issue 13)', () => {
  it.each(workspaces().map((workspace) => [workspace.name, workspace] as const))('%s declares every package its src imports', (_name, workspace) => {
    // Arrange
    const files = sourceFiles(path.join(ROOT, workspace.dir, 'src'));

    // Act
    const undeclared = files.flatMap((file) => {
      const declared = file.includes(`${path.sep}__tests__${path.sep}`) ? { ...workspace.dependencies, ...workspace.devDependencies } : workspace.dependencies;
      return importedPackages(file)
        .filter((name) => name !== workspace.name && !(name in declared))
        .map((name) => `${path.relative(ROOT, file)} imports ${name}`);
    });

    // Assert
    expect(undeclared).toEqual([]);
  });

  it('shared/ imports no service, the gateway nor the composition root; above the services only their entry points are imported', () => {
    // Arrange
    const services = new Set(workspaces().filter((workspace) => workspace.dir.startsWith('services')).map((workspace) => workspace.name));
    const upward = [...services, '@platform/gateway', '@platform/platform'];

    // Act
    const violations = [
      ...workspaces()
        .filter((workspace) => workspace.dir.startsWith('shared'))
        .flatMap((workspace) => sourceFiles(path.join(ROOT, workspace.dir, 'src')).flatMap((file) => importedPackages(file).filter((name) => upward.includes(name)).map((name) => `${path.relative(ROOT, file)} imports ${name}`))),
      ...['gateway', 'platform', 'scripts', 'bench']
        .flatMap((dir) => sourceFiles(path.join(ROOT, dir)))
        .filter((file) => /from '(\.\.\/)+services\/|@platform\/[a-z-]+\/src\//.test(fs.readFileSync(file, 'utf8')))
        .map((file) => `${path.relative(ROOT, file)} imports a service's src/`),
    ];

    // Assert
    expect(violations).toEqual([]);
  });
});
