import { BUILTIN_RESOURCES, type ResourceInfo } from '../src/registry';
import type { KubeObject } from '../src/types';
import { humanDuration, timestampSince, toTable } from '../src/table';

const NOW = new Date('2025-01-10T12:00:00Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();

function info(resource: string): ResourceInfo {
  const r = BUILTIN_RESOURCES.find((x) => x.resource === resource);
  if (!r) throw new Error(resource);
  return r;
}

function cells(resource: string, obj: KubeObject): unknown[] {
  return toTable(info(resource), [obj], { now: NOW }).rows[0].cells;
}

const columnNames = (resource: string) => toTable(info(resource), [], {}).columnDefinitions.map((c) => `${c.name}${c.priority ? '*' : ''}`);

describe('humanDuration', () => {
  it.each([
    [-5, '<invalid>'],
    [-1, '0s'],
    [0, '0s'],
    [5, '5s'],
    [119, '119s'],
    [120, '2m'],
    [182, '3m2s'],
    [600, '10m'],
    [179 * 60, '179m'],
    [3 * 3600, '3h'],
    [3 * 3600 + 5 * 60, '3h5m'],
    [8 * 3600, '8h'],
    [47 * 3600, '47h'],
    [2 * 86400 + 3 * 3600, '2d3h'],
    [3 * 86400, '3d'],
    [30 * 86400, '30d'],
    [800 * 86400, '2y70d'],
    [3 * 365 * 86400, '3y'],
    [9 * 365 * 86400 + 100 * 86400, '9y'],
  ])('%d seconds → %s', (s, expected) => {
    expect(humanDuration(s * 1000)).toBe(expected);
  });

  it('says <unknown> without a timestamp', () => {
    expect(timestampSince(undefined, NOW)).toBe('<unknown>');
    expect(timestampSince('garbage', NOW)).toBe('<unknown>');
  });
});

describe('toTable', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', resourceVersion: '42', creationTimestamp: ago(65) },
    spec: { nodeName: 'n1', containers: [{ name: 'a' }, { name: 'b' }] },
    status: {
      phase: 'Running',
      podIP: '10.0.0.9',
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 0, state: { running: {} } },
        { name: 'b', ready: false, restartCount: 2, state: { running: {} }, lastState: { terminated: { finishedAt: ago(300) } } },
      ],
    },
  };

  it('wraps rows in a meta.k8s.io/v1 Table with list metadata', () => {
    const t = toTable(info('pods'), [pod], { now: NOW, listMeta: { resourceVersion: '99', continue: 'tok' } });
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.metadata).toEqual({ resourceVersion: '99', continue: 'tok' });
    expect(t.columnDefinitions[0]).toEqual(expect.objectContaining({ name: 'Name', type: 'string', format: 'name', priority: 0 }));
    expect(t.rows).toHaveLength(1);
  });

  it('attaches PartialObjectMetadata by default, the object, or nothing', () => {
    const meta = toTable(info('pods'), [pod], { now: NOW }).rows[0].object;
    expect(meta).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
    expect(toTable(info('pods'), [pod], { includeObject: 'Object' }).rows[0].object).toBe(pod);
    expect('object' in toTable(info('pods'), [pod], { includeObject: 'None' }).rows[0]).toBe(false);
  });

  it('has the columns of the kube printers, wide ones at priority 1', () => {
    expect(columnNames('pods')).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP*', 'Node*', 'Nominated Node*', 'Readiness Gates*']);
    expect(columnNames('deployments')).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(columnNames('replicasets')).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(columnNames('namespaces')).toEqual(['Name', 'Status', 'Age']);
    expect(columnNames('nodes')).toEqual([
      'Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*',
    ]);
    expect(columnNames('events')).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
    expect(columnNames('configmaps')).toEqual(['Name', 'Data', 'Age']);
    expect(columnNames('serviceaccounts')).toEqual(['Name', 'Secrets', 'Age']);
    expect(columnNames('leases')).toEqual(['Name', 'Holder', 'Age']);
    const widget: ResourceInfo = { ...info('configmaps'), group: 'example.com', resource: 'widgets', kind: 'Widget' };
    expect(toTable(widget, [], {}).columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Age']);
  });
});

