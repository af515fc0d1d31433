// The real kubectl against the discovery, networking, autoscaling, scheduling, storage and
// events.k8s.io kinds: the Kubernetes documentation's manifests applied as they are, the
// imperative create commands (protobuf bodies), Table columns, `kubectl explain`, field-path
// validation errors, and the priority classes the gateway bootstraps.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane as startCluster, type ControlPlane as TestCluster } from '@keelson/testing';

jest.setTimeout(60_000);

const fixture = (name: string) => join(__dirname, 'fixtures', name);
let c: TestCluster;

beforeAll(async () => {
  c = await startCluster();
});
afterAll(async () => {
  await c?.stop();
});

const json = async (...args: string[]): Promise<Record<string, any>> => JSON.parse(await c.k(...args, '-o', 'json'));
/** The header and the row of `name` of a `kubectl get`, split on runs of spaces. */
async function table(args: string[], name: string): Promise<{ header: string[]; row: string[] }> {
  const lines = (await c.k('get', ...args)).trim().split('\n');
  const split = (l: string) => l.trim().split(/\s{2,}/);
  const row = lines.slice(1).map(split).find((r) => r[0] === name || r[0].startsWith(`${name} `));
  if (!row) throw new Error(`no row ${name} in:\n${lines.join('\n')}`);
  return { header: split(lines[0]), row };
}
/** kubectl that must fail; returns what it printed on stderr. */
async function fails(args: string[], input?: string): Promise<string> {
  const r = await c.kubectl(args, { input });
  expect(r.code).not.toBe(0);
  return r.stderr;
}
/** With `-v=8`, kubectl logged a POST to `path` whose body was protobuf (so a descriptor decoded it). */
function postedProtobuf(stderr: string, path: string): boolean {
  const lines = stderr.split('\n');
  const post = lines.findIndex((l) => l.includes(`POST https://`) && l.includes(path));
  // The request's headers follow its line (the response's come after a blank-ish status line).
  return post >= 0 && lines.slice(post + 1, post + 6).some((l) => l.includes('Content-Type: application/vnd.kubernetes.protobuf'));
}
/** A raw POST whose rejection must be a 422 Status; returns its causes as `field: message`. */
async function rejected(path: string, body: object): Promise<string[]> {
  const res = await c.request('POST', path, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(422);
  const status = JSON.parse(res.body);
  expect(status).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
  return status.details.causes.map((x: { field: string; message: string }) => `${x.field}: ${x.message}`);
}

describe('the Kubernetes documentation examples', () => {
  test('Ingress minimal-ingress: apply, columns, status subresource', async () => {
    expect(await c.k('apply', '-f', fixture('minimal-ingress.yaml'))).toMatch(/ingress.networking.k8s.io\/minimal-ingress created/);
    const ing = await json('get', 'ingress', 'minimal-ingress');
    expect(ing.metadata.generation).toBe(1);
    expect(ing.status).toEqual({ loadBalancer: {} });
    const { header, row } = await table(['ing'], 'minimal-ingress');
    expect(header).toEqual(['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    expect(row.slice(0, 3)).toEqual(['minimal-ingress', 'nginx-example', '*']);
    expect(row[3]).toBe('80');
    // A controller reports the load balancer through /status; ADDRESS shows it.
    const status = { status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } };
    const res = await c.request('PATCH', '/apis/networking.k8s.io/v1/namespaces/default/ingresses/minimal-ingress/status', {
      body: JSON.stringify(status), headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(res.status).toBe(200);
    expect((await table(['ingress'], 'minimal-ingress')).row.slice(3, 5)).toEqual(['192.0.2.10', '80']);
    // Applying an edited manifest patches it (strategic merge against the served schema): spec changes bump generation, status stays.
    const edited = join(c.dir, 'minimal-ingress-edited.yaml');
    writeFileSync(edited, readFileSync(fixture('minimal-ingress.yaml'), 'utf8').replace('/testpath', '/otherpath'));
    expect(await c.k('apply', '-f', edited)).toMatch(/ingress.networking.k8s.io\/minimal-ingress configured/);
    const after = await json('get', 'ingress', 'minimal-ingress');
    expect(after.metadata.generation).toBe(2);
    expect(after.spec.rules[0].http.paths).toEqual([{ path: '/otherpath', pathType: 'Prefix', backend: { service: { name: 'test', port: { number: 80 } } } }]);
    expect(after.status.loadBalancer.ingress).toEqual([{ ip: '192.0.2.10' }]);
    const described = await c.k('describe', 'ingress', 'minimal-ingress');
    expect(described).toMatch(/Ingress Class:\s+nginx-example/);
    expect(described).toMatch(/\*\s+\/otherpath\s+test:80/);
  });

  test('NetworkPolicy test-network-policy: apply and POD-SELECTOR', async () => {
    expect(await c.k('apply', '-f', fixture('test-network-policy.yaml'))).toMatch(/networkpolicy.networking.k8s.io\/test-network-policy created/);
    const np = await json('get', 'netpol', 'test-network-policy');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress[0].from[0].ipBlock).toEqual({ cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] });
    const { header, row } = await table(['networkpolicies'], 'test-network-policy');
    expect(header).toEqual(['NAME', 'POD-SELECTOR', 'AGE']);
    expect(row[1]).toBe('role=db');
  });

  test('HorizontalPodAutoscaler php-apache: apply, defaults and columns', async () => {
    expect(await c.k('apply', '-f', fixture('php-apache-hpa.yaml'))).toMatch(/horizontalpodautoscaler.autoscaling\/php-apache created/);
    const hpa = await json('get', 'hpa', 'php-apache');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
    const { header, row } = await table(['hpa'], 'php-apache');
    expect(header).toEqual(['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
    expect(row.slice(0, 6)).toEqual(['php-apache', 'Deployment/php-apache', 'cpu: <unknown>/50%', '1', '10', '0']);
  });

  test('PriorityClass high-priority: apply and columns', async () => {
    expect(await c.k('apply', '-f', fixture('high-priority-class.yaml'))).toMatch(/priorityclass.scheduling.k8s.io\/high-priority created/);
    const pc = await json('get', 'priorityclass', 'high-priority');
    expect(pc).toMatchObject({ value: 1000000, preemptionPolicy: 'PreemptLowerPriority', description: 'This priority class should be used for XYZ service pods only.' });
    const { header, row } = await table(['pc'], 'high-priority');
    expect(header).toEqual(['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY']);
    expect([...row.slice(0, 3), row[4]]).toEqual(['high-priority', '1000000', 'false', 'PreemptLowerPriority']);
  });

  test('StorageClass standard: apply, columns and the (default) marker', async () => {
    expect(await c.k('apply', '-f', fixture('standard-storage-class.yaml'))).toMatch(/storageclass.storage.k8s.io\/standard created/);
    const { header, row } = await table(['sc'], 'standard');
    expect(header).toEqual(['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE']);
    expect(row.slice(0, 5)).toEqual(['standard', 'kubernetes.io/aws-ebs', 'Retain', 'Immediate', 'true']);
    await c.k('annotate', 'storageclass', 'standard', 'storageclass.kubernetes.io/is-default-class=true');
    expect((await table(['storageclass'], 'standard')).row[0]).toBe('standard (default)');
  });

  test('EndpointSlice example-abc: apply, label selection and columns', async () => {
    expect(await c.k('apply', '-f', fixture('example-endpointslice.yaml'))).toMatch(/endpointslice.discovery.k8s.io\/example-abc created/);
    const { header, row } = await table(['endpointslices', '-l', 'kubernetes.io/service-name=example'], 'example-abc');
    expect(header).toEqual(['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    expect(row.slice(0, 4)).toEqual(['example-abc', 'IPv4', '80', '10.1.2.3']);
    const eps = await json('get', 'endpointslice', 'example-abc');
    expect(eps.metadata.generation).toBe(1);
  });
});

describe('imperative commands', () => {
  test('kubectl create priorityclass', async () => {
    const r = await c.kubectl(['create', 'priorityclass', 'batch-low', '--value=100', '--description=batch jobs', '--preemption-policy=Never', '-v=8']);
    expect(r.stdout).toMatch(/priorityclass.scheduling.k8s.io\/batch-low created/);
    expect(postedProtobuf(r.stderr, '/apis/scheduling.k8s.io/v1/priorityclasses?')).toBe(true);
    const pc = await json('get', 'pc', 'batch-low');
    expect(pc).toMatchObject({ value: 100, description: 'batch jobs', preemptionPolicy: 'Never' });
    expect(pc.globalDefault).toBeUndefined(); // false is omitted, as Go's omitempty does
  });

  test('kubectl create ingress', async () => {
    const r = await c.kubectl(['create', 'ingress', 'simple', '--rule=foo.com/bar=svc1:8080', '--rule=bar.com/*=svc2:http', '-v=8']);
    expect(r.stdout).toMatch(/ingress.networking.k8s.io\/simple created/);
    expect(postedProtobuf(r.stderr, '/apis/networking.k8s.io/v1/namespaces/default/ingresses?')).toBe(true);
    const ing = await json('get', 'ingress', 'simple');
    expect(ing.spec.rules).toEqual([
      { host: 'foo.com', http: { paths: [{ path: '/bar', pathType: 'Exact', backend: { service: { name: 'svc1', port: { number: 8080 } } } }] } },
      { host: 'bar.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc2', port: { name: 'http' } } } }] } },
    ]);
    expect((await table(['ingress'], 'simple')).row.slice(1, 3)).toEqual(['<none>', 'foo.com,bar.com']);
  });

  test('kubectl autoscale deployment', async () => {
    await c.k('create', 'deployment', 'web', '--image=nginx');
    const r = await c.kubectl(['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80', '-v=8']);
    expect(r.stdout).toMatch(/horizontalpodautoscaler.autoscaling\/web autoscaled/);
    // kubectl 1.32 writes autoscaling/v1; it is stored as autoscaling/v2 and readable in both.
    expect(postedProtobuf(r.stderr, '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers?')).toBe(true);
    const v1 = await json('get', 'horizontalpodautoscalers.v1.autoscaling', 'web');
    expect(v1).toMatchObject({ apiVersion: 'autoscaling/v1', spec: { minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 } });
    const watched = await c.request('GET', `/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers?watch=true&resourceVersion=${Number(v1.metadata.resourceVersion) - 1}&timeoutSeconds=1`);
    expect(JSON.parse(watched.body.trim().split('\n')[0])).toMatchObject({ type: 'ADDED', object: { apiVersion: 'autoscaling/v1', spec: { targetCPUUtilizationPercentage: 80 } } });
    const hpa = await json('get', 'hpa.v2.autoscaling', 'web');
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 5, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } });
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect((await table(['hpa'], 'web')).row.slice(1, 5)).toEqual(['Deployment/web', 'cpu: <unknown>/80%', '2', '5']);
  });
});

