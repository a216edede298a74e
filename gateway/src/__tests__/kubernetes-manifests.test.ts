import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { generatePrincipalKeyPair, loadConfig, SUBGRAPH_NAMES } from '@platform/config';

const ROOT = path.join(__dirname, '..', '..', '..');
const DEPLOY = path.join(ROOT, 'deploy');
const BASE = path.join(DEPLOY, 'base');
const DEV = path.join(DEPLOY, 'overlays', 'dev');
const SECRET_NAME = 'platform-secrets';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;
interface Kustomization {
  resources?: string[];
  patches?: { path: string; target?: { kind?: string; name?: string; labelSelector?: string } }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  namespace?: string;
  labels?: unknown[];
}
const KUSTOMIZATION_FIELDS = ['apiVersion', 'kind', 'resources', 'patches', 'images', 'namespace', 'labels'];

const readYaml = (file: string): Doc[] =>
  parseAllDocuments(fs.readFileSync(file, 'utf8')).map((document) => {
    if (document.errors.length) throw new Error(`${file}: ${document.errors[0].message}`);
    return document.toJS() as Doc;
  });

/** Labels a `key in (a,b)` or `key=value` selector matches. */
function selects(selector: string | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return true;
  const inSet = /^([\w./-]+)\s+in\s+\(([^)]*)\)$/.exec(selector);
  if (inSet) return inSet[2].split(',').map((v) => v.trim()).includes(labels[inSet[1]]);
  const [key, value] = selector.split('=');
  return labels[key] === value;
}

/** Strategic merge, as far as these patches need it: maps merge, everything else replaces. */
function merge(target: Doc, patch: Doc): Doc {
  for (const [key, value] of Object.entries(patch)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && target[key] && typeof target[key] === 'object') merge(target[key], value);
    else target[key] = value;
  }
  return target;
}

/** JSON 6902 add/replace; replace requires the path to exist, as kustomize does. */
function applyOperation(doc: Doc, operation: { op: string; path: string; value: unknown }): void {
  const keys = operation.path.split('/').slice(1).map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = keys.pop()!;
  const parent = keys.reduce<Doc | undefined>((node, key) => node?.[key], doc);
  if (!parent || (operation.op === 'replace' && !(last in parent))) throw new Error(`${operation.op} ${operation.path}: no such path in ${doc.kind}/${doc.metadata?.name}`);
  if (operation.op !== 'replace' && operation.op !== 'add') throw new Error(`unsupported op ${operation.op}`);
  parent[last] = operation.value;
}

/** What `kustomize build dir` yields for the features these files use; throws when a reference or patch target is missing. */
function build(dir: string): Doc[] {
  const kustomization = readYaml(path.join(dir, 'kustomization.yaml'))[0] as Kustomization & Doc;
  const unknown = Object.keys(kustomization).filter((key) => !KUSTOMIZATION_FIELDS.includes(key));
  if (unknown.length) throw new Error(`${dir}: unsupported kustomization fields ${unknown.join(', ')}`);
  const docs: Doc[] = [];
  for (const resource of kustomization.resources ?? []) {
    const full = path.join(dir, resource);
    if (!fs.existsSync(full)) throw new Error(`${dir}: resource ${resource} does not exist`);
    docs.push(...(fs.statSync(full).isDirectory() ? build(full) : readYaml(full)));
  }
  for (const patch of kustomization.patches ?? []) {
    const file = path.join(dir, patch.path);
    if (!fs.existsSync(file)) throw new Error(`${dir}: patch ${patch.path} does not exist`);
    const content = readYaml(file)[0];
    if (Array.isArray(content)) {
      const targets = docs.filter((doc) => (!patch.target?.kind || doc.kind === patch.target.kind) && (!patch.target?.name || doc.metadata.name === patch.target.name) && selects(patch.target?.labelSelector, doc.metadata.labels));
      if (targets.length === 0) throw new Error(`${dir}: patch ${patch.path} matches no resource`);
      for (const doc of targets) for (const operation of content) applyOperation(doc, operation);
    } else {
      const targets = docs.filter((doc) => doc.kind === content.kind && doc.metadata.name === content.metadata.name);
      if (targets.length !== 1) throw new Error(`${dir}: patch ${patch.path} matches ${targets.length} resources (${content.kind}/${content.metadata.name})`);
      merge(targets[0], content);
    }
  }
  for (const doc of docs) {
    for (const container of [...(doc.spec?.template?.spec?.containers ?? []), ...(doc.spec?.template?.spec?.initContainers ?? [])]) {
      const image = kustomization.images?.find((entry) => container.image.split(':')[0] === entry.name || container.image.split(':')[0] === entry.newName);
      if (image) container.image = `${image.newName ?? image.name}:${image.newTag ?? 'latest'}`;
    }
    if (kustomization.namespace) doc.metadata.namespace = kustomization.namespace;
  }
  return docs;
}