describe('pod rows', () => {
  const base: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', creationTimestamp: ago(65) },
    spec: { containers: [{ name: 'a' }] },
    status: {},
  };
  const withStatus = (status: Record<string, unknown>, extra: Partial<KubeObject> = {}): KubeObject => ({ ...base, ...extra, status });

  it('prints ready/total, restarts with the last restart age, IP and node', () => {
    const pod: KubeObject = {
      ...base,
      spec: { nodeName: 'n1', containers: [{ name: 'a' }, { name: 'b' }] },
      status: {
        phase: 'Running',
        podIPs: [{ ip: '10.0.0.9' }],
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 0, state: { running: {} } },
          { name: 'b', ready: false, restartCount: 2, state: { running: {} }, lastState: { terminated: { finishedAt: ago(300) } } },
        ],
      },
    };
    expect(cells('pods', pod)).toEqual(['p', '1/2', 'Running', '2 (5m ago)', '65s', '10.0.0.9', 'n1', '<none>', '<none>']);
  });

  it('defaults to Pending and <none> before scheduling', () => {
    expect(cells('pods', withStatus({}))).toEqual(['p', '0/1', 'Pending', '0', '65s', '<none>', '<none>', '<none>', '<none>']);
  });

  it('shows a waiting or terminated container reason', () => {
    const waiting = withStatus({ phase: 'Pending', containerStatuses: [{ name: 'a', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] });
    expect(cells('pods', waiting).slice(2, 4)).toEqual(['CrashLoopBackOff', '4']);
    const done = withStatus({ phase: 'Succeeded', containerStatuses: [{ name: 'a', state: { terminated: { reason: 'Completed', exitCode: 0 } } }] });
    expect(cells('pods', done)[2]).toBe('Completed');
    expect(toTable(info('pods'), [done], { now: NOW }).rows[0].conditions).toEqual([
      { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
    ]);
    const killed = withStatus({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 137, signal: 9 } } }] });
    expect(cells('pods', killed)[2]).toBe('Signal:9');
    const exited = withStatus({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 3 } } }] });
    expect(cells('pods', exited)[2]).toBe('ExitCode:3');
  });

  it('reports init progress', () => {
    const pod = withStatus(
      { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 0 } } }, { name: 'i2', state: { running: {} } }] },
      { spec: { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] } },
    );
    expect(cells('pods', pod)[2]).toBe('Init:1/2');
    const failing = withStatus(
      { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'ImagePullBackOff' } } }] },
      { spec: { initContainers: [{ name: 'i1' }], containers: [{ name: 'a' }] } },
    );
    expect(cells('pods', failing)[2]).toBe('Init:ImagePullBackOff');
  });

  it('says Terminating once deletion started, unless the pod already finished', () => {
    const deleting = withStatus({ phase: 'Running' }, { metadata: { ...base.metadata, deletionTimestamp: ago(1) } });
    expect(cells('pods', deleting)[2]).toBe('Terminating');
    const finished = withStatus({ phase: 'Succeeded' }, { metadata: { ...base.metadata, deletionTimestamp: ago(1) } });
    expect(cells('pods', finished)[2]).toBe('Succeeded');
  });

  it('counts satisfied readiness gates', () => {
    const pod = withStatus(
      { phase: 'Running', conditions: [{ type: 'example.com/lb', status: 'True' }] },
      { spec: { containers: [{ name: 'a' }], readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'x/y' }] } },
    );
    expect(cells('pods', pod)[8]).toBe('1/2');
  });
});

describe('other kinds', () => {
  const meta = (name: string) => ({ name, creationTimestamp: ago(3 * 86400 + 3600) });

  it('prints deployments with ready/desired and the selector', () => {
    const d: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('web'),
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'side', image: 'busybox' }] } },
      },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    expect(cells('deployments', d)).toEqual(['web', '2/3', 3, 2, '3d1h', 'web,side', 'nginx:1.27,busybox', 'app=web']);
  });

  it('prints replicasets with counts and a formatted selector', () => {
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta('web-abc'),
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
      status: { replicas: 2, readyReplicas: 1 },
    };
    expect(cells('replicasets', rs)).toEqual(['web-abc', 2, 2, 1, '3d1h', 'web', 'nginx', '<none>']);
  });

  it('prints node status, roles and system info', () => {
    const n: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { ...meta('n1'), labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '10.1.0.1' }],
        nodeInfo: { kubeletVersion: 'v1.32.0-keelson', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'process://1' },
      },
    };
    expect(cells('nodes', n)).toEqual([
      'n1', 'Ready,SchedulingDisabled', 'control-plane,worker', '3d1h', 'v1.32.0-keelson', '10.1.0.1', '<none>', 'Debian', '6.1', 'process://1',
    ]);
    const bare: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: meta('n2'), status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
    expect(cells('nodes', bare).slice(1, 3)).toEqual(['NotReady', '<none>']);
    expect(cells('nodes', { ...bare, status: {} })[1]).toBe('Unknown');
  });

  it('prints events with object, source and count', () => {
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'p.1', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'p', fieldPath: 'spec.containers{a}' },
      reason: 'Started',
      type: 'Normal',
      message: ' Started container a \n',
      source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: ago(600),
      lastTimestamp: ago(30),
      count: 3,
    };
    expect(cells('events', ev)).toEqual(['30s', 'Normal', 'Started', 'pod/p', 'spec.containers{a}', 'kubelet, n1', 'Started container a', '10m', 3, 'p.1']);
    const modern: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, eventTime: ago(5), reportingComponent: 'sched', involvedObject: { kind: 'Node' } };
    expect(cells('events', modern)).toEqual(['5s', '', '', 'node', '', 'sched', '', '5s', 1, 'e']);
  });

  it('prints namespaces, configmaps, service accounts, leases and unknown kinds', () => {
    expect(cells('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: meta('ns'), status: { phase: 'Active' } })).toEqual(['ns', 'Active', '3d1h']);
    expect(cells('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cm'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } })).toEqual([
      'cm', 3, '3d1h',
    ]);
    expect(cells('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default') })).toEqual(['default', 0, '3d1h']);
    expect(cells('leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta('l'), spec: { holderIdentity: 'gw-1' } })).toEqual([
      'l', 'gw-1', '3d1h',
    ]);
    const widget: ResourceInfo = { ...info('configmaps'), group: 'example.com', resource: 'widgets', kind: 'Widget' };
    expect(toTable(widget, [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }], { now: NOW }).rows[0].cells).toEqual(['w', '<unknown>']);
  });
});
