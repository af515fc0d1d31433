import { validateObject } from '../src/validation/objects';
import { BUILTIN_RESOURCES } from '../src/registry';
import type { ResourceInfo } from '../src/registry';
import type { KubeObject } from '../src/types';
import type { SchemaResolver } from '../src/schema/types';

const info = (resource: string): ResourceInfo => {
  const r = BUILTIN_RESOURCES.find((x) => x.resource === resource);
  if (!r) throw new Error(resource);
  return r;
};
// No schemas here: these tests cover the kind rules alone.
const noSchemas: SchemaResolver = () => undefined;
const validate = (obj: KubeObject, resource: string, old?: KubeObject) =>
  validateObject(obj, info(resource), { resolve: noSchemas, unknownFields: 'Strict', old }).causes;

const pod = (spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', containers: [{ name: 'c', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] }], ...spec },
});

const deployment = (spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { restartPolicy: 'Always', containers: [{ name: 'web', image: 'nginx' }] } },
    ...spec,
  },
});

describe('metadata rules', () => {
  it('requires a name unless generateName is set', () => {
    expect(validate({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }, 'configmaps')).toEqual([
      { reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' },
    ]);
    expect(validate({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'cm-' } }, 'configmaps')).toEqual([]);
  });

  it('rejects an invalid pod name with the subdomain message', () => {
    const causes = validate({ ...pod(), metadata: { name: 'Bad_Name' } }, 'pods');
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'metadata.name' });
    expect(causes[0].message).toMatch(/^Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  });

  it('rejects namespace names with dots', () => {
    expect(validate({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }, 'namespaces')).toEqual([
      { reason: 'FieldValueInvalid', field: 'metadata.name', message: 'Invalid value: "a.b": must not contain dots' },
    ]);
  });

  it('checks label keys and values, annotation keys and total size', () => {
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', labels: { 'bad key': 'ok', good: '-bad' }, annotations: { 'x/y/z': 'v', big: 'x'.repeat(256 * 1024) } },
    };
    const causes = validate(obj, 'configmaps');
    expect(causes.map((c) => c.field)).toEqual(['metadata.labels', 'metadata.labels', 'metadata.annotations', 'metadata.annotations']);
    expect(causes[3]).toEqual({ reason: 'FieldValueTooLong', field: 'metadata.annotations', message: 'Too long: may not be more than 262144 bytes' });
  });

  it('checks finalizers and owner references', () => {
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'cm',
        finalizers: ['example.com/ok', 'Bad/'],
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '', controller: true },
        ],
      },
    };
    const fields = validate(obj, 'configmaps').map((c) => `${c.field}: ${c.message}`);
    expect(fields).toContain('metadata.ownerReferences.uid: Invalid value: "": must not be empty');
    expect(fields.some((f) => f.includes('Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b'))).toBe(true);
    expect(fields.filter((f) => f.startsWith('metadata.finalizers'))).toHaveLength(3);
  });
});

