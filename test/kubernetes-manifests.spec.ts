import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATH_METADATA } from '@nestjs/common/constants';
import { parseAllDocuments } from 'yaml';
import { loadSettings, Settings } from '../libs/config/src';
import { WorkerHealthController } from '../libs/queues/src/worker-health.module';
import { HealthController } from '../apps/api/src/health/health.controller';

/** The parts of Kubernetes objects these checks read. */
interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  command: string[];
  ports?: { name: string; containerPort: number }[];
  envFrom?: ({ configMapRef?: { name: string } } & { secretRef?: { name: string } })[];
  env?: { name: string; value: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
}
interface PodSpec {
  terminationGracePeriodSeconds?: number;
  restartPolicy?: string;
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string; items?: { key: string; path: string }[] } }[];
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    replicas?: number;
    selector?: { matchLabels: Record<string, string> };
    strategy?: { rollingUpdate?: { maxUnavailable: number } };
    minAvailable?: number;
    template?: { metadata: { labels: Record<string, string> }; spec: PodSpec };
    ports?: { targetPort: string | number }[];
  };
}

const DIR = join(__dirname, '../deploy/kubernetes');
const SERVICES = ['api', 'fetcher', 'classifier', 'notifier'] as const;
const WORKERS = ['fetcher', 'classifier', 'notifier'] as const;
/** Kubernetes' default grace period when a pod spec names none. */
const DEFAULT_GRACE_SECONDS = 30;

function read(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((doc) => {
    if (doc.errors.length > 0) {
      throw new Error(`${file}: ${doc.errors.map((error) => error.message).join('; ')}`);
    }
    return doc.toJS() as K8sObject;
  });
}

const kustomization = read('kustomization.yaml')[0] as unknown as { resources: string[] };
const applied = kustomization.resources.flatMap(read);
const secretExample = read('secret.example.yaml')[0];
const settingsMap = applied.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'paperboy-settings');
const one = (kind: string, name: string): K8sObject => {
  const found = applied.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([`${kind}/${name}`]);
  return found[0];
};
const containerOf = (object: K8sObject): Container => {
  const containers = object.spec?.template?.spec.containers ?? [];
  expect(containers).toHaveLength(1);
  return containers[0];
};
/** The environment a container starts with: its ConfigMap, the example Secret, then its own `env`. */
function environmentOf(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      expect(source.configMapRef.name).toBe(settingsMap?.metadata.name);
      Object.assign(env, settingsMap?.data);
    }
    if (source.secretRef) {
      expect(source.secretRef.name).toBe(secretExample.metadata.name);
      Object.assign(env, secretExample.stringData);
    }
  }
  for (const { name, value } of container.env ?? []) {
    env[name] = value;
  }
  return env;
}
/** A Nest controller route's full path, from its decorators. */
function routeOf(controller: object, method: (...args: never[]) => unknown): string[] {
  const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
  const paths = [Reflect.getMetadata(PATH_METADATA, method) as string | string[]].flat();
  return paths.map((path) => `/${[base, path].filter((part) => part !== '' && part !== '/').join('/')}`);
}
const preStopSeconds = (container: Container): number => {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep) {
    return preStop.sleep.seconds;
  }
  const command = preStop?.exec?.command ?? [];
  return command[0] === 'sleep' ? Number(command[1]) : 0;
};