test('IngressClass external-lb: apply, columns, and as the default class of new Ingresses', async () => {
  expect(await c.k('apply', '-f', fixture('external-lb-ingressclass.yaml'))).toMatch(/ingressclass.networking.k8s.io\/external-lb created/);
  const ic = await json('get', 'ingressclass', 'external-lb');
  expect(ic.spec.parameters.scope).toBe('Cluster');
  const { header, row } = await table(['ingressclasses'], 'external-lb');
  expect(header).toEqual(['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE']);
  expect(row.slice(0, 3)).toEqual(['external-lb', 'example.com/ingress-controller', 'IngressParameters.k8s.example.com/external-lb']);
  // The DefaultIngressClass admission plugin fills in the class marked default.
  await c.k('annotate', 'ingressclass', 'external-lb', 'ingressclass.kubernetes.io/is-default-class=true');
  await c.k('create', 'ingress', 'classless', '--rule=shop.example.com/=shop:80');
  expect((await json('get', 'ingress', 'classless')).spec.ingressClassName).toBe('external-lb');
  await c.k('annotate', 'ingressclass', 'external-lb', 'ingressclass.kubernetes.io/is-default-class-');
});

describe('validation', () => {
  test('an Ingress path without pathType is 422 naming the field', async () => {
    const causes = await rejected('/apis/networking.k8s.io/v1/namespaces/default/ingresses', {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'bad' },
      spec: { rules: [{ host: '10.0.0.1', http: { paths: [{ path: '/', backend: { service: { name: 'web', port: { number: 80, name: 'http' } } } }] } }] },
    });
    expect(causes).toEqual(expect.arrayContaining([
      'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
      'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
    ]));
  });

  test('kubectl reports an HPA with maxReplicas below minReplicas', async () => {
    const err = await fails(['create', '-f', '-'], JSON.stringify({
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'inverted' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 4, maxReplicas: 2 },
    }));
    expect(err).toContain('The HorizontalPodAutoscaler "inverted" is invalid: spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`');
  });

  test('PriorityClass values above 1e9 and system- names are forbidden; value is immutable', async () => {
    expect(await rejected('/apis/scheduling.k8s.io/v1/priorityclasses', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'too-high' }, value: 1000000001 }))
      .toEqual(['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
    expect(await rejected('/apis/scheduling.k8s.io/v1/priorityclasses', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-mine' }, value: 5 }))
      .toEqual(["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"]);
    const err = await fails(['patch', 'pc', 'high-priority', '--type=merge', '-p', '{"value":7}']);
    expect(err).toContain('value: Forbidden: may not be changed in an update.');
  });

  test('only one PriorityClass may be the global default', async () => {
    await c.k('create', 'priorityclass', 'default-one', '--value=10', '--global-default=true');
    const err = await fails(['create', 'priorityclass', 'default-two', '--value=20', '--global-default=true']);
    expect(err).toContain('priorityclasses.scheduling.k8s.io "default-two" is forbidden: PriorityClass default-one is already marked as default. Only one default can exist');
    await c.k('create', 'priorityclass', 'plain', '--value=5');
    const patched = await fails(['patch', 'pc', 'plain', '--type=merge', '-p', '{"globalDefault":true}']);
    expect(patched).toContain('priorityclasses.scheduling.k8s.io "plain" is forbidden: PriorityClass default-one is already marked as default. Only one default can exist');
    // The default itself may be updated.
    await c.k('patch', 'pc', 'default-one', '--type=merge', '-p', '{"description":"the default"}');
  });

  test('StorageClass parameters and EndpointSlice addressType are immutable', async () => {
    const sc = await fails(['patch', 'sc', 'standard', '--type=merge', '-p', '{"parameters":{"type":"io1"}}']);
    expect(sc).toContain('parameters: Forbidden: updates to parameters are forbidden.');
    const eps = await fails(['patch', 'endpointslice', 'example-abc', '--type=merge', '-p', '{"addressType":"IPv6","endpoints":[]}']);
    expect(eps).toContain('addressType: Invalid value: "IPv6": field is immutable');
  });

  test('an events.k8s.io Event without its reporting fields is 422 with the internal paths', async () => {
    const causes = await rejected('/apis/events.k8s.io/v1/namespaces/default/events', {
      apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'ev1' }, eventTime: '2026-11-29T10:00:00.000000Z', type: 'Normal',
      regarding: { kind: 'Pod', name: 'p', namespace: 'default' },
    });
    expect(causes).toEqual(['reportingController: Required value', expect.stringMatching(/^reportingController: Invalid value: ""/),
      expect.stringMatching(/^reportingController: Invalid value: ""/), 'reportingInstance: Required value', 'action: Required value', 'reason: Required value']);
  });
});

