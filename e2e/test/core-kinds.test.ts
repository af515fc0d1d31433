// core/v1 kinds through the real kubectl: Secrets (types, stringData, immutable), Services
// (defaults, cluster IP and node port allocation, validation), TokenRequests, and the
// storage-only kinds (Endpoints, PersistentVolume(Claim)s, ResourceQuota, LimitRange,
// ReplicationController), each with kube's columns and messages.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpsFetch, startControlPlane, type ControlPlane } from '@keelson/testing';
import { header, kubectlReaders, row } from './support/kubectl-output';

jest.setTimeout(60_000);

const FIXTURES = join(__dirname, 'fixtures/core');
let c: ControlPlane;

beforeAll(async () => {
  c = await startControlPlane();
  await c.k('create', 'namespace', 'prod');
});
afterAll(async () => {
  await c?.stop();
});

const { json, fail } = kubectlReaders(() => c);
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const post = (path: string, body: unknown) => c.request('POST', path, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('Secret', () => {
  test('kubectl create secret generic --from-literal stores base64 data of type Opaque', async () => {
    await c.k('create', 'secret', 'generic', 'db-user', '--from-literal=username=admin', '--from-literal=password=s3cr=t');
    const s = await json('get', 'secret', 'db-user');
    expect(s.type).toBe('Opaque');
    expect(s.data).toEqual({ username: b64('admin'), password: b64('s3cr=t') });
    const out = await c.k('get', 'secrets');
    expect(header(out)).toEqual(['NAME', 'TYPE', 'DATA', 'AGE']);
    expect(row(out, 'db-user').slice(0, 3)).toEqual(['db-user', 'Opaque', '2']);
  });

  test('kubectl create secret tls stores the certificate and key as kubernetes.io/tls', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=web.example.com',
      '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'ignore' });
    await c.k('create', 'secret', 'tls', 'web-tls', `--cert=${join(dir, 'tls.crt')}`, `--key=${join(dir, 'tls.key')}`);
    const s = await json('get', 'secret', 'web-tls');
    expect(s.type).toBe('kubernetes.io/tls');
    expect(Buffer.from(s.data['tls.crt'], 'base64').toString()).toContain('BEGIN CERTIFICATE');
    expect(Buffer.from(s.data['tls.key'], 'base64').toString()).toContain('PRIVATE KEY');
    expect(row(await c.k('get', 'secret', 'web-tls'), 'web-tls').slice(0, 3)).toEqual(['web-tls', 'kubernetes.io/tls', '2']);
  });

  test('kubectl create secret docker-registry stores a valid .dockerconfigjson', async () => {
    await c.k('create', 'secret', 'docker-registry', 'regcred', '--docker-server=registry.example.com', '--docker-username=me', '--docker-password=pw');
    const s = await json('get', 'secret', 'regcred');
    expect(s.type).toBe('kubernetes.io/dockerconfigjson');
    expect(JSON.parse(Buffer.from(s.data['.dockerconfigjson'], 'base64').toString()).auths['registry.example.com'].username).toBe('me');
  });

  test('kubectl apply of the documentation examples folds stringData into data', async () => {
    await c.k('apply', '-f', join(FIXTURES, 'secret-dotfile.yaml'), '-f', join(FIXTURES, 'secret-basic-auth.yaml'));
    const basic = await json('get', 'secret', 'secret-basic-auth');
    expect(basic.type).toBe('kubernetes.io/basic-auth');
    expect(basic.data).toEqual({ username: b64('admin'), password: b64('t0p-Secret') });
    expect(basic.stringData).toBeUndefined();
    expect((await json('get', 'secret', 'dotfile-secret')).data).toEqual({ '.secret-file': 'dmFsdWUtMg0KDQo=' });
  });

  test('a typed secret without its required keys is 422 naming the key', async () => {
    const res = await post('/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'half-tls' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64('x') } });
    expect(res.status).toBe(422);
    const s = JSON.parse(res.body);
    expect(s.message).toBe('Secret "half-tls" is invalid: data[tls.key]: Required value');
    const bad = await post('/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bad-key' }, data: { 'a b': b64('x') } });
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body).details.causes[0].field).toBe('data[a b]');
    const notB64 = await post('/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'not-b64' }, data: { a: 'not base64!' } });
    expect(notB64.status).toBe(400);
  });

  test('an immutable secret keeps its data, type and immutability', async () => {
    await c.k('create', 'secret', 'generic', 'frozen', '--from-literal=a=1');
    await c.k('patch', 'secret', 'frozen', '-p', '{"immutable":true}');
    let err = await fail('patch', 'secret', 'frozen', '-p', `{"data":{"a":"${b64('2')}"}}`);
    expect(err).toContain('Secret "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    err = await fail('patch', 'secret', 'frozen', '-p', '{"stringData":{"b":"new"}}');
    expect(err).toContain('data: Forbidden: field is immutable when `immutable` is set');
    err = await fail('patch', 'secret', 'frozen', '-p', '{"immutable":false}');
    expect(err).toContain('immutable: Forbidden: field is immutable when `immutable` is set');
    // Metadata still changes.
    await c.k('label', 'secret', 'frozen', 'tier=gold');
    err = await fail('patch', 'secret', 'db-user', '--type=merge', '-p', '{"type":"kubernetes.io/basic-auth"}');
    expect(err).toContain('type: Invalid value: "kubernetes.io/basic-auth": field is immutable');
  });

  test('kubectl explain secret.data shows the upstream description', async () => {
    const out = await c.k('explain', 'secret.data');
    expect(out).toContain('FIELD: data <map[string]string>');
    expect(out).toContain('Data contains the secret data.');
  });
});

