/**
 * The packaging files agree with the code: Kubernetes manifests validate against the Kubernetes
 * schemas (kubernetes-models, offline), and the Dockerfile, compose file, manifests and systemd
 * unit use the ports, paths, uid, grace period and health endpoints that tlsgate really has.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { SENDER_PORTS } from '../../src/tls/suites.js';
import { ROOT } from '../helpers/cli.js';

/** The admin server's liveness and readiness paths (src/admin/routes.ts). */
const ADMIN = { live: '/healthz', ready: '/readyz' };
/** `serve --grace` default in seconds (src/cli/serve.ts). */
const GRACE_S = 25;
const UID = 10001;

const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');
const MODELS: Record<string, new (o: never) => { validate(): void }> = { Deployment, PodDisruptionBudget, ConfigMap, Secret, Service } as never;

/** Every document of every manifest in deploy/kubernetes, by kind. */
function manifests() {
  const docs: { file: string; kind: string; obj: Record<string, unknown> }[] = [];
  for (const f of fs.readdirSync(path.join(ROOT, 'deploy/kubernetes')).filter((n) => n.endsWith('.yaml')).sort()) {
    for (const d of parseAllDocuments(read(`deploy/kubernetes/${f}`))) {
      expect(d.errors, f).toEqual([]);
      const obj = d.toJS() as Record<string, unknown>;
      docs.push({ file: f, kind: obj['kind'] as string, obj });
    }
  }
  return docs;
}
const one = <T>(kind: string) => manifests().filter((d) => d.kind === kind).map((d) => d.obj as T);

type Container = { args: string[]; env: { name: string; value?: string }[]; ports: { name: string; containerPort: number }[]; volumeMounts: { name: string; mountPath: string }[]; livenessProbe: { exec: { command: string[] } }; readinessProbe: { exec: { command: string[] } }; securityContext: Record<string, unknown> };
type Dep = { spec: { template: { spec: { terminationGracePeriodSeconds: number; securityContext: { runAsUser: number; runAsNonRoot: boolean }; containers: Container[]; volumes: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[] } } } };

