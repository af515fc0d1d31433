import { applyDefaults, imageTag, parseQuantity, podQOSClass, prepareForCreate, prepareForUpdate } from '../src/defaults';
import { BUILTIN_RESOURCES } from '../src/registry';
import type { ResourceInfo } from '../src/registry';
import type { KubeObject } from '../src/types';

const info = (resource: string): ResourceInfo => BUILTIN_RESOURCES.find((x) => x.resource === resource) as ResourceInfo;
type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only access

const podObj = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: {
    containers: [
      {
        name: 'c',
        image: 'nginx',
        ports: [{ containerPort: 80 }],
        livenessProbe: { httpGet: { port: 80 } },
        env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
      },
      { name: 'd', image: 'registry:5000/team/app:1.2' },
    ],
    volumes: [{ name: 'cfg', configMap: { name: 'x' } }, { name: 'scratch' }],
  },
});

const deploymentObj = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
});

describe('imageTag', () => {
  it.each([
    ['nginx', 'latest'],
    ['nginx:latest', 'latest'],
    ['nginx:1.27', '1.27'],
    ['localhost:5000/app', 'latest'],
    ['registry:5000/team/app:1.2', '1.2'],
    ['nginx@sha256:' + 'a'.repeat(64), ''],
    ['Nginx', ''],
  ])('%s → %s', (image, tag) => expect(imageTag(image)).toBe(tag));
});