describe('events.k8s.io/v1 Events share the core/v1 events storage', () => {
  const EVENTS_V1 = '/apis/events.k8s.io/v1/namespaces/default/events';

  test('an Event created through events.k8s.io is a core event too, each API in its own shape', async () => {
    const ev = {
      apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'web.scaled' }, eventTime: new Date().toISOString().replace('Z', '000Z'),
      reportingController: 'example.com/scaler', reportingInstance: 'scaler-1', action: 'Scale', reason: 'ScaledUp', type: 'Normal', note: 'scaled web to 3',
      regarding: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'default' },
    };
    const res = await c.request('POST', EVENTS_V1, { body: JSON.stringify(ev), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ apiVersion: 'events.k8s.io/v1', note: 'scaled web to 3', regarding: { kind: 'Deployment', name: 'web' } });
    const wide = (await c.k('get', 'events.v1.events.k8s.io', '-o', 'wide')).trim().split('\n');
    expect(wide[0].split(/\s{2,}/)).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME']);
    expect(wide.find((l) => l.endsWith('web.scaled'))).toMatch(/^\S+\s+Normal\s+ScaledUp\s+deployment\/web\s+example\.com\/scaler, scaler-1\s+scaled web to 3\s+\S+\s+1\s+web\.scaled$/);
    // The same object through the core API (what `kubectl get events` and `describe` read).
    const core = await json('get', 'events', 'web.scaled');
    expect(core).toMatchObject({ apiVersion: 'v1', message: 'scaled web to 3', involvedObject: { kind: 'Deployment', name: 'web' }, reportingComponent: 'example.com/scaler' });
    expect(await c.k('get', 'events')).toMatch(/Normal\s+ScaledUp\s+deployment\/web\s+scaled web to 3/);
  });

  test('a core event shows through events.k8s.io, in lists and watches', async () => {
    const rv = JSON.parse((await c.request('GET', EVENTS_V1)).body).metadata.resourceVersion;
    const coreEvent = {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'web.pulled' }, type: 'Normal', reason: 'Pulled', message: 'image pulled', count: 2,
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default' }, source: { component: 'kubelet', host: 'node-1' },
    };
    const created = await c.request('POST', '/api/v1/namespaces/default/events', { body: JSON.stringify(coreEvent), headers: { 'content-type': 'application/json' } });
    expect(created.status).toBe(201);
    const v1 = JSON.parse((await c.request('GET', `${EVENTS_V1}/web.pulled`)).body);
    expect(v1).toMatchObject({ apiVersion: 'events.k8s.io/v1', kind: 'Event', note: 'image pulled', deprecatedCount: 2, regarding: { kind: 'Pod', name: 'web-1' }, deprecatedSource: { component: 'kubelet', host: 'node-1' } });
    const watched = (await c.request('GET', `${EVENTS_V1}?watch=true&resourceVersion=${rv}&timeoutSeconds=1`)).body.trim().split('\n').map((l) => JSON.parse(l));
    expect(watched).toContainEqual(expect.objectContaining({ type: 'ADDED', object: expect.objectContaining({ apiVersion: 'events.k8s.io/v1', note: 'image pulled' }) }));
  });
});