describe('Kubernetes manifests', () => {
  it('validate against the Kubernetes schemas, and cover every kind the issue asks for', () => {
    const docs = manifests();
    for (const d of docs) {
      const Model = MODELS[d.kind];
      expect(Model, `${d.file}: unexpected kind ${d.kind}`).toBeDefined();
      expect(() => new Model!(d.obj as never).validate(), `${d.file} ${d.kind}`).not.toThrow();
    }
    expect(new Set(docs.map((d) => d.kind))).toEqual(new Set(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Secret', 'Service']));
  });

  it('the validator really rejects a bad manifest (so the check above can fail)', () => {
    const dep = structuredClone(one<Dep>('Deployment')[0]!) as unknown as { spec: { template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } } };
    dep.spec.template.spec.containers[0]!.ports[0]!.containerPort = 'https';
    expect(() => new Deployment(dep as never).validate()).toThrow(/containerPort/);
  });

  it('the ConfigMap holds a config tlsgate accepts, with certificate paths inside the Secret mount', () => {
    const dep = one<Dep>('Deployment')[0]!;
    const c = dep.spec.template.spec.containers[0]!;
    const configPath = c.env.find((e) => e.name === 'TLSGATE_CONFIG')!.value!;
    const mount = (vol: string) => c.volumeMounts.find((m) => m.name === vol)!.mountPath;
    const cmVolume = dep.spec.template.spec.volumes.find((v) => v.configMap)!;
    expect(path.dirname(configPath)).toBe(mount(cmVolume.name));
    const cm = one<{ metadata: { name: string }; data: Record<string, string> }>('ConfigMap')[0]!;
    expect(cm.metadata.name).toBe(cmVolume.configMap!.name);
    const { config } = parseConfig(cm.data[path.basename(configPath)]!, configPath);

    const secretVolume = dep.spec.template.spec.volumes.find((v) => v.secret)!;
    const tls = one<{ metadata: { name: string }; type: string; stringData: Record<string, string> }>('Secret').find((s) => s.metadata.name === secretVolume.secret!.secretName)!;
    expect(tls.type).toBe('kubernetes.io/tls');
    for (const l of config.listeners) {
      for (const f of [l.cert, l.key]) {
        expect(path.dirname(f)).toBe(mount(secretVolume.name));
        expect(Object.keys(tls.stringData)).toContain(path.basename(f));
      }
      expect(c.ports.map((p) => p.containerPort)).toContain(l.port);
      expect(SENDER_PORTS).toContain(l.port);
    }
  });

  it('the Service is a LoadBalancer on the sender ports, each reaching a container port', () => {
    const svc = one<{ spec: { type: string; ports: { port: number; targetPort: string | number }[] } }>('Service')[0]!;
    const c = one<Dep>('Deployment')[0]!.spec.template.spec.containers[0]!;
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports.map((p) => p.port).sort()).toEqual([...SENDER_PORTS].sort());
    for (const p of svc.spec.ports) expect(c.ports.some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort)).toBe(true);
  });

  it('probes ask /healthz and /readyz of the admin server the ConfigMap configures, from inside the pod', () => {
    const pod = one<Dep>('Deployment')[0]!.spec.template.spec;
    const c = pod.containers[0]!;
    const configPath = c.env.find((e) => e.name === 'TLSGATE_CONFIG')!.value!;
    const cm = one<{ data: Record<string, string> }>('ConfigMap')[0]!;
    const { config } = parseConfig(cm.data[path.basename(configPath)]!, configPath);
    expect(config.admin).toBeDefined();
    const base = `http://${config.admin!.host}:${config.admin!.port}`;
    expect(c.livenessProbe.exec.command.join(' ')).toContain(base + ADMIN.live);
    expect(c.readinessProbe.exec.command.join(' ')).toContain(base + ADMIN.ready);
  });

  it('grace, user and hardening match the image; the PDB keeps a pod serving', () => {
    const pod = one<Dep>('Deployment')[0]!.spec.template.spec;
    const c = pod.containers[0]!;
    const grace = Number(c.args[c.args.indexOf('--grace') + 1]);
    expect(grace).toBe(GRACE_S);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(grace);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: UID });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const pdb = one<{ spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } }>('PodDisruptionBudget')[0]!;
    expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
  });
});

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  it('pins a current Node LTS base as an ARG, builds in two stages and runs as uid 10001', () => {
    expect(text).toMatch(/^ARG BASE=node:24\.\d+\.\d+-bookworm-slim$/m);
    expect(text.match(/^FROM \$\{BASE\}/gm)).toHaveLength(2);
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).toMatch(new RegExp(`--uid ${UID}\\b`));
    expect(text).toMatch(/^USER tlsgate$/m);
  });
  it('exposes exactly the sender ports, keeps config under /etc/tlsgate, has a HEALTHCHECK and a SIGTERM stop', () => {
    expect(/^EXPOSE (.+)$/m.exec(text)![1]!.split(/\s+/).map(Number).sort()).toEqual([...SENDER_PORTS].sort());
    expect(text).toMatch(/TLSGATE_CONFIG=\/etc\/tlsgate\/tlsgate\.yaml/);
    expect(text).toMatch(/^VOLUME \["\/etc\/tlsgate"\]$/m);
    expect(text).toMatch(/^HEALTHCHECK .*\n.*process\.env\.TLSGATE_HEALTH_URL/m);
    // The health URL is the image config's admin server.
    const { config } = parseConfig(read('deploy/tlsgate.yaml'), '/etc/tlsgate/tlsgate.yaml');
    expect(/^ENV TLSGATE_HEALTH_URL=(\S+)$/m.exec(text)?.[1]).toBe(`http://${config.admin!.host}:${config.admin!.port}${ADMIN.live}`);
    expect(text).toMatch(/^STOPSIGNAL SIGTERM$/m);
    expect(text).toMatch(new RegExp(`CMD \\["serve", "--grace", "${GRACE_S}"\\]`));
  });
  it('the image config (deploy/tlsgate.yaml) is accepted by tlsgate and listens on a sender port', () => {
    const { config } = parseConfig(read('deploy/tlsgate.yaml'), '/etc/tlsgate/tlsgate.yaml');
    expect(config.listeners.map((l) => l.cert)).toEqual(['/etc/tlsgate/certs/tls.crt']);
    for (const l of config.listeners) expect(SENDER_PORTS).toContain(l.port);
  });
  it('.dockerignore keeps node_modules, dist and tests out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'dist', 'test', '.git']) expect(ignored).toContain(p);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('deploy/docker-compose.yml')) as { services: Record<string, { ports?: string[]; volumes?: string[]; command?: string[]; environment?: Record<string, string>; stop_grace_period?: string }> };
  const { config } = parseConfig(read('deploy/tlsgate.yaml'), '/etc/tlsgate/tlsgate.yaml');
  it('publishes the listener ports, mounts config and certs where the image reads them, and waits longer than --grace', () => {
    const gw = compose.services['tlsgate']!;
    const published = gw.ports!.map((p) => Number(p.split(':').at(-1)));
    for (const l of config.listeners) expect(published).toContain(l.port);
    for (const p of published) expect(SENDER_PORTS).toContain(p);
    const targets = gw.volumes!.map((v) => v.split(':')[1]);
    expect(targets).toEqual(expect.arrayContaining(['/etc/tlsgate/tlsgate.yaml', '/etc/tlsgate/certs']));
    expect(gw.environment!['TLSGATE_CONFIG']).toBe('/etc/tlsgate/tlsgate.yaml');
    expect(Number(gw.stop_grace_period!.replace(/s$/, ''))).toBeGreaterThan(GRACE_S);
  });
  it('the route upstream is the backend service on the port it listens on', () => {
    const up = new URL(config.routes[0]!.upstream.url);
    const backend = compose.services[up.hostname]!;
    expect(backend.command).toEqual(expect.arrayContaining(['demo-backend', '--port', up.port, '--host', '0.0.0.0']));
  });
});

describe('systemd unit', () => {
  const unit = read('deploy/systemd/tlsgate.service');
  const key = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(unit)?.[1];
  it('reloads with SIGHUP, drains with SIGTERM for longer than --grace, and runs hardened as a non-root user', () => {
    expect(key('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(key('KillSignal')).toBe('SIGTERM');
    const grace = Number(/--grace (\d+)/.exec(key('ExecStart')!)![1]);
    expect(grace).toBe(GRACE_S);
    expect(Number(key('TimeoutStopSec'))).toBeGreaterThan(grace);
    expect(key('User')).toBe('tlsgate');
    expect(key('ExecStart')).toContain('--config /etc/tlsgate/tlsgate.yaml');
    for (const k of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=', 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX', 'SystemCallFilter=@system-service']) {
      expect(unit.split('\n')).toContain(k);
    }
  });
  const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => fs.existsSync(p));
  it.skipIf(!analyze)('passes systemd-analyze verify', () => {
    execFileSync(analyze!, ['verify', path.join(ROOT, 'deploy/systemd/tlsgate.service')], { stdio: 'pipe' });
  });
});

describe('package.json', () => {
  it('runs the container test with npm run test:container', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts['test:container']).toBe('bash scripts/container-test.sh');
  });
});
