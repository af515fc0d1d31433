// core/v1 strategies: defaulting, the create/update preparation of Services, validation
// messages and printed cells of Secret, Service, Endpoints, PV(C), ResourceQuota, LimitRange, RC.
import { applyDefaults, prepareForCreate, prepareForUpdate } from '../src/defaults';
import { BUILTIN_RESOURCES, type ResourceInfo } from '../src/registry';
import { resolveSchema } from '../src/schema';
import { toTable } from '../src/table';
import type { KubeObject } from '../src/types';
import { validateObject } from '../src/validation/objects';
import { invalidBase64At } from '../src/kinds/core/secrets';
import { formatEndpoints } from '../src/kinds/core/endpoints';
import { quotaColumns } from '../src/kinds/core/resourcequotas';
import { accessModesText } from '../src/kinds/core/volume-access';

const info = (resource: string): ResourceInfo => BUILTIN_RESOURCES.find((r) => r.group === '' && r.resource === resource)!;
const object = (kind: string, rest: Record<string, unknown>, name = 'x'): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'default' }, ...rest });

/** What the gateway does on create: defaults, PrepareForCreate, then the validation messages. */
function create(resource: string, obj: KubeObject): { obj: KubeObject; errors: string[] } {
  const prepared = prepareForCreate(applyDefaults(obj, info(resource)), info(resource));
  const { causes } = validateObject(prepared, info(resource), { resolve: resolveSchema, unknownFields: 'Strict' });
  return { obj: prepared, errors: causes.map((c) => `${c.field}: ${c.message}`) };
}

function update(resource: string, obj: KubeObject, old: KubeObject): { obj: KubeObject; errors: string[] } {
  const prepared = prepareForUpdate(applyDefaults(obj, info(resource)), old, info(resource));
  const { causes } = validateObject(prepared, info(resource), { resolve: resolveSchema, unknownFields: 'Strict', old });
  return { obj: prepared, errors: causes.map((c) => `${c.field}: ${c.message}`) };
}

const cells = (resource: string, obj: KubeObject) => toTable(info(resource), [obj], { now: new Date() }).rows[0].cells;