describe('Pod rules', () => {
  it('accepts a valid pod', () => {
    expect(validate(pod(), 'pods')).toEqual([]);
  });

  it('requires at least one container', () => {
    expect(validate(pod({ containers: [] }), 'pods')).toEqual([{ reason: 'FieldValueRequired', field: 'spec.containers', message: 'Required value' }]);
  });

  it('checks container names, images, ports and policies', () => {
    const causes = validate(
      pod({
        restartPolicy: 'Sometimes',
        dnsPolicy: 'Nope',
        containers: [
          { name: 'c', image: 'a' },
          { name: 'c', image: '', ports: [{ containerPort: 70000 }] },
          { name: 'Bad', image: 'b' },
        ],
      }),
      'pods',
    );
    const byField = Object.fromEntries(causes.map((c) => [c.field, c.message]));
    expect(byField['spec.containers[1].name']).toBe('Duplicate value: "c"');
    expect(byField['spec.containers[1].image']).toBe('Required value');
    expect(byField['spec.containers[1].ports[0].containerPort']).toBe('Invalid value: 70000: must be between 1 and 65535, inclusive');
    expect(byField['spec.containers[2].name']).toMatch(/^Invalid value: "Bad": a lowercase RFC 1123 label/);
    expect(byField['spec.restartPolicy']).toBe('Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"');
    expect(byField['spec.dnsPolicy']).toBe('Unsupported value: "Nope": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"');
  });

  it('checks probes as kube does: one handler, a valid one, thresholds, per-kind rules, none on plain init containers', () => {
    const http = { httpGet: { path: '/healthz', port: 'web', scheme: 'HTTP' } };
    const ok = pod({ containers: [{ name: 'c', image: 'a', livenessProbe: { ...http, successThreshold: 1, terminationGracePeriodSeconds: 5 }, readinessProbe: { tcpSocket: { port: 8080 }, successThreshold: 3 }, startupProbe: { exec: { command: ['true'] } } }] });
    expect(validate(ok, 'pods')).toEqual([]);
    const causes = validate(pod({
      containers: [{
        name: 'c', image: 'a',
        livenessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 }, successThreshold: 2, periodSeconds: -1 },
        readinessProbe: { httpGet: { path: '', port: 70000, scheme: 'FTP', httpHeaders: [{ name: 'Bad Header', value: 'x' }] }, terminationGracePeriodSeconds: 10 },
        startupProbe: { periodSeconds: 5, terminationGracePeriodSeconds: 0 },
      }, { name: 'd', image: 'a', livenessProbe: { exec: { command: [] } }, readinessProbe: { grpc: { port: 0 } } }],
      initContainers: [
        { name: 'init', image: 'a', readinessProbe: { exec: { command: ['true'] } }, lifecycle: { preStop: { exec: { command: ['true'] } } } },
        { name: 'sidecar', image: 'a', restartPolicy: 'Always', startupProbe: { tcpSocket: { port: 'Not_A_Name' } } },
      ],
    }), 'pods');
    expect(causes.map((c) => `${c.field}: ${c.message}`).sort()).toEqual([
      'spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      'spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
      'spec.containers[0].readinessProbe.httpGet.httpHeaders: Invalid value: "Bad Header": a valid HTTP header must consist of alphanumeric characters or \'-\' (e.g. \'X-Header-Name\', regex used for validation is \'[-A-Za-z0-9]+\')',
      'spec.containers[0].readinessProbe.httpGet.path: Required value',
      'spec.containers[0].readinessProbe.httpGet.port: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].readinessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"',
      'spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 10: must not be set for readinessProbes',
      'spec.containers[0].startupProbe: Required value: must specify a handler type',
      'spec.containers[0].startupProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0',
      'spec.containers[1].livenessProbe.exec.command: Required value',
      'spec.containers[1].readinessProbe.grpc.port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always',
      'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      'spec.initContainers[1].startupProbe.tcpSocket.port: Invalid value: "Not_A_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ].sort());
  });

  it('checks lifecycle hooks: one action each, exec/httpGet/tcpSocket/sleep, a sleep within the grace period', () => {
    const hooks = (lifecycle: Record<string, unknown>, grace?: number) => validate(pod({ ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}), containers: [{ name: 'c', image: 'a', lifecycle }] }), 'pods').map((c) => `${c.field}: ${c.message}`);
    expect(hooks({ preStop: { sleep: { seconds: 5 } }, postStart: { exec: { command: ['true'] } } })).toEqual([]);
    expect(hooks({ preStop: { tcpSocket: { port: 80 } } })).toEqual([]);
    expect(hooks({ preStop: {} })).toEqual(['spec.containers[0].lifecycle.preStop: Required value: must specify a handler type']);
    expect(hooks({ preStop: { exec: { command: ['true'] }, sleep: { seconds: 1 } } })).toEqual(['spec.containers[0].lifecycle.preStop.sleep: Forbidden: may not specify more than 1 handler type']);
    expect(hooks({ preStop: { sleep: { seconds: 0 } } })).toEqual(['spec.containers[0].lifecycle.preStop.sleep: Invalid value: 0: must be greater than 0 and less than terminationGracePeriodSeconds (30)']);
    expect(hooks({ preStop: { sleep: { seconds: 20 } } }, 10)).toEqual(['spec.containers[0].lifecycle.preStop.sleep: Invalid value: 20: must be greater than 0 and less than terminationGracePeriodSeconds (10)']);
    expect(hooks({ postStart: { grpc: { port: 80 } } })).toEqual(['spec.containers[0].lifecycle.postStart: Required value: must specify a handler type']);
  });

  it('allows only image, activeDeadlineSeconds and added tolerations to change', () => {
    const old = pod();
    const newImage = pod({ containers: [{ name: 'c', image: 'nginx:1.28', ports: [{ containerPort: 80, protocol: 'TCP' }] }], activeDeadlineSeconds: 30 });
    expect(validate(newImage, 'pods', old)).toEqual([]);
    const moved = pod({ nodeName: 'node-b' });
    const causes = validate(moved, 'pods', old);
    expect(causes).toHaveLength(1);
    expect(causes[0].field).toBe('spec');
    expect(causes[0].reason).toBe('FieldValueForbidden');
    expect(causes[0].message).toMatch(
      /^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`,`spec.initContainers\[\*\].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` \(only additions to existing tolerations\),`spec.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n/,
    );
    expect(causes[0].message).toContain('spec.nodeName');
  });

  it('forbids adding containers and removing tolerations', () => {
    const old = pod({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }] });
    const added = pod({ tolerations: [], containers: [...((old.spec?.containers as unknown[]) ?? []), { name: 'd', image: 'x' }] });
    expect(validate(added, 'pods', old)).toEqual([{ reason: 'FieldValueForbidden', field: 'spec.containers', message: 'Forbidden: pod updates may not add or remove containers' }]);
    const removed = pod({ tolerations: [] });
    expect(validate(removed, 'pods', old).map((c) => c.message)).toContain('Forbidden: existing toleration can not be modified except its tolerationSeconds');
  });
});

