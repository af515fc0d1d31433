import { ApiError } from '../src/status';
import { decodeKubernetesProtobuf, supportedProtobufKinds, WireReader, WireType, WireWriter } from '../src/protobuf';
import { formatDuration } from '../src/protobuf/decode';

// ---- tiny test-only protobuf encoder ----
type Part = Buffer;
function varint(n: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Buffer.from(out);
}
const tag = (field: number, wire: number) => varint(field * 8 + wire);
const bytesField = (field: number, b: Buffer): Part => Buffer.concat([tag(field, 2), varint(b.length), b]);
const s = (field: number, v: string): Part => bytesField(field, Buffer.from(v, 'utf8'));
const i = (field: number, v: number): Part => Buffer.concat([tag(field, 0), varint(v)]);
const b = (field: number, v: boolean): Part => i(field, v ? 1 : 0);
const m = (field: number, ...parts: Part[]): Part => bytesField(field, Buffer.concat(parts));
const entry = (field: number, k: string, v: string): Part => m(field, s(1, k), s(2, v));
const raw = (field: number, v: Buffer): Part => bytesField(field, v);

function envelope(apiVersion: string, kind: string, ...objectParts: Part[]): Buffer {
  const unknown = Buffer.concat([m(1, s(1, apiVersion), s(2, kind)), raw(2, Buffer.concat(objectParts)), s(3, ''), s(4, '')]);
  return Buffer.concat([Buffer.from('k8s\0', 'binary'), unknown]);
}

// ObjectMeta exactly as gogo writes it: every non-pointer string/int plus the (empty) Time.
function objectMeta(field: number, name: string, opts: { labels?: Record<string, string>; created?: number } = {}): Part {
  const created = opts.created === undefined ? m(8) : m(8, i(1, opts.created), i(2, 0));
  const labels = Object.entries(opts.labels ?? {}).map(([k, v]) => entry(11, k, v));
  return m(field, s(1, name), s(2, ''), s(3, ''), s(4, ''), s(5, ''), s(6, ''), i(7, 0), created, ...labels);
}

function expectApiError(fn: () => unknown, code: number): ApiError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe(code);
    return e as ApiError;
  }
  throw new Error('expected an ApiError');
}