describe('Service', () => {
  const inRange = (ip: string) => /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/.test(ip);

  test('the kubernetes Service points at the gateway from the first address of the range', async () => {
    const svc = await json('get', 'service', 'kubernetes', '-n', 'default');
    expect(svc.spec).toMatchObject({ clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], type: 'ClusterIP', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] });
    expect(svc.spec.ports[0].targetPort).toBe(Number(new URL(c.url).port));
  });

  test('kubectl create service clusterip gets defaults and an allocated cluster IP, printed as kube does', async () => {
    await c.k('create', 'service', 'clusterip', 'web', '--tcp=80:8080');
    const svc = await json('get', 'service', 'web');
    expect(svc.spec).toMatchObject({
      type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
      ports: [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }], selector: { app: 'web' },
    });
    expect(inRange(svc.spec.clusterIP)).toBe(true);
    expect(svc.spec.clusterIPs).toEqual([svc.spec.clusterIP]);
    const out = await c.k('get', 'services');
    expect(header(out)).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(row(out, 'web').slice(0, 5)).toEqual(['web', 'ClusterIP', svc.spec.clusterIP, '<none>', '80/TCP']);
    const wide = await c.k('get', 'service', 'web', '-o', 'wide');
    expect(header(wide)).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
    expect(row(wide, 'web')[6]).toBe('app=web');
    const described = await c.k('describe', 'service', 'web');
    expect(described).toMatch(new RegExp(`^IP:\\s+${svc.spec.clusterIP.replace(/\./g, '\\.')}$`, 'm'));
    expect(described).toMatch(/^TargetPort:\s+8080\/TCP$/m);
  });

  test('kubectl expose deployment creates a Service selecting its pods', async () => {
    await c.k('create', 'deployment', 'shop', '--image=nginx', '--port=8080');
    await c.k('expose', 'deployment', 'shop', '--port=80', '--target-port=8080');
    const svc = await json('get', 'service', 'shop');
    expect(svc.spec.selector).toEqual({ app: 'shop' });
    expect(svc.spec.ports).toEqual([{ port: 80, protocol: 'TCP', targetPort: 8080 }]);
    expect(inRange(svc.spec.clusterIP)).toBe(true);
  });

  test('kubectl apply of the documentation examples: defaults, a requested node port, ExternalName', async () => {
    await c.k('apply', '-f', join(FIXTURES, 'service.yaml'), '-f', join(FIXTURES, 'service-nodeport.yaml'), '-f', join(FIXTURES, 'service-externalname.yaml'));
    const np = await json('get', 'service', 'my-nodeport-service');
    expect(np.spec.ports[0]).toEqual({ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 30007 });
    expect(np.spec.externalTrafficPolicy).toBe('Cluster');
    expect(row(await c.k('get', 'svc', 'my-nodeport-service'), 'my-nodeport-service')[4]).toBe('80:30007/TCP');
    const ext = await json('get', 'service', 'my-database', '-n', 'prod');
    expect(ext.spec.clusterIP).toBeUndefined();
    expect(row(await c.k('get', 'svc', '-n', 'prod'), 'my-database').slice(0, 5)).toEqual(['my-database', 'ExternalName', '<none>', 'my.database.example.com', '<none>']);
    // A second apply (strategic merge patch without the allocated values) keeps them.
    const before = await json('get', 'service', 'my-service');
    await c.k('apply', '-f', join(FIXTURES, 'service.yaml'));
    expect((await json('get', 'service', 'my-service')).spec.clusterIP).toBe(before.spec.clusterIP);
  });

  test('node ports are allocated from the range, refused when taken, and released when the type changes', async () => {
    await c.k('create', 'service', 'nodeport', 'np-auto', '--tcp=8080:80');
    const port = (await json('get', 'service', 'np-auto')).spec.ports[0].nodePort;
    expect(port).toBeGreaterThanOrEqual(30000);
    expect(port).toBeLessThanOrEqual(32767);
    let err = await fail('create', 'service', 'nodeport', 'np-taken', '--tcp=80:80', `--node-port=${port}`);
    expect(err).toContain(`spec.ports[0].nodePort: Invalid value: ${port}: provided port is already allocated`);
    err = await fail('create', 'service', 'nodeport', 'np-range', '--tcp=80:80', '--node-port=80');
    expect(err).toContain('spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767');
    // NodePort → ClusterIP drops the node port and frees it for another Service.
    await c.k('patch', 'service', 'np-auto', '-p', '{"spec":{"type":"ClusterIP"}}');
    expect((await json('get', 'service', 'np-auto')).spec.ports[0].nodePort).toBeUndefined();
    await c.k('create', 'service', 'nodeport', 'np-taken', '--tcp=80:80', `--node-port=${port}`);
    await c.k('delete', 'service', 'np-taken');
    await c.k('create', 'service', 'nodeport', 'np-again', '--tcp=80:80', `--node-port=${port}`);
  });

  test('concurrent creates on two gateway replicas get distinct cluster IPs; a taken IP is 422; delete releases it', async () => {
    const replica = await c.addGatewayReplica();
    // Alternate between the two gateways, which share only etcd.
    const postTo = (i: number, path: string, body: unknown) =>
      i % 2 === 0 ? post(path, body) : httpsFetch(replica.url + path, { method: 'POST', body: JSON.stringify(body), ca: c.creds.caPem, headers: { 'content-type': 'application/json', authorization: `Bearer ${c.creds.adminToken}` } });
    const svc = (name: string, clusterIP?: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...(clusterIP ? { clusterIP } : {}) } });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => postTo(i, '/api/v1/namespaces/default/services', svc(`burst-${i}`))));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const ips = results.map((r) => JSON.parse(r.body).spec.clusterIP as string);
    expect(new Set(ips).size).toBe(20);
    // Racing for one requested address: exactly one wins.
    const racing = await Promise.all(Array.from({ length: 6 }, (_, i) => postTo(i, '/api/v1/namespaces/default/services', svc(`race-${i}`, '10.100.0.77'))));
    await replica.kill();
    expect(racing.map((r) => r.status).sort()).toEqual([201, 422, 422, 422, 422, 422]);
    const taken = await post('/api/v1/namespaces/default/services', svc('taken', ips[0]));
    expect(taken.status).toBe(422);
    expect(JSON.parse(taken.body).message).toBe(`Service "taken" is invalid: spec.clusterIPs: Invalid value: []string{"${ips[0]}"}: failed to allocate IP ${ips[0]}: provided IP is already allocated`);
    await c.k('delete', 'service', 'burst-0');
    expect((await post('/api/v1/namespaces/default/services', svc('taken', ips[0]))).status).toBe(201);
    const outside = await post('/api/v1/namespaces/default/services', svc('outside', '192.168.1.1'));
    expect(JSON.parse(outside.body).message).toContain('the provided IP (192.168.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12');
  });

  test('a cluster IP cannot change; headless Services get none', async () => {
    const err = await fail('patch', 'service', 'web', '-p', '{"spec":{"clusterIP":"10.96.5.5"}}');
    expect(err).toMatch(/spec\.clusterIPs\[0\]: Invalid value: \[\]string\{"10\.96\.5\.5"\}: may not change once set/);
    await c.k('create', 'service', 'clusterip', 'headless', '--clusterip=None');
    const svc = await json('get', 'service', 'headless');
    expect(svc.spec.clusterIPs).toEqual(['None']);
    expect(row(await c.k('get', 'svc', 'headless'), 'headless')[2]).toBe('None');
  });

  test('validation: port names with several ports, ranges, type and ExternalName', async () => {
    const create = (name: string, spec: Record<string, unknown>) => post('/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });
    const causesOf = async (p: ReturnType<typeof create>) => {
      const r = await p;
      expect(r.status).toBe(422);
      return JSON.parse(r.body).details.causes.map((x: { field: string; message: string }) => `${x.field}: ${x.message}`);
    };
    expect(await causesOf(create('two-ports', { ports: [{ port: 80 }, { port: 443 }] }))).toEqual(['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
    expect(await causesOf(create('dup-names', { ports: [{ name: 'a', port: 80 }, { name: 'a', port: 443 }] }))).toEqual(['spec.ports[1].name: Duplicate value: "a"']);
    expect(await causesOf(create('big-port', { ports: [{ port: 70000 }] }))).toContain('spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive');
    expect(await causesOf(create('bad-type', { type: 'Magic', ports: [{ port: 80 }] }))).toContain('spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"');
    expect(await causesOf(create('no-name', { type: 'ExternalName' }))).toEqual(['spec.externalName: Required value']);
    expect(await causesOf(create('bad-sel', { ports: [{ port: 80 }], selector: { app: 'no spaces' } }))).toEqual([expect.stringMatching(/^spec\.selector: Invalid value: "no spaces"/)]);
    expect(await causesOf(create('cip-np', { ports: [{ port: 80, nodePort: 30123 }] }))).toEqual(["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
    expect(await causesOf(create('no-ports', {}))).toEqual(['spec.ports: Required value']);
  });

  test('kubectl explain service.spec.ports describes ServicePort', async () => {
    const out = await c.k('explain', 'service.spec.ports');
    expect(out).toContain('FIELD: ports <[]ServicePort>');
    expect(out).toContain('nodePort\t<integer>');
    expect(out).toContain('targetPort\t<IntOrString>');
  });
});

describe('serviceaccounts/token', () => {
  const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

  test('kubectl create token returns a signed JWT with kube claims, duration and audiences honoured', async () => {
    await c.k('create', 'serviceaccount', 'builder');
    const sa = await json('get', 'serviceaccount', 'builder');
    const created = await c.kubectl(['create', 'token', 'builder', '-v=8']);
    expect(created.stderr).toContain('Content-Type: application/vnd.kubernetes.protobuf'); // a protobuf TokenRequest
    const token = created.stdout.trim();
    const claims = claimsOf(token);
    expect(claims).toMatchObject({
      iss: 'https://kubernetes.default.svc.cluster.local',
      sub: 'system:serviceaccount:default:builder',
      aud: ['https://kubernetes.default.svc.cluster.local'],
      'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'builder', uid: sa.metadata.uid } },
    });
    expect(claims.exp - claims.iat).toBe(3600);
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    expect(header.alg).toBe('RS256');
    const custom = claimsOf((await c.k('create', 'token', 'builder', '--duration=2h', '--audience=vault', '--audience=ci')).trim());
    expect(custom.aud).toEqual(['vault', 'ci']);
    expect(custom.exp - custom.iat).toBe(7200);
  });

  test('a TokenRequest answers with status.token and expirationTimestamp; short durations and unknown accounts fail', async () => {
    const res = await post('/api/v1/namespaces/default/serviceaccounts/builder/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } });
    expect(res.status).toBe(201);
    const tr = JSON.parse(res.body);
    expect(tr).toMatchObject({ kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: { name: 'builder', namespace: 'default' }, spec: { expirationSeconds: 600 } });
    expect(Date.parse(tr.status.expirationTimestamp) - Date.now()).toBeGreaterThan(500_000);
    expect(claimsOf(tr.status.token).sub).toBe('system:serviceaccount:default:builder');
    let err = await fail('create', 'token', 'builder', '--duration=5m');
    expect(err).toContain('spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes');
    err = await fail('create', 'token', 'ghost');
    expect(err).toContain('serviceaccounts "ghost" not found');
  });

  test('a token bound to a Secret carries it in its claims; unknown kinds and stale UIDs are refused', async () => {
    const secret = await json('get', 'secret', 'db-user');
    const claims = claimsOf((await c.k('create', 'token', 'builder', '--bound-object-kind=Secret', '--bound-object-name=db-user')).trim());
    expect(claims['kubernetes.io'].secret).toEqual({ name: 'db-user', uid: secret.metadata.uid });
    const tokenPath = '/api/v1/namespaces/default/serviceaccounts/builder/token';
    const bad = await post(tokenPath, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { boundObjectRef: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x' } } });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).message).toBe('cannot bind token for serviceaccount "builder" to object of type /v1, Kind=ConfigMap');
    const stale = await post(tokenPath, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: 'db-user', uid: 'not-it' } } });
    expect(stale.status).toBe(409);
    const missing = await post(tokenPath, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'nope' } } });
    expect(JSON.parse(missing.body).message).toBe('pods "nope" not found');
  });
});