/**
 * Validates documents with the validators kubernetes-models generates (with ajv) from the Kubernetes
 * OpenAPI definitions. The package ships ES modules only, so a node child process loads it.
 */
function validateAgainstKubernetesSchemas(docs: Doc[]): string[] {
  const script = `
    const docs = JSON.parse(await new Promise((resolve) => { let s = ''; process.stdin.on('data', (c) => (s += c)); process.stdin.on('end', () => resolve(s)); }));
    const problems = [];
    for (const doc of docs) {
      const where = doc.kind + '/' + (doc.metadata && doc.metadata.name);
      try {
        const models = await import('kubernetes-models/' + doc.apiVersion);
        const Model = models[doc.kind];
        if (!Model) { problems.push(where + ': unknown kind for ' + doc.apiVersion); continue; }
        new Model(doc).validate();
      } catch (error) { problems.push(where + ': ' + error.message); }
    }
    console.log(JSON.stringify(problems));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: path.join(ROOT, 'gateway'), input: JSON.stringify(docs), encoding: 'utf8' });
  return JSON.parse(output) as string[];
}

/** kubernetes-types module of an apiVersion: `v1` → core/v1, `apps/v1` → apps/v1, `policy/v1` → policy/v1. */
const typesModule = (apiVersion: string) => `kubernetes-types/${apiVersion.includes('/') ? apiVersion : `core/${apiVersion}`}`;

/**
 * Unknown or misspelt fields (which the schema validators let through, as the API server would drop
 * them): each document becomes an object literal typed with kubernetes-types, and TypeScript's excess
 * property check reports every field the type does not have.
 */
function unknownFields(docs: Doc[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-types-'));
  const file = path.join(dir, 'manifests.ts');
  const modules = [...new Set(docs.map((doc) => typesModule(doc.apiVersion)))];
  const alias = (module: string) => `m${modules.indexOf(module)}`;
  fs.writeFileSync(
    file,
    modules.map((module) => `import type * as ${alias(module)} from '${module}';`).join('\n') +
      '\n' +
      docs.map((doc, index) => `// ${doc.kind}/${doc.metadata?.name}\nexport const d${index}: ${alias(typesModule(doc.apiVersion))}.${doc.kind} = ${JSON.stringify(doc)};`).join('\n'),
  );
  const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, types: [], typeRoots: [], paths: { 'kubernetes-types/*': [path.join(ROOT, 'node_modules', 'kubernetes-types', '*')] } });
  const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : -1;
    const where = line > 0 ? diagnostic.file!.text.split('\n')[line - 1].replace('// ', '') : '?';
    return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').slice(0, 300)}`;
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return problems;
}

const byKind = (docs: Doc[], kind: string) => docs.filter((doc) => doc.kind === kind);
const find = (docs: Doc[], kind: string, name: string) => docs.find((doc) => doc.kind === kind && doc.metadata.name === name)!;
const DEPLOYMENTS = ['gateway', ...SUBGRAPH_NAMES, 'messaging-worker', 'webhook-dispatcher'];