describe('Secret', () => {
  test('stringData overwrites data keys as base64 and disappears; type defaults to Opaque', () => {
    const { obj, errors } = create('secrets', object('Secret', { data: { a: 'b2xk' }, stringData: { a: 'new', b: 'two' } }));
    expect(errors).toEqual([]);
    expect(obj.data).toEqual({ a: Buffer.from('new').toString('base64'), b: Buffer.from('two').toString('base64') });
    expect(obj.stringData).toBeUndefined();
    expect(obj.type).toBe('Opaque');
  });

  test('each type requires its keys', () => {
    const errs = (type: string, data: Record<string, string> = {}, annotations?: Record<string, string>) =>
      create('secrets', { ...object('Secret', { type, data }), metadata: { name: 's', namespace: 'default', annotations } }).errors;
    expect(errs('kubernetes.io/tls')).toEqual(['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
    expect(errs('kubernetes.io/basic-auth')).toEqual(['data[username]: Required value', 'data[password]: Required value']);
    expect(errs('kubernetes.io/basic-auth', { password: 'eA==' })).toEqual([]);
    expect(errs('kubernetes.io/ssh-auth')).toEqual(['data[ssh-privatekey]: Required value']);
    expect(errs('kubernetes.io/dockerconfigjson')).toEqual(['data[.dockerconfigjson]: Required value']);
    expect(errs('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': Buffer.from('{not json').toString('base64') })[0]).toMatch(/^data\[\.dockerconfigjson\]: Invalid value: "<secret contents redacted>": /);
    expect(errs('kubernetes.io/service-account-token')).toEqual(['metadata.annotations[kubernetes.io/service-account.name]: Required value']);
    expect(errs('bootstrap.kubernetes.io/token')).toEqual([]);
  });

  test('more than 1 MiB of data is too long', () => {
    const big = Buffer.alloc(1024 * 1024 + 1).toString('base64');
    expect(create('secrets', object('Secret', { data: { big } })).errors).toEqual(['data: Too long: may not be more than 1048576 bytes']);
  });

  test('immutable secrets keep data and immutability; type never changes', () => {
    const old = create('secrets', object('Secret', { data: { a: 'YQ==' }, immutable: true })).obj;
    expect(update('secrets', { ...old, data: { a: 'Yg==' } }, old).errors).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
    expect(update('secrets', { ...old, immutable: false }, old).errors).toEqual(['immutable: Forbidden: field is immutable when `immutable` is set']);
    expect(update('secrets', { ...old, metadata: { ...old.metadata, labels: { a: 'b' } } }, old).errors).toEqual([]);
    const open = create('secrets', object('Secret', { data: { a: 'YQ==' } })).obj;
    expect(update('secrets', { ...open, type: 'kubernetes.io/tls', data: { 'tls.crt': 'YQ==', 'tls.key': 'YQ==' } }, open).errors).toEqual(['type: Invalid value: "kubernetes.io/tls": field is immutable']);
  });

  test('base64 is checked the way Go decodes it', () => {
    expect(invalidBase64At('aGVsbG8=')).toBe(-1);
    expect(invalidBase64At('aGVs\nbG8=')).toBe(-1);
    expect(invalidBase64At('')).toBe(-1);
    expect(invalidBase64At('aGVsbG8')).toBe(4);
    expect(invalidBase64At('a!==')).toBe(1);
    expect(invalidBase64At('a===')).toBe(1);
  });

  test('printed as NAME TYPE DATA AGE', () => {
    expect(cells('secrets', object('Secret', { type: 'Opaque', data: { a: 'YQ==', b: 'Yg==' } })).slice(0, 3)).toEqual(['x', 'Opaque', 2]);
  });
});

describe('Service', () => {
  test('SetDefaults_Service and the single-stack families', () => {
    const { obj, errors } = create('services', object('Service', { spec: { ports: [{ port: 80 }], selector: { app: 'a' } } }));
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], selector: { app: 'a' }, type: 'ClusterIP', sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
    });
    const np = create('services', object('Service', { spec: { type: 'LoadBalancer', ports: [{ port: 80 }], sessionAffinity: 'ClientIP' } })).obj.spec!;
    expect(np).toMatchObject({ externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true, sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } });
    const ext = create('services', object('Service', { spec: { type: 'ExternalName', externalName: 'db.example.com' } })).obj.spec!;
    expect(ext.ipFamilies).toBeUndefined();
    expect(ext.internalTrafficPolicy).toBeUndefined();
  });

  test('clusterIP and clusterIPs are normalised to name the same address', () => {
    expect(create('services', object('Service', { spec: { ports: [{ port: 80 }], clusterIP: '10.96.0.9' } })).obj.spec!.clusterIPs).toEqual(['10.96.0.9']);
    expect(create('services', object('Service', { spec: { ports: [{ port: 80 }], clusterIPs: ['10.96.0.9'] } })).obj.spec!.clusterIP).toBe('10.96.0.9');
  });

  test('an update without the allocated values keeps them; changing the cluster IP is refused', () => {
    const old = create('services', object('Service', { spec: { type: 'NodePort', ports: [{ name: 'http', port: 80 }], clusterIP: '10.96.0.9' } })).obj;
    (old.spec!.ports as Record<string, unknown>[])[0].nodePort = 30080;
    const kept = update('services', object('Service', { spec: { type: 'NodePort', ports: [{ name: 'http', port: 80 }] } }), old);
    expect(kept.errors).toEqual([]);
    expect(kept.obj.spec).toMatchObject({ clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'], ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
    const moved = update('services', { ...old, spec: { ...old.spec, clusterIP: '10.96.0.10' } }, old);
    expect(moved.errors).toEqual(['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.10"}: may not change once set']);
  });

  test('a type change drops what only the old type used', () => {
    const old = create('services', object('Service', { spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }], clusterIP: '10.96.0.9' } })).obj;
    const toClusterIP = update('services', { ...old, spec: { ...old.spec, type: 'ClusterIP' } }, old);
    expect(toClusterIP.errors).toEqual([]);
    expect((toClusterIP.obj.spec!.ports as Record<string, unknown>[])[0].nodePort).toBeUndefined();
    expect(toClusterIP.obj.spec!.externalTrafficPolicy).toBeUndefined();
    const toExternal = update('services', { ...old, spec: { ...old.spec, type: 'ExternalName', externalName: 'db.example.com' } }, old);
    expect(toExternal.errors).toEqual([]);
    expect(toExternal.obj.spec).not.toHaveProperty('clusterIP');
    expect(toExternal.obj.spec).not.toHaveProperty('ipFamilies');
  });

  test('validation messages', () => {
    const errs = (spec: Record<string, unknown>, name = 'svc') => create('services', object('Service', { spec }, name)).errors;
    expect(errs({ ports: [{ port: 80 }, { port: 81 }] })).toEqual(['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
    expect(errs({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] })).toEqual([
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ]);
    expect(errs({ ports: [{ port: 80, targetPort: 'Bad_Name' }] })[0]).toMatch(/^spec\.ports\[0\]\.targetPort: Invalid value: "Bad_Name": /);
    expect(errs({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] })).toContain("spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services");
    expect(errs({ clusterIP: 'not-an-ip', ports: [{ port: 80 }] })).toEqual(["spec.clusterIPs[0]: Invalid value: \"not-an-ip\": must be empty, 'None', or a valid IP address"]);
    expect(errs({ type: 'ExternalName', externalName: 'Not_DNS' })[0]).toMatch(/^spec\.externalName: Invalid value: "Not_DNS": a lowercase RFC 1123 subdomain/);
    expect(errs({ type: 'ExternalName', externalName: 'db.example.com', clusterIP: '10.96.0.1' })).toEqual(['spec.clusterIPs: Forbidden: may not be set for ExternalName services']);
    expect(errs({ ports: [{ port: 80 }], externalTrafficPolicy: 'Local' })).toEqual(['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services']);
    expect(errs({ ports: [{ port: 80 }] }, '1abc')[0]).toMatch(/^metadata\.name: Invalid value: "1abc": a DNS-1035 label/);
    expect(errs({ clusterIP: 'None' })).toEqual([]);
  });

  test('printed as kube-apiserver prints them', () => {
    const svc = (spec: Record<string, unknown>, status?: Record<string, unknown>) => cells('services', object('Service', { spec, ...(status ? { status } : {}) }));
    const c1 = svc({ type: 'NodePort', clusterIPs: ['10.96.0.9'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { b: '2', a: '1' } });
    expect([c1[1], c1[2], c1[3], c1[4], c1[6]]).toEqual(['NodePort', '10.96.0.9', '<none>', '80:30080/TCP,53/UDP', 'a=1,b=2']);
    expect(svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.9'], ports: [] })[3]).toBe('<pending>');
    expect(svc({ type: 'LoadBalancer', externalIPs: ['1.2.3.4'] }, { loadBalancer: { ingress: [{ ip: '5.6.7.8' }, { hostname: 'lb.example.com' }] } })[3]).toBe('5.6.7.8,lb.example.com,1.2.3.4');
    expect(svc({ type: 'ExternalName', externalName: 'db.example.com' }).slice(1, 5)).toEqual(['ExternalName', '<none>', 'db.example.com', '<none>']);
  });
});

