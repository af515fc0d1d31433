import { validateObject } from '../src/validation/objects';
import { applyDefaults, prepareForCreate } from '../src/defaults';
import { resolveSchema } from '../src/schema';
import { BUILTIN_RESOURCES } from '../src/registry';
import type { ResourceInfo } from '../src/registry';
import type { KubeObject } from '../src/types';

const info = (resource: string): ResourceInfo => BUILTIN_RESOURCES.find((x) => x.resource === resource) as ResourceInfo;

/** The gateway's create path: default, prepare, validate. */
function create(obj: KubeObject, resource: string, unknownFields: 'Strict' | 'Warn' | 'Ignore' = 'Strict') {
  const r = info(resource);
  const prepared = prepareForCreate(applyDefaults(obj, r), r);
  return validateObject(prepared, r, { resolve: resolveSchema, unknownFields });
}

const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.27',
            ports: [{ containerPort: 80 }],
            resources: { requests: { cpu: '100m', memory: 64 }, limits: { cpu: 0.5 } },
            readinessProbe: { httpGet: { path: '/', port: 'http' } },
            env: [{ name: 'A', value: 'b' }],
          },
        ],
      },
    },
  },
});

describe('validation with the built-in schemas', () => {
  it('accepts a typical defaulted deployment, pod, namespace, node, lease and event', () => {
    expect(create(deployment(), 'deployments')).toEqual({ causes: [], warnings: [] });
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1'] }] } };
    expect(create(pod, 'pods').causes).toEqual([]);
    expect(create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }, 'namespaces').causes).toEqual([]);
    const node: KubeObject = {
      apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } },
      spec: { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] },
      status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
    };
    expect(create(node, 'nodes').causes).toEqual([]);
    const lease: KubeObject = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2025-01-01T00:00:00.000000Z' } };
    expect(create(lease, 'leases').causes).toEqual([]);
    const ev: KubeObject = {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'p.1', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default', uid: 'u' }, reason: 'Scheduled', message: 'ok', type: 'Normal',
      source: { component: 'default-scheduler' }, count: 1, firstTimestamp: '2025-01-01T00:00:00Z', lastTimestamp: '2025-01-01T00:00:00Z',
    };
    expect(create(ev, 'events').causes).toEqual([]);
  });

  it('reports a misspelled container field under Strict and warns under Warn', () => {
    const d = deployment() as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } } & KubeObject;
    d.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    const strict = create(d, 'deployments');
    expect(strict.causes).toContainEqual({
      reason: 'FieldValueInvalid',
      field: 'spec.template.spec.containers[0].imagePullPolicyy',
      message: 'unknown field "spec.template.spec.containers[0].imagePullPolicyy"',
    });
    expect(create(d, 'deployments', 'Warn')).toEqual({ causes: [], warnings: ['unknown field "spec.template.spec.containers[0].imagePullPolicyy"'] });
  });

  it('reports type errors before kind rules', () => {
    const d = deployment() as { spec: Record<string, unknown> } & KubeObject;
    d.spec.replicas = 'three';
    expect(create(d, 'deployments').causes).toEqual([
      { reason: 'FieldValueTypeInvalid', field: 'spec.replicas', message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"' },
    ]);
  });

  it('reports a missing container name once', () => {
    const d = deployment() as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } } & KubeObject;
    delete d.spec.template.spec.containers[0].name;
    expect(create(d, 'deployments').causes).toEqual([{ reason: 'FieldValueRequired', field: 'spec.template.spec.containers[0].name', message: 'Required value' }]);
  });
});