describe('Kubernetes manifests (deploy/)', () => {
  const base = build(BASE);
  const dev = build(DEV);

  it('every document of the base and of the dev overlay validates against the Kubernetes schemas', () => {
    // Act
    const problems = validateAgainstKubernetesSchemas([...base, ...dev]);

    // Assert
    expect(problems).toEqual([]);
    expect(base.length).toBeGreaterThanOrEqual(20);
  });

  it('no document has a field its Kubernetes type does not define (kubernetes-types, strict)', () => {
    // Act
    const problems = unknownFields([...base, ...dev]);

    // Assert
    expect(problems).toEqual([]);
  });

  it('the strict check reports a misspelt field', () => {
    // Arrange
    const broken = structuredClone(find(base, 'Deployment', 'gateway'));
    broken.spec.template.spec.containers[0].livenesProbe = broken.spec.template.spec.containers[0].livenessProbe;

    // Act
    const problems = unknownFields([broken, find(base, 'Service', 'gateway')]);

    // Assert
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Deployment\/gateway: .*'"livenesProbe"' does not exist in type 'Container'/);
  });

  it('the schema validation refuses a mistyped manifest', () => {
    // Arrange
    const broken = structuredClone(find(base, 'Deployment', 'gateway'));
    broken.spec.replicas = 'two';
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';

    // Act
    const problems = validateAgainstKubernetesSchemas([broken]);

    // Assert
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/spec\/replicas must be integer/);
    expect(problems[0]).toMatch(/containerPort must be integer/);
  });

  it('a missing resource or a patch without a target fails the build', () => {
    // Arrange
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-'));
    fs.writeFileSync(path.join(tmp, 'kustomization.yaml'), `resources:\n  - ${path.relative(tmp, BASE)}\npatches:\n  - path: p.yaml\n`);
    fs.writeFileSync(path.join(tmp, 'p.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: no-such-deployment\n');

    // Act
    const attempt = () => build(tmp);

    // Assert
    expect(attempt).toThrow(/matches 0 resources/);
    fs.writeFileSync(path.join(tmp, 'kustomization.yaml'), 'resources:\n  - missing.yaml\n');
    expect(() => build(tmp)).toThrow(/missing.yaml does not exist/);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('runs each part as its own Deployment with probes on its health endpoints, a preStop drain, resources and a non-root security context', () => {
    for (const docs of [base, dev]) {
      // Act
      const deployments = byKind(docs, 'Deployment');

      // Assert
      expect(deployments.map((doc) => doc.metadata.name).sort()).toEqual([...DEPLOYMENTS].sort());
      for (const deployment of deployments) {
        const pod = deployment.spec.template.spec;
        const [container] = pod.containers;
        const name = deployment.metadata.name;
        const background = name === 'messaging-worker' || name === 'webhook-dispatcher';
        const probePort = container.ports.find((port: Doc) => port.name === (background ? 'metrics' : 'http'));
        expect(`${name} ${container.livenessProbe.httpGet.path} ${container.livenessProbe.httpGet.port}`).toBe(`${name} /health ${probePort.name}`);
        expect(`${name} ${container.readinessProbe.httpGet.path}`).toBe(`${name} ${background ? '/health' : '/ready'}`);
        expect(container.lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
        // The image's entry (scripts/platform.js) takes the role as its arguments.
        expect(container.command).toBeUndefined();
        expect(container.args).toEqual(background ? [name === 'messaging-worker' ? 'worker' : name] : name === 'gateway' ? ['gateway'] : ['subgraph', name]);
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(5 + 20);
        expect(container.resources.requests.cpu).toBeDefined();
        expect(container.resources.limits.memory).toBeDefined();
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': name });
        expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
      }
      // The messaging subgraph leaves deliveries and webhooks to the worker and dispatcher Deployments.
      const messagingEnv = find(docs, 'Deployment', 'messaging').spec.template.spec.containers[0].env as Doc[];
      expect(messagingEnv.filter((entry) => /_INTERVAL_MS$/.test(entry.name))).toEqual([
        { name: 'MESSAGING_WORKER_INTERVAL_MS', value: '0' },
        { name: 'WEBHOOK_DISPATCH_INTERVAL_MS', value: '0' },
      ]);
    }
  });

  it('has Services for the gateway and subgraphs, PodDisruptionBudgets, autoscalers for the gateway and workers, and migrations as a Job', () => {
    // Act
    const services = byKind(base, 'Service');
    const budgets = byKind(base, 'PodDisruptionBudget');
    const autoscalers = byKind(base, 'HorizontalPodAutoscaler');
    const job = find(base, 'Job', 'migrate');

    // Assert
    expect(services.map((service) => service.metadata.name).sort()).toEqual(['gateway', ...SUBGRAPH_NAMES].sort());
    for (const service of services) expect(find(base, 'Deployment', service.metadata.name).spec.template.metadata.labels).toMatchObject(service.spec.selector);
    for (const budget of budgets) expect(DEPLOYMENTS).toContain(budget.spec.selector.matchLabels['app.kubernetes.io/name']);
    expect(budgets).toHaveLength(DEPLOYMENTS.length);
    expect(autoscalers.map((hpa) => hpa.spec.scaleTargetRef.name).sort()).toEqual(['gateway', 'messaging-worker']);
    for (const hpa of autoscalers) expect(find(base, 'Deployment', hpa.spec.scaleTargetRef.name)).toBeDefined();
    expect(job.spec.template.spec.containers[0].args).toEqual(['migrate']);
    expect(find(dev, 'HorizontalPodAutoscaler', 'messaging-worker').spec).toMatchObject({ minReplicas: 1, maxReplicas: 2 });
    expect(new Set(dev.map((doc) => doc.metadata.namespace))).toEqual(new Set(['messaging-dev']));
    expect(find(dev, 'Deployment', 'billing').spec.replicas).toBe(1);
    expect(find(dev, 'Deployment', 'gateway').spec.replicas).toBe(2);
    expect(find(dev, 'ConfigMap', 'platform-config').data).toMatchObject({ LOG_LEVEL: 'debug', NODE_ENV: 'production' });
  });

  it('takes secrets only from the platform-secrets Secret, and sets REDIS_URL wherever the gateway can run several replicas', () => {
    // Arrange
    const gateway = find(base, 'Deployment', 'gateway');
    const hpa = find(base, 'HorizontalPodAutoscaler', 'gateway');

    // Act
    const workloads = [...byKind(base, 'Deployment'), ...byKind(base, 'Job')];
    const secretDocuments = byKind([...base, ...dev], 'Secret');

    // Assert
    expect(secretDocuments).toEqual([]);
    for (const workload of workloads) {
      for (const entry of workload.spec.template.spec.containers[0].env as Doc[]) {
        if (/PASSWORD|SECRET|PRIVATE_KEY|ENCRYPTION_KEY|DATABASE_URL|REDIS_URL/.test(entry.name)) expect(`${workload.metadata.name} ${entry.name} ${JSON.stringify(entry.valueFrom?.secretKeyRef)}`).toBe(`${workload.metadata.name} ${entry.name} ${JSON.stringify({ name: SECRET_NAME, key: entry.name })}`);
      }
    }
    for (const value of Object.keys(find(base, 'ConfigMap', 'platform-config').data)) expect(value).not.toMatch(/PASSWORD|SECRET|PRIVATE_KEY|ENCRYPTION_KEY|DATABASE_URL|REDIS_URL/);
    expect(Math.max(gateway.spec.replicas, hpa.spec.maxReplicas)).toBeGreaterThan(1);
    expect((gateway.spec.template.spec.containers[0].env as Doc[]).find((entry) => entry.name === 'REDIS_URL')?.valueFrom.secretKeyRef.name).toBe(SECRET_NAME);
  });

  it("each workload's environment (ConfigMap, values and Secret keys) passes the platform's configuration validation", () => {
    // Arrange
    const gatewayKeys = generatePrincipalKeyPair();
    const messagingKeys = generatePrincipalKeyPair();
    const secrets: Record<string, string> = {
      DATABASE_URL: 'postgres://platform:pg-secret@postgres:5432/platform',
      REDIS_URL: 'redis://:redis-secret@redis:6379',
      INTERNAL_SIGNING_SECRET: 's'.repeat(40),
      WEBHOOK_ENCRYPTION_KEY: 'w'.repeat(40),
      GATEWAY_PRINCIPAL_PRIVATE_KEY: JSON.stringify(gatewayKeys.privateJwk),
      GATEWAY_PRINCIPAL_PUBLIC_KEYS: JSON.stringify({ keys: [gatewayKeys.publicJwk] }),
      MESSAGING_SERVICE_PRIVATE_KEY: JSON.stringify(messagingKeys.privateJwk),
      MESSAGING_SERVICE_PUBLIC_KEYS: JSON.stringify({ keys: [messagingKeys.publicJwk] }),
    };
    const configMap = find(dev, 'ConfigMap', 'platform-config').data as Record<string, string>;

    for (const workload of [...byKind(dev, 'Deployment'), ...byKind(dev, 'Job')]) {
      // Act
      const env: Record<string, string> = { ...configMap };
      for (const entry of workload.spec.template.spec.containers[0].env as Doc[]) env[entry.name] = entry.value ?? secrets[entry.valueFrom.secretKeyRef.key];
      const config = loadConfig(env);

      // Assert
      const name = workload.metadata.name;
      expect(config.isProduction).toBe(true);
      expect(config.metrics.port).toBe(9464);
      expect(config.metrics.onGatewayPort).toBe(false);
      expect(config.subgraphUrls.billing).toBe('http://billing:4004/graphql');
      expect(`${name} ${Boolean(config.principalTokens.gatewayPrivateKey)}`).toBe(`${name} ${name === 'gateway'}`);
      expect(`${name} ${Boolean(config.principalTokens.messagingPrivateKey)}`).toBe(`${name} ${name === 'messaging' || name === 'messaging-worker'}`);
      if (name === 'webhook-dispatcher') expect(config.webhooks.dispatchIntervalMs).toBeGreaterThan(0);
    }
  });
});