describe('storage-only kinds', () => {
  test('Endpoints print three endpoints then how many more', () => {
    const ep = object('Endpoints', { subsets: [{ addresses: ['10.0.0.1', '10.0.0.2', 'fd00::1'].map((ip) => ({ ip })), ports: [{ port: 80 }, { port: 443 }] }] });
    expect(formatEndpoints(ep)).toBe('10.0.0.1:80,10.0.0.2:80,[fd00::1]:80 + 3 more...');
    expect(formatEndpoints(object('Endpoints', { subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] }))).toBe('10.0.0.1');
    expect(formatEndpoints(object('Endpoints', {}))).toBe('<none>');
    expect(create('endpoints', object('Endpoints', { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }, { port: 81 }] }] })).errors).toEqual([
      'subsets[0].ports[0].name: Required value',
      'subsets[0].ports[1].name: Required value',
    ]);
  });

  test('access modes print in kube order', () => {
    expect(accessModesText(['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce', 'ReadOnlyMany'])).toBe('RWO,ROX,RWX');
  });

  test('PersistentVolume needs capacity, access modes and exactly one source', () => {
    const errs = (spec: Record<string, unknown>) => create('persistentvolumes', { ...object('PersistentVolume', { spec }), metadata: { name: 'pv' } }).errors;
    expect(errs({})).toEqual(['spec.accessModes: Required value', 'spec.capacity: Required value', 'spec: Required value: must specify a volume type']);
    expect(errs({ accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/a' }, nfs: { server: 's', path: '/' } })).toEqual(['spec.nfs: Forbidden: may not specify more than 1 volume type']);
    expect(errs({ accessModes: ['Sometimes'], capacity: { storage: '1Gi' }, hostPath: { path: '/a' } })[0]).toBe('spec.accessModes: Unsupported value: "Sometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"');
  });

  test('ResourceQuota validates names and quantities and prints used/hard', () => {
    const errs = (hard: Record<string, string>) => create('resourcequotas', object('ResourceQuota', { spec: { hard } })).errors;
    expect(errs({ pods: '1.5' })).toEqual(['spec.hard[pods]: Invalid value: "1.5": must be an integer']);
    expect(errs({ widgets: '1' })).toEqual(['spec.hard[widgets]: Invalid value: "widgets": must be a standard resource for quota']);
    expect(errs({ 'count/deployments.apps': '2', 'requests.nvidia.com/gpu': '1', 'requests.cpu': '500m' })).toEqual([]);
    const q = create('resourcequotas', object('ResourceQuota', { spec: { hard: { 'limits.cpu': '2', pods: '4', 'requests.cpu': '1' } } })).obj;
    expect(q.status).toEqual({ hard: { 'limits.cpu': '2', pods: '4', 'requests.cpu': '1' } });
    expect(quotaColumns({ ...q, status: { ...q.status, used: { pods: '3' } } })).toEqual(['pods: 3/4, requests.cpu: 0/1', 'limits.cpu: 0/2']);
  });

  test('LimitRange container defaults and ordering rules', () => {
    const lr = (limits: Record<string, unknown>[]) => create('limitranges', object('LimitRange', { spec: { limits } }));
    expect(lr([{ type: 'Container', max: { cpu: '1' }, min: { memory: '64Mi' } }]).obj.spec!.limits).toEqual([
      { type: 'Container', max: { cpu: '1' }, min: { memory: '64Mi' }, default: { cpu: '1' }, defaultRequest: { cpu: '1', memory: '64Mi' } },
    ]);
    expect(lr([{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '1' } }]).errors).toEqual([
      'spec.limits[0].defaultRequest[cpu]: Invalid value: "1": default request value 1 is greater than default limit value 500m',
    ]);
    expect(lr([{ type: 'Pod', max: { cpu: '2' }, min: { cpu: '1' }, maxLimitRequestRatio: { cpu: '3' } }]).errors).toEqual([
      'spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: "3": ratio 3 is greater than max/min = 2.000000',
    ]);
    expect(lr([{ type: 'Pod', default: { cpu: '1' } }]).errors).toEqual(["spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"]);
    expect(lr([{ type: 'Container' }, { type: 'Container' }]).errors).toEqual(['spec.limits[1].type: Duplicate value: "Container"']);
  });

  test('ReplicationController defaults its selector and labels from the template', () => {
    const { obj, errors } = create('replicationcontrollers', object('ReplicationController', {
      spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } } },
    }));
    expect(errors).toEqual([]);
    expect(obj.spec).toMatchObject({ replicas: 1, selector: { app: 'web' } });
    expect(obj.metadata.labels).toEqual({ app: 'web' });
    expect(obj.metadata.generation).toBe(1);
    expect(obj.status).toEqual({ replicas: 0 });
    const onFailure = create('replicationcontrollers', object('ReplicationController', {
      spec: { template: { metadata: { labels: { app: 'web' } }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox:1' }] } } },
    }));
    expect(onFailure.errors).toEqual(['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"']);
  });
});