describe('Deployment and ReplicaSet rules', () => {
  it('accepts a valid deployment', () => {
    expect(validate(deployment(), 'deployments')).toEqual([]);
  });

  it('requires a selector that matches the template labels', () => {
    expect(validate(deployment({ selector: undefined }), 'deployments')).toEqual([{ reason: 'FieldValueRequired', field: 'spec.selector', message: 'Required value' }]);
    expect(validate(deployment({ selector: { matchLabels: { app: 'other' } } }), 'deployments')).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.template.metadata.labels',
        message: 'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      },
    ]);
    expect(validate(deployment({ selector: {} }), 'deployments')[0].message).toMatch(/empty selector is invalid for deployment$/);
  });

  it('checks replicas, restartPolicy, strategy type and surge/unavailable', () => {
    const d = deployment({ replicas: -1 });
    expect(validate(d, 'deployments')).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' }]);
    const never = deployment();
    (never.spec as { template: { spec: Record<string, unknown> } }).template.spec.restartPolicy = 'Never';
    expect(validate(never, 'deployments')).toEqual([
      { reason: 'FieldValueNotSupported', field: 'spec.template.spec.restartPolicy', message: 'Unsupported value: "Never": supported values: "Always"' },
    ]);
    expect(validate(deployment({ strategy: { type: 'Blue' } }), 'deployments')[0]).toMatchObject({ reason: 'FieldValueNotSupported', field: 'spec.strategy' });
    expect(validate(deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } } }), 'deployments')).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.strategy.rollingUpdate.maxUnavailable', message: 'Invalid value: 0: may not be 0 when `maxSurge` is 0' },
    ]);
  });

  it('makes the selector immutable on update', () => {
    const old = deployment();
    const changed = deployment({ selector: { matchLabels: { app: 'web', tier: 'x' } } });
    (changed.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels.tier = 'x';
    expect(validate(changed, 'deployments', old)).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.selector',
        message: 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      },
    ]);
  });

  it('applies the same template rules to ReplicaSets', () => {
    const rs: KubeObject = { ...deployment(), kind: 'ReplicaSet' };
    delete (rs.spec as Record<string, unknown>).strategy;
    expect(validate(rs, 'replicasets')).toEqual([]);
    (rs.spec as Record<string, unknown>).selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] };
    expect(validate(rs, 'replicasets')[0].message).toMatch(/`selector` does not match template `labels`$/);
  });
});

describe('other kinds', () => {
  it('checks ConfigMap keys and immutability', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { 'ok.key': 'v', 'bad key': 'v' } };
    expect(validate(cm, 'configmaps')[0]).toMatchObject({ field: 'data[bad key]', reason: 'FieldValueInvalid' });
    const old: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' }, immutable: true };
    const upd: KubeObject = { ...old, data: { a: '2' } };
    expect(validate(upd, 'configmaps', old)).toEqual([{ reason: 'FieldValueForbidden', field: 'data', message: 'Forbidden: field is immutable when `immutable` is set' }]);
  });

  it('requires an event involvedObject in the event namespace', () => {
    const ev: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' } };
    expect(validate(ev, 'events')).toEqual([{ reason: 'FieldValueRequired', field: 'involvedObject', message: 'Required value' }]);
    ev.involvedObject = { kind: 'Pod', name: 'p', namespace: 'other' };
    expect(validate(ev, 'events')).toEqual([
      { reason: 'FieldValueInvalid', field: 'involvedObject.namespace', message: 'Invalid value: "other": does not match event.namespace' },
    ]);
  });

  it('checks lease durations, node taints and namespace finalizers', () => {
    const lease: KubeObject = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { leaseDurationSeconds: 0 } };
    expect(validate(lease, 'leases')[0]).toMatchObject({ field: 'spec.leaseDurationSeconds', message: 'Invalid value: 0: must be greater than 0' });
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } };
    expect(validate(node, 'nodes')[0]).toMatchObject({ field: 'spec.taints[0].effect', reason: 'FieldValueNotSupported' });
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, spec: { finalizers: ['kubernetes', 'custom'] } };
    expect(validate(ns, 'namespaces')).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.finalizers', message: 'Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified' },
    ]);
  });
});