describe('storage-only core kinds', () => {
  test('Endpoints from the documentation print as ip:port', async () => {
    await c.k('apply', '-f', join(FIXTURES, 'endpoints.yaml'));
    const ep = await json('get', 'endpoints', 'my-service');
    expect(ep.subsets[0].ports).toEqual([{ port: 9376, protocol: 'TCP' }]);
    const out = await c.k('get', 'ep', 'my-service');
    expect(header(out)).toEqual(['NAME', 'ENDPOINTS', 'AGE']);
    expect(row(out, 'my-service').slice(0, 2)).toEqual(['my-service', '192.0.2.42:9376']);
    const bad = await post('/api/v1/namespaces/default/endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'bad' }, subsets: [{ addresses: [{ ip: 'nope' }], ports: [{ port: 80 }] }] });
    expect(JSON.parse(bad.body).message).toBe('Endpoints "bad" is invalid: subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address');
  });

  test('PersistentVolume and PersistentVolumeClaim from the documentation: defaults, phases, columns', async () => {
    await c.k('apply', '-f', join(FIXTURES, 'pv-volume.yaml'), '-f', join(FIXTURES, 'pv-claim.yaml'));
    const pv = await json('get', 'pv', 'task-pv-volume');
    expect(pv.spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' });
    expect(pv.status.phase).toBe('Available');
    const pvOut = await c.k('get', 'pv');
    expect(header(pvOut)).toEqual(['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE']);
    // The empty CLAIM and REASON cells vanish when splitting on runs of spaces.
    expect(row(pvOut, 'task-pv-volume').slice(0, 7)).toEqual(['task-pv-volume', '10Gi', 'RWO', 'Retain', 'Available', 'manual', '<unset>']);
    const pvc = await json('get', 'pvc', 'task-pv-claim');
    expect(pvc.spec.volumeMode).toBe('Filesystem');
    expect(pvc.status.phase).toBe('Pending');
    const pvcOut = await c.k('get', 'pvc');
    expect(header(pvcOut)).toEqual(['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE']);
    expect(row(pvcOut, 'task-pv-claim').slice(0, 4)).toEqual(['task-pv-claim', 'Pending', 'manual', '<unset>']);
    // Only the storage request may change after creation.
    const err = await fail('patch', 'pvc', 'task-pv-claim', '-p', '{"spec":{"accessModes":["ReadWriteMany"]}}');
    expect(err).toContain('spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims');
    const noStorage = await post('/api/v1/namespaces/default/persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'empty' }, spec: { accessModes: ['ReadWriteOnce'] } });
    expect(JSON.parse(noStorage.body).message).toBe('PersistentVolumeClaim "empty" is invalid: spec.resources[storage]: Required value');
  });

  test('kubectl create quota (protobuf) and the documentation quota print REQUEST and LIMIT', async () => {
    const created = await c.kubectl(['create', 'quota', 'object-counts', '--hard=pods=2,services=3,secrets=5', '--scopes=NotTerminating', '-v=8']);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('Content-Type: application/vnd.kubernetes.protobuf'); // decoded by the ResourceQuota descriptor
    const q = await json('get', 'quota', 'object-counts');
    expect(q.spec).toEqual({ hard: { pods: '2', services: '3', secrets: '5' }, scopes: ['NotTerminating'] });
    await c.k('apply', '-f', join(FIXTURES, 'quota-mem-cpu.yaml'));
    const out = await c.k('get', 'resourcequotas');
    expect(header(out)).toEqual(['NAME', 'REQUEST', 'LIMIT', 'AGE']);
    expect(row(out, 'mem-cpu-demo').slice(0, 3)).toEqual(['mem-cpu-demo', 'requests.cpu: 0/1, requests.memory: 0/1Gi', 'limits.cpu: 0/2, limits.memory: 0/2Gi']);
    expect(row(out, 'object-counts')[1]).toBe('pods: 0/2, secrets: 0/5, services: 0/3');
    const err = await fail('create', 'quota', 'bad', '--hard=pods=-1');
    expect(err).toContain('spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0');
  });

  test('LimitRange defaults container requests and refuses min above max', async () => {
    await c.k('apply', '-f', join(FIXTURES, 'memory-defaults.yaml'));
    const lr = await json('get', 'limitrange', 'mem-limit-range');
    expect(lr.spec.limits[0]).toEqual({ type: 'Container', default: { memory: '512Mi' }, defaultRequest: { memory: '256Mi' } });
    const out = await c.k('get', 'limits');
    expect(header(out)).toEqual(['NAME', 'CREATED AT']);
    expect(row(out, 'mem-limit-range')[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const maxOnly = await post('/api/v1/namespaces/default/limitranges', { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'max-only' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { cpu: '100m' } }] } });
    expect(JSON.parse(maxOnly.body).spec.limits[0]).toEqual({ type: 'Container', max: { cpu: '2' }, min: { cpu: '100m' }, default: { cpu: '2' }, defaultRequest: { cpu: '2' } });
    const bad = await post('/api/v1/namespaces/default/limitranges', { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'upside-down' }, spec: { limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }] } });
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body).details.causes).toContainEqual(expect.objectContaining({ field: 'spec.limits[0].min[cpu]', message: 'Invalid value: "2": min value 2 is greater than max value 1' }));
  });

  test('ReplicationController: storage, scale and status subresources, columns', async () => {
    await c.k('apply', '-f', join(FIXTURES, 'replication.yaml'));
    const rc = await json('get', 'rc', 'nginx');
    expect(rc.metadata.labels).toEqual({ app: 'nginx' });
    expect(rc.metadata.generation).toBe(1);
    expect(rc.spec.template.spec.containers[0]).toMatchObject({ imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log' });
    await c.k('scale', 'rc', 'nginx', '--replicas=5');
    const scale = JSON.parse((await c.request('GET', '/api/v1/namespaces/default/replicationcontrollers/nginx/scale')).body);
    expect(scale).toMatchObject({ kind: 'Scale', spec: { replicas: 5 }, status: { selector: 'app=nginx' } });
    const status = await c.request('PATCH', '/api/v1/namespaces/default/replicationcontrollers/nginx/status', {
      body: JSON.stringify({ status: { replicas: 4, readyReplicas: 2 } }), headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(status.status).toBe(200);
    const out = await c.k('get', 'rc', '-o', 'wide');
    expect(header(out)).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    const r = row(out, 'nginx');
    expect([...r.slice(0, 4), ...r.slice(5)]).toEqual(['nginx', '5', '4', '2', 'nginx', 'nginx', 'app=nginx']);
    const bad = await post('/api/v1/namespaces/default/replicationcontrollers', {
      apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'mismatch' },
      spec: { selector: { app: 'a' }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    expect(JSON.parse(bad.body).message).toBe('ReplicationController "mismatch" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`');
  });
});