test('a watch from a list of NetworkPolicies sees one created after it', async () => {
  const base = '/apis/networking.k8s.io/v1/namespaces/default/networkpolicies';
  const rv = JSON.parse((await c.request('GET', base)).body).metadata.resourceVersion;
  const denyAll = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny-ingress' }, spec: { podSelector: {} } };
  expect((await c.kubectl(['create', '-f', '-'], { input: JSON.stringify(denyAll) })).code).toBe(0);
  // The watch replays what happened after the list, then ends after timeoutSeconds.
  const res = await c.request('GET', `${base}?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
  const events = res.body.trim().split('\n').map((l) => JSON.parse(l));
  expect(events).toContainEqual(expect.objectContaining({ type: 'ADDED', object: expect.objectContaining({ metadata: expect.objectContaining({ name: 'default-deny-ingress' }), spec: { podSelector: {}, policyTypes: ['Ingress'] } }) }));
});

test('the gateway bootstraps the system priority classes', async () => {
  const { row: node } = await table(['priorityclasses'], 'system-node-critical');
  expect(node.slice(0, 3)).toEqual(['system-node-critical', '2000001000', 'false']);
  const cluster = await json('get', 'pc', 'system-cluster-critical');
  expect(cluster).toMatchObject({ value: 2000000000, preemptionPolicy: 'PreemptLowerPriority', description: expect.stringContaining('must run in the cluster') });
  expect(await fails(['delete', 'pc', 'system-node-critical'])).toContain(
    'priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted',
  );
});

test('kubectl explain ingress.spec.rules reads the served schema', async () => {
  const out = await c.k('explain', 'ingress.spec.rules');
  expect(out).toMatch(/GROUP:\s+networking.k8s.io/);
  expect(out).toMatch(/FIELD: rules <\[\]IngressRule>/);
  expect(out).toMatch(/host\s+<string>/);
  expect(out).toMatch(/http\s+<HTTPIngressRuleValue>/);
  const paths = await c.k('explain', 'ingress.spec.rules.http.paths');
  expect(paths).toMatch(/pathType\s+<string> -required-/);
});

test('kubectl explain finds the other kinds and their nested types', async () => {
  expect(await c.k('explain', 'hpa.spec.behavior.scaleUp')).toMatch(/FIELD: scaleUp <HPAScalingRules>[\s\S]*policies\s+<\[\]HPAScalingPolicy>/);
  expect(await c.k('explain', 'networkpolicy.spec.ingress.from.ipBlock')).toMatch(/cidr\s+<string> -required-/);
  expect(await c.k('explain', 'storageclass')).toMatch(/provisioner\s+<string> -required-/);
  expect(await c.k('explain', 'endpointslices.endpoints.conditions')).toMatch(/ready\s+<boolean>/);
  expect(await c.k('explain', 'priorityclass.preemptionPolicy')).toMatch(/FIELD: preemptionPolicy <string>/);
});