describe('decodeKubernetesProtobuf', () => {
  it('decodes a Namespace with labels', () => {
    const body = envelope('v1', 'Namespace', objectMeta(1, 'team-a', { labels: { env: 'dev', team: 'a' } }), m(2), m(3, s(1, '')));
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-a', creationTimestamp: null, labels: { env: 'dev', team: 'a' } },
      spec: {},
      status: {},
    });
  });

  it('decodes a ConfigMap with data, binaryData and immutable', () => {
    const body = envelope(
      'v1',
      'ConfigMap',
      objectMeta(1, 'cfg'),
      entry(2, 'a', '1'),
      entry(2, 'b', ''),
      m(3, s(1, 'bin'), raw(2, Buffer.from([0, 1, 2, 255]))),
      b(4, false),
    );
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', creationTimestamp: null },
      data: { a: '1', b: '' },
      binaryData: { bin: 'AAEC/w==' },
      immutable: false,
    });
  });

  it('decodes a Deployment as `kubectl create deployment web --image=nginx --replicas=2` sends it', () => {
    const appWeb = entry(1, 'app', 'web');
    const container = m(2, s(1, 'nginx'), s(2, 'nginx'), s(5, ''), m(8), s(13, ''), s(14, ''), b(16, false), b(17, false), b(18, false), s(20, ''));
    const podSpec = m(2, container, s(3, ''), s(6, ''), s(8, ''), s(9, ''), s(10, ''), b(11, false), b(12, false), b(13, false), s(16, ''), s(17, ''), s(19, ''));
    const spec = m(
      2,
      i(1, 2),
      m(2, appWeb),
      m(3, objectMeta(1, '', { labels: { app: 'web' } }), podSpec),
      m(4, s(1, '')),
      i(5, 0),
      b(7, false),
    );
    const status = m(3, i(1, 0), i(2, 0), i(3, 0), i(4, 0), i(5, 0), i(7, 0));
    const body = envelope('apps/v1', 'Deployment', objectMeta(1, 'web', { labels: { app: 'web' }, created: 1704164645 }), spec, status);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', creationTimestamp: '2024-01-02T03:04:05Z', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it('decodes pod details: volumes, probes, env, resources, intstr, tolerations', () => {
    const probe = m(10, m(1, m(2, s(1, '/healthz'), m(2, i(1, 1), i(2, 0), s(3, 'http')))), i(2, 5), i(4, 10));
    const tcpProbe = m(11, m(1, m(3, m(1, i(1, 0), i(2, 8080), s(3, '')))));
    const env = [m(7, s(1, 'A'), s(2, 'x')), m(7, s(1, 'B'), m(3, m(3, m(1, s(1, 'cm')), s(2, 'k'))))];
    const resources = m(8, m(1, s(1, 'cpu'), m(2, s(1, '500m'))), m(2, s(1, 'memory'), m(2, s(1, '64Mi'))));
    const container = m(2, s(1, 'c'), s(2, 'img'), s(3, 'sh'), s(3, '-c'), m(6, s(1, 'http'), i(3, 80), s(4, 'TCP')), ...env, resources, m(9, s(1, 'data'), s(3, '/data')), probe, tcpProbe, m(15));
    const volumes = [m(1, s(1, 'data'), m(2, m(2, s(1, '')))), m(1, s(1, 'cfg'), m(2, m(19, m(1, s(1, 'cm')), i(3, 420))))];
    const tol = m(22, s(1, 'k'), s(2, 'Exists'), s(3, ''), s(4, 'NoSchedule'), i(5, 30));
    const spec = m(2, ...volumes, container, s(3, 'Always'), i(4, 30), m(14), i(25, 0), b(30, true), tol, m(26, s(1, '1.1.1.1')));
    const out = decodeKubernetesProtobuf(envelope('v1', 'Pod', objectMeta(1, 'p'), spec, m(3)));
    expect(out.spec).toEqual({
      volumes: [
        { name: 'data', emptyDir: {} },
        { name: 'cfg', configMap: { name: 'cm', defaultMode: 420 } },
      ],
      containers: [
        {
          name: 'c',
          image: 'img',
          command: ['sh', '-c'],
          ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
          env: [
            { name: 'A', value: 'x' },
            { name: 'B', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
          ],
          resources: { limits: { cpu: '500m' }, requests: { memory: '64Mi' } },
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
          livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 5, periodSeconds: 10 },
          readinessProbe: { tcpSocket: { port: 8080 } },
          securityContext: {},
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      securityContext: {},
      priority: 0,
      enableServiceLinks: true,
      tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 30 }],
      dnsConfig: { nameservers: ['1.1.1.1'] },
    });
  });

  it('decodes a Lease with MicroTime and negative / large int64 values', () => {
    const spec = m(2, s(1, 'node-1'), i(2, 40), m(4, i(1, 1704164645), i(2, 123456789)), i(5, 0));
    const out = decodeKubernetesProtobuf(envelope('coordination.k8s.io/v1', 'Lease', objectMeta(1, 'l'), spec));
    expect(out.spec).toEqual({ holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2024-01-02T03:04:05.123456Z', leaseTransitions: 0 });
    const del = decodeKubernetesProtobuf(envelope('v1', 'DeleteOptions', i(1, -1), s(4, 'Foreground'), s(5, 'All')));
    expect(del).toEqual({ apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: -1, propagationPolicy: 'Foreground', dryRun: ['All'] });
    const meta = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', m(1, s(1, 'x'), i(7, 2 ** 40))));
    expect(meta.metadata).toEqual({ name: 'x', generation: 2 ** 40 });
  });

  it('decodes managedFields fieldsV1 as JSON and ownerReferences', () => {
    const mf = m(17, s(1, 'kubectl'), s(2, 'Update'), s(3, 'v1'), m(4, i(1, 0)), s(6, 'FieldsV1'), m(7, s(1, '{"f:data":{}}')));
    const owner = m(13, s(1, 'ReplicaSet'), s(3, 'rs'), s(4, 'u1'), s(5, 'apps/v1'), b(6, true));
    const out = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', m(1, s(1, 'x'), owner, mf)));
    expect(out.metadata).toEqual({
      name: 'x',
      ownerReferences: [{ kind: 'ReplicaSet', name: 'rs', uid: 'u1', apiVersion: 'apps/v1', controller: true }],
      managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '1970-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }],
    });
  });

  // Bodies captured from real kubectl 1.32 (`kubectl create ...` against a recording server).
  const KUBECTL_DEPLOYMENT =
    'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EqsBCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEnoIAhIMCgoKA2FwcBIDd2ViGmAKHAoAEgAaACIAKgAyADgAQgBaCgoDYXBwEgN3ZWISQBIiCgVuZ2lueBIFbmdpbngqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==';
  const KUBECTL_NAMESPACE = 'azhzAAoPCgJ2MRIJTmFtZXNwYWNlEh4KFgoGdGVhbS1hEgAaACIAKgAyADgAQgASABoCCgAaACIA';
  const KUBECTL_SERVICE =
    'azhzAAoNCgJ2MRIHU2VydmljZRJsCiEKBHN2YzESABoAIgAqADIAOABCAFoLCgNhcHASBHN2YzESQwobCgc4MC04MDgwEgNUQ1AYUCIHCAAQkD8aACgAEgsKA2FwcBIEc3ZjMRoAIglDbHVzdGVySVA6AEIAUgBaAGAAaAAaAgoAGgAiAA==';

  it('decodes real kubectl create bodies to what `--dry-run=client -o json` prints', () => {
    expect(decodeKubernetesProtobuf(Buffer.from(KUBECTL_DEPLOYMENT, 'base64'))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
    expect(decodeKubernetesProtobuf(Buffer.from(KUBECTL_NAMESPACE, 'base64'))).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-a', creationTimestamp: null },
      spec: {},
      status: {},
    });
    expect(decodeKubernetesProtobuf(Buffer.from(KUBECTL_SERVICE, 'base64'))).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc1', creationTimestamp: null, labels: { app: 'svc1' } },
      spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'svc1' }, type: 'ClusterIP' },
      status: { loadBalancer: {} },
    });
  });

  it('skips unknown fields of every wire type', () => {
    const junk = [i(99, 7), s(98, 'x'), Buffer.concat([tag(97, 5), Buffer.alloc(4)]), Buffer.concat([tag(96, 1), Buffer.alloc(8)])];
    const out = decodeKubernetesProtobuf(envelope('v1', 'ServiceAccount', ...junk, m(1, s(1, 'sa'), ...junk), b(4, false)));
    expect(out).toEqual({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' }, automountServiceAccountToken: false });
  });

  it('the wire reader skips a varint with the checks of reading it; the writer leaves empty bytes out', () => {
    const skip = (bytes: number[]) => () => new WireReader(Buffer.from(bytes)).skip(WireType.Varint, 1);
    const r = new WireReader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x2a]));
    r.skip(WireType.Varint, 1);
    expect(r.uvarint()).toBe(42);
    expect(skip([0x80, 0x80])).toThrow('truncated varint');
    expect(skip(Array(10).fill(0x80).concat(0x01))).toThrow('varint too long');
    const w = new WireWriter().bytes(1, Buffer.from([0, 0xff])).bytes(2, Buffer.alloc(0)).finish();
    expect([...w]).toEqual([0x0a, 2, 0, 0xff]);
    expect(new WireReader(w).tag()).toEqual({ field: 1, wire: WireType.LengthDelimited });
  });

  it('rejects a missing magic, truncated and garbage bodies with 400', () => {
    expectApiError(() => decodeKubernetesProtobuf(Buffer.from('{"kind":"Namespace"}')), 400);
    const good = envelope('v1', 'Namespace', objectMeta(1, 'ns'));
    for (const cut of [5, 10, good.length - 3]) expectApiError(() => decodeKubernetesProtobuf(good.subarray(0, cut)), 400);
    expectApiError(() => decodeKubernetesProtobuf(Buffer.concat([Buffer.from('k8s\0', 'binary'), Buffer.from([0xff, 0xff, 0xff])])), 400);
    expectApiError(() => decodeKubernetesProtobuf(envelope('v1', 'Namespace', i(1, 5))), 400); // metadata as varint
    expectApiError(() => decodeKubernetesProtobuf(Buffer.from('k8s\0', 'binary')), 400); // no kind
  });

  it('rejects an unknown kind with 415 naming the kind', () => {
    const err = expectApiError(() => decodeKubernetesProtobuf(envelope('example.com/v1', 'Widget', objectMeta(1, 'w'))), 415);
    expect(err.reason).toBe('UnsupportedMediaType');
    expect(err.message).toContain('Widget');
    expect(err.message).toContain('application/json');
  });

  it('lists supported kinds and formats durations like Go', () => {
    expect(supportedProtobufKinds()).toEqual(expect.arrayContaining(['v1/Namespace', 'apps/v1/Deployment', '*/DeleteOptions']));
    expect([0, 1500, 2e6, 1.5e9, 3723e9].map(formatDuration)).toEqual(['0s', '1.5µs', '2ms', '1.5s', '1h2m3s']);
  });
});