describe('deploy/kubernetes', () => {
  it('should list every manifest in kustomization.yaml, except the example Secret', () => {
    const files = readdirSync(DIR).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.filter((file) => file !== 'secret.example.yaml').sort());
    expect(applied.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('should name only settings the code reads, and pass its validation in production', () => {
    const known = Object.keys(new Settings());
    const named = [
      ...Object.keys(settingsMap?.data ?? {}),
      ...Object.keys(secretExample.stringData ?? {}),
      ...applied.flatMap((o) => (o.spec?.template?.spec.containers ?? []).flatMap((c) => (c.env ?? []).map((e) => e.name))),
    ];
    expect(named.filter((name) => !known.includes(name))).toEqual([]);
    // Secrets stay out of the ConfigMap.
    expect(Object.keys(settingsMap?.data ?? {})).not.toContain('APP_SECRET');
    for (const name of ['APP_SECRET', 'DATABASE_URL', 'MIGRATION_DATABASE_URL', 'REDIS_URL', 'SMTP_URL']) {
      expect({ name, inSecret: name in (secretExample.stringData ?? {}) }).toEqual({ name, inSecret: true });
    }
    for (const object of applied.filter((o) => o.spec?.template)) {
      const settings = loadSettings(environmentOf(containerOf(object)));
      expect({ object: object.metadata.name, production: settings.production }).toEqual({
        object: object.metadata.name,
        production: true,
      });
    }
  });

  it('should run the migration once per release as a Job, on the direct database URL', () => {
    const job = one('Job', 'paperboy-migrate');
    const container = containerOf(job);
    expect(container.command).toEqual(['node', 'dist/libs/database/src/migrate.js']);
    expect(job.spec?.template?.spec.restartPolicy).toBe('Never');
    // docs/operations.md applies these two alone first: -l 'app.kubernetes.io/name in (paperboy-settings,paperboy-migrate)'.
    const first = applied.filter((o) =>
      ['paperboy-settings', 'paperboy-migrate'].includes(o.metadata.labels?.['app.kubernetes.io/name'] ?? ''),
    );
    expect(first.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Job']);
    expect(loadSettings(environmentOf(container)).MIGRATION_DATABASE_URL).toBe(
      secretExample.stringData?.MIGRATION_DATABASE_URL,
    );
  });

  it.each(SERVICES)('should run the %s from the one image, as a rolling Deployment with a PodDisruptionBudget', (service) => {
    const deployment = one('Deployment', `paperboy-${service}`);
    const container = containerOf(deployment);
    expect(container.image).toBe(containerOf(one('Job', 'paperboy-migrate')).image);
    expect(container.command.at(-1)).toBe(`dist/apps/${service}/src/main.js`);
    expect(container.command[0]).toBe('node');
    const labels = deployment.spec?.template?.metadata.labels ?? {};
    expect(labels).toMatchObject(deployment.spec?.selector?.matchLabels ?? { missing: 'selector' });
    expect(deployment.spec?.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
    const budget = one('PodDisruptionBudget', `paperboy-${service}`);
    expect(labels).toMatchObject(budget.spec?.selector?.matchLabels ?? { missing: 'selector' });
    // A budget of one pod out of one would block every node drain.
    expect(budget.spec?.minAvailable).toBeLessThan(deployment.spec?.replicas ?? 1);
  });

  it.each(SERVICES)('should probe the %s where the code serves its health checks', (service) => {
    const container = containerOf(one('Deployment', `paperboy-${service}`));
    const settings = loadSettings(environmentOf(container));
    const [live, ready] =
      service === 'api'
        ? [routeOf(HealthController, HealthController.prototype.live), routeOf(HealthController, HealthController.prototype.ready)]
        : [
            routeOf(WorkerHealthController, WorkerHealthController.prototype.live),
            routeOf(WorkerHealthController, WorkerHealthController.prototype.ready),
          ];
    expect(live).toEqual(['/health/live']);
    expect(ready).toContain('/health/ready');
    const port = service === 'api' ? settings.PORT : settings.HEALTH_PORT;
    expect(port).toBeGreaterThan(0);
    const portNamed = (name: string | number): number | undefined =>
      typeof name === 'number' ? name : container.ports?.find((p) => p.name === name)?.containerPort;
    for (const [probe, paths] of [
      [container.startupProbe, live],
      [container.livenessProbe, live],
      [container.readinessProbe, ready],
    ] as const) {
      expect(probe).toBeDefined();
      expect(paths).toContain(probe?.httpGet.path);
      expect(portNamed(probe?.httpGet.port ?? '')).toBe(port);
    }
    if (service === 'api') {
      expect(one('Service', 'paperboy-api').spec?.ports?.map((p) => portNamed(p.targetPort))).toEqual([settings.PORT]);
    }
  });

  it.each(SERVICES)('should give the %s time to shut down gracefully before Kubernetes kills it', (service) => {
    const pod = one('Deployment', `paperboy-${service}`).spec?.template?.spec as PodSpec;
    const container = containerOf(one('Deployment', `paperboy-${service}`));
    const timeout = loadSettings(environmentOf(container)).SHUTDOWN_TIMEOUT_SECONDS;
    const grace = pod.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    // The preStop pause, then the process's own deadline, then a margin for the exit itself.
    expect(preStopSeconds(container) + timeout + 5).toBeLessThanOrEqual(grace);
    expect(grace).toBeLessThanOrEqual(preStopSeconds(container) + timeout + 10);
  });

  it('should give the notifier longer than the default to finish a send on a slow relay', () => {
    const container = containerOf(one('Deployment', 'paperboy-notifier'));
    expect(loadSettings(environmentOf(container)).SHUTDOWN_TIMEOUT_SECONDS).toBeGreaterThan(
      new Settings().SHUTDOWN_TIMEOUT_SECONDS,
    );
  });

  it('should mount the sources file into the fetcher where SOURCES_FILE points', () => {
    const fetcher = one('Deployment', 'paperboy-fetcher');
    const container = containerOf(fetcher);
    const file = loadSettings(environmentOf(container)).SOURCES_FILE;
    const mount = container.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
    expect(mount).toBeDefined();
    const volume = fetcher.spec?.template?.spec.volumes?.find((v) => v.name === mount?.name);
    expect(volume?.configMap?.items?.map((item) => `${mount?.mountPath}/${item.path}`)).toEqual([file]);
    for (const worker of WORKERS.filter((name) => name !== 'fetcher')) {
      expect(containerOf(one('Deployment', `paperboy-${worker}`)).volumeMounts).toBeUndefined();
    }
  });
});