describe('applyDefaults', () => {
  it('defaults a pod spec like SetDefaults_Pod and returns a copy', () => {
    const input = podObj();
    const out = applyDefaults(input, info('pods')) as J;
    expect(input.spec).not.toHaveProperty('restartPolicy');
    expect(out.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      securityContext: {},
      enableServiceLinks: true,
    });
    const [c, d] = out.spec.containers;
    expect(c).toMatchObject({
      imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      resources: {},
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      livenessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
    });
    expect(c.env[0].valueFrom.fieldRef.apiVersion).toBe('v1');
    expect(d.imagePullPolicy).toBe('IfNotPresent');
    expect(out.spec.volumes).toEqual([{ name: 'cfg', configMap: { name: 'x', defaultMode: 420 } }, { name: 'scratch', emptyDir: {} }]);
  });

  it('keeps explicit values', () => {
    const p = podObj() as J;
    p.spec.restartPolicy = 'Never';
    p.spec.containers[0].imagePullPolicy = 'Never';
    const out = applyDefaults(p as KubeObject, info('pods')) as J;
    expect(out.spec.restartPolicy).toBe('Never');
    expect(out.spec.containers[0].imagePullPolicy).toBe('Never');
  });

  it('copies limits into missing requests on pods only', () => {
    const p = podObj() as J;
    p.spec.containers[0].resources = { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } };
    expect((applyDefaults(p as KubeObject, info('pods')) as J).spec.containers[0].resources.requests).toEqual({ cpu: '500m', memory: '1Gi' });
    const d = deploymentObj() as J;
    d.spec.template.spec.containers[0].resources = { limits: { cpu: '1' } };
    expect((applyDefaults(d as KubeObject, info('deployments')) as J).spec.template.spec.containers[0].resources).toEqual({ limits: { cpu: '1' } });
  });

  it('defaults a deployment and its template (without enableServiceLinks)', () => {
    const out = applyDefaults(deploymentObj(), info('deployments')) as J;
    expect(out.spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    expect(out.spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler' });
    expect(out.spec.template.spec).not.toHaveProperty('enableServiceLinks');
    expect(out.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  it('does not add rollingUpdate to a Recreate deployment', () => {
    const d = deploymentObj() as J;
    d.spec.strategy = { type: 'Recreate' };
    expect((applyDefaults(d as KubeObject, info('deployments')) as J).spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('defaults replicasets, namespaces and nodes', () => {
    const rs = { ...deploymentObj(), kind: 'ReplicaSet' };
    expect((applyDefaults(rs, info('replicasets')) as J).spec.replicas).toBe(1);
    const ns = applyDefaults({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }, info('namespaces')) as J;
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'team' });
    expect(ns.status).toEqual({ phase: 'Active' });
    const node = applyDefaults({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { capacity: { cpu: '4' } } }, info('nodes')) as J;
    expect(node.status.allocatable).toEqual({ cpu: '4' });
  });
});

describe('QoS', () => {
  it('parses quantities', () => {
    expect(parseQuantity('500m')).toBeCloseTo(0.5);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity(2)).toBe(2);
    expect(parseQuantity('abc')).toBeUndefined();
  });

  it('classifies pods', () => {
    expect(podQOSClass({ containers: [{ name: 'a' }] })).toBe('BestEffort');
    expect(podQOSClass({ containers: [{ resources: { requests: { cpu: '100m' } } }] })).toBe('Burstable');
    const g = { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1024Mi' } };
    expect(podQOSClass({ containers: [{ resources: g }] })).toBe('Guaranteed');
    expect(podQOSClass({ containers: [{ resources: g }, { resources: { limits: { cpu: '1' }, requests: { cpu: '1' } } }] })).toBe('Burstable');
  });
});

describe('prepareForCreate', () => {
  it('sets pod status Pending with its QoS class', () => {
    const p = applyDefaults(podObj(), info('pods'));
    p.status = { phase: 'Running' };
    expect(prepareForCreate(p, info('pods')).status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('clears workload status and sets generation 1', () => {
    const d = { ...deploymentObj(), status: { replicas: 9 } };
    const out = prepareForCreate(d, info('deployments'));
    expect(out.status).toEqual({});
    expect(out.metadata.generation).toBe(1);
    const rs = prepareForCreate({ ...deploymentObj(), kind: 'ReplicaSet' }, info('replicasets'));
    expect(rs.status).toEqual({ replicas: 0 });
    expect(rs.metadata.generation).toBe(1);
  });

  it('adds the kubernetes finalizer to namespaces', () => {
    const ns = prepareForCreate({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, spec: { finalizers: ['example.com/x'] } }, info('namespaces'));
    expect(ns.spec).toEqual({ finalizers: ['example.com/x', 'kubernetes'] });
    expect(ns.status).toEqual({ phase: 'Active' });
  });

  it('leaves pod generation alone (kube 1.32 pods have none)', () => {
    expect(prepareForCreate(podObj(), info('pods')).metadata.generation).toBeUndefined();
  });
});

describe('prepareForUpdate', () => {
  const stored = (): KubeObject => {
    const d = prepareForCreate(applyDefaults(deploymentObj(), info('deployments')), info('deployments'));
    d.metadata = { ...d.metadata, uid: 'u1', creationTimestamp: '2025-01-01T00:00:00Z', generation: 3 };
    d.status = { observedGeneration: 3, replicas: 1 };
    return d;
  };

  it('keeps status and bumps generation when the spec changes', () => {
    const next = applyDefaults({ ...deploymentObj(), spec: { ...deploymentObj().spec, replicas: 5 }, status: { replicas: 100 } }, info('deployments'));
    const out = prepareForUpdate(next, stored(), info('deployments'));
    expect(out.status).toEqual({ observedGeneration: 3, replicas: 1 });
    expect(out.metadata).toMatchObject({ generation: 4, uid: 'u1', creationTimestamp: '2025-01-01T00:00:00Z' });
  });

  it('does not bump generation for label-only changes, but does for annotations on deployments', () => {
    const next = stored();
    next.metadata.labels = { x: 'y' };
    next.metadata.generation = 42;
    expect(prepareForUpdate(next, stored(), info('deployments')).metadata.generation).toBe(3);
    next.metadata.annotations = { a: 'b' };
    expect(prepareForUpdate(next, stored(), info('deployments')).metadata.generation).toBe(4);
  });

  it('on /status keeps spec and labels and never bumps generation', () => {
    const next = stored() as J;
    next.spec.replicas = 7;
    next.metadata.labels = { changed: 'yes' };
    next.status = { observedGeneration: 3, replicas: 2 };
    const out = prepareForUpdate(next as KubeObject, stored(), info('deployments'), 'status') as J;
    expect(out.spec.replicas).toBe(1);
    expect(out.metadata.labels).toBeUndefined();
    expect(out.metadata.generation).toBe(3);
    expect(out.status).toEqual({ observedGeneration: 3, replicas: 2 });
  });

  it('keeps pod status on the main resource and pod spec/owners on /status', () => {
    const old = prepareForCreate(applyDefaults(podObj(), info('pods')), info('pods'));
    old.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u' }];
    const main = { ...old, status: { phase: 'Running' } };
    expect(prepareForUpdate(main, old, info('pods')).status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    const st = { ...old, metadata: { ...old.metadata, ownerReferences: [] }, spec: { containers: [] }, status: { phase: 'Running' } };
    const out = prepareForUpdate(st, old, info('pods'), 'status');
    expect(out.spec).toEqual(old.spec);
    expect(out.metadata.ownerReferences).toEqual(old.metadata.ownerReferences);
    expect(out.status).toEqual({ phase: 'Running', qosClass: 'BestEffort' });
  });

  it('keeps namespace finalizers unless written through /finalize', () => {
    const old = prepareForCreate({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } }, info('namespaces'));
    const next = { ...old, spec: { finalizers: [] } };
    expect(prepareForUpdate(next, old, info('namespaces')).spec).toEqual({ finalizers: ['kubernetes'] });
  });
});
