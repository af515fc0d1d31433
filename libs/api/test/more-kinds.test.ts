// Defaulting, validation and printing of the discovery, networking, autoscaling/v2,
// scheduling, storage and events.k8s.io kinds, through the same entry points the gateway uses.
import { applyDefaults, prepareForCreate, prepareForUpdate } from '../src/defaults';
import { BUILTIN_RESOURCES } from '../src/registry';
import type { ResourceInfo } from '../src/registry';
import { resolveSchema } from '../src/schema';
import { toTable } from '../src/table';
import type { KubeObject } from '../src/types';
import { validateObject } from '../src/validation/objects';
import { decodeKubernetesProtobuf } from '../src/protobuf';
import { Writer } from '../src/protobuf/writer';
import { fromCoreEvent, toCoreEvent } from '../src/kinds/events/events';
import { hpaV1ToV2, hpaV2ToV1 } from '../src/kinds/autoscaling/horizontalpodautoscalers-v1';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only access

const info = (group: string, resource: string): ResourceInfo => {
  const r = BUILTIN_RESOURCES.find((x) => x.group === group && x.resource === resource);
  if (!r) throw new Error(`${group}/${resource} is not registered`);
  return r;
};
const causesOf = (obj: KubeObject, i: ResourceInfo, old?: KubeObject) =>
  validateObject(obj, i, { resolve: resolveSchema, unknownFields: 'Strict', old }).causes;
const fields = (obj: KubeObject, i: ResourceInfo, old?: KubeObject) => causesOf(obj, i, old).map((c) => `${c.field}: ${c.message}`);
const defaulted = (obj: KubeObject, i: ResourceInfo): J => applyDefaults(obj, i) as J;
const row = (obj: KubeObject, i: ResourceInfo) => toTable(i, [obj], { now: new Date('2026-01-01T00:01:00Z') }).rows[0].cells;
const created = '2026-01-01T00:00:00Z';

describe('networking.k8s.io/v1 Ingress', () => {
  const ING = info('networking.k8s.io', 'ingresses');
  // The Kubernetes documentation's minimal-ingress.
  const minimal = (path: J = {}): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'minimal-ingress', namespace: 'default', creationTimestamp: created },
    spec: {
      ingressClassName: 'nginx-example',
      rules: [{ http: { paths: [{ path: '/testpath', pathType: 'Prefix', backend: { service: { name: 'test', port: { number: 80 } } }, ...path }] } }],
    },
  });

  it('accepts the documentation example and prints CLASS HOSTS ADDRESS PORTS', () => {
    expect(causesOf(minimal(), ING)).toEqual([]);
    expect(row(minimal(), ING)).toEqual(['minimal-ingress', 'nginx-example', '*', '', '80', '60s']);
  });

  it('requires pathType and names the path', () => {
    const obj = minimal();
    delete (obj as J).spec.rules[0].http.paths[0].pathType;
    expect(fields(obj, ING)).toContain('spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified');
  });

  it('rejects an unknown pathType, a relative path and a port with both name and number', () => {
    expect(fields(minimal({ pathType: 'Regex' }), ING)).toContain(
      'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
    );
    expect(fields(minimal({ path: 'testpath' }), ING)).toContain('spec.rules[0].http.paths[0].path: Invalid value: "testpath": must be an absolute path');
    expect(fields(minimal({ backend: { service: { name: 'test', port: { number: 80, name: 'http' } } } }), ING)).toContain(
      'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number',
    );
    expect(fields(minimal({ backend: { service: { name: 'test', port: {} } } }), ING)).toContain(
      'spec.rules[0].http.paths[0].backend: Required value: port name or number is required',
    );
  });

  it('needs rules or a default backend, and rejects IP hosts', () => {
    const empty: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'x', namespace: 'default' }, spec: {} };
    expect(fields(empty, ING)).toEqual(['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']);
    const ip = minimal();
    (ip as J).spec.rules[0].host = '10.0.0.1';
    expect(fields(ip, ING)).toContain('spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address');
  });

  it('clears status on create, bumps generation on spec changes and keeps status on main writes', () => {
    const first = prepareForCreate(applyDefaults({ ...minimal(), status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } }, ING), ING) as J;
    expect(first.status).toEqual({ loadBalancer: {} });
    expect(first.metadata.generation).toBe(1);
    const next = structuredClone(first);
    next.spec.rules[0].host = 'foo.example.com';
    next.status = { loadBalancer: { ingress: [{ ip: '9.9.9.9' }] } };
    const updated = prepareForUpdate(next as KubeObject, first as KubeObject, ING) as J;
    expect(updated.metadata.generation).toBe(2);
    expect(updated.status).toEqual({ loadBalancer: {} });
  });

  it('prints hosts, the load-balancer address and the TLS ports', () => {
    const obj = minimal() as J;
    obj.spec.rules = ['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com'].map((host) => ({ host }));
    obj.spec.tls = [{ hosts: ['a.example.com'], secretName: 'tls' }];
    obj.status = { loadBalancer: { ingress: [{ ip: '10.0.0.2' }, { hostname: 'lb.example.com' }] } };
    expect(row(obj as KubeObject, ING).slice(2, 5)).toEqual(['a.example.com,b.example.com,c.example.com + 1 more...', '10.0.0.2,lb.example.com', '80, 443']);
  });
});

describe('networking.k8s.io/v1 NetworkPolicy and IngressClass', () => {
  const NP = info('networking.k8s.io', 'networkpolicies');
  const IC = info('networking.k8s.io', 'ingressclasses');
  const policy = (spec: J): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'default', creationTimestamp: created }, spec });

  it('defaults policyTypes from the rules present and port protocols to TCP', () => {
    expect(defaulted(policy({ podSelector: {} }), NP).spec.policyTypes).toEqual(['Ingress']);
    const both = defaulted(policy({ podSelector: {}, egress: [{ ports: [{ port: 53 }] }] }), NP);
    expect(both.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(both.spec.egress[0].ports[0].protocol).toBe('TCP');
    expect(defaulted(policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{}] }), NP).spec.policyTypes).toEqual(['Egress']);
  });

  it('validates peers, ipBlocks and ports with their paths', () => {
    const bad = policy({
      podSelector: {},
      ingress: [{ from: [{}, { ipBlock: { cidr: '10.0.0.0/16', except: ['192.168.0.0/24'] }, podSelector: {} }], ports: [{ port: 'http', endPort: 90 }] }],
      policyTypes: ['Ingress', 'Sideways'],
    });
    expect(fields(bad, NP)).toEqual(expect.arrayContaining([
      'spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
      'spec.ingress[0].from[0]: Required value: must specify a peer',
      'spec.ingress[0].from[1].ipBlock.except[0]: Invalid value: "192.168.0.0/24": must be a strict subset of `cidr`',
      'spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer',
      'spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
    ]));
  });

  it('prints the pod selector', () => {
    expect(row(policy({ podSelector: { matchLabels: { role: 'db' } } }), NP)).toEqual(['np', 'role=db', '60s']);
    expect(row(policy({ podSelector: {} }), NP)).toEqual(['np', '<none>', '60s']);
  });

  it('IngressClass: parameters default to cluster scope, the controller is a domain-prefixed path and immutable', () => {
    const ic: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx', creationTimestamp: created },
      spec: { controller: 'example.com/ingress-controller', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } } };
    const d = defaulted(ic, IC);
    expect(d.spec.parameters.scope).toBe('Cluster');
    expect(causesOf(d as KubeObject, IC)).toEqual([]);
    expect(row(d as KubeObject, IC)).toEqual(['nginx', 'example.com/ingress-controller', 'IngressParameters.k8s.example.com/external-lb', '60s']);
    const changed = structuredClone(d);
    changed.spec.controller = 'other.io/ctrl';
    expect(fields(changed as KubeObject, IC, d as KubeObject)).toContain('spec.controller: Invalid value: "other.io/ctrl": field is immutable');
    expect(fields({ ...ic, spec: { controller: 'nginx' } }, IC)).toContain('spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")');
  });
});

describe('autoscaling/v2 HorizontalPodAutoscaler', () => {
  const HPA = info('autoscaling', 'horizontalpodautoscalers');
  // The walkthrough's php-apache autoscaler.
  const phpApache = (spec: J = {}): KubeObject => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'php-apache', namespace: 'default', creationTimestamp: created },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'php-apache' },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      ...spec,
    },
  });

  it('defaults minReplicas to 1 and the metric to 80% CPU', () => {
    const d = defaulted(phpApache({ minReplicas: undefined, metrics: undefined }), HPA);
    expect(d.spec.minReplicas).toBe(1);
    expect(d.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(d.spec.behavior).toBeUndefined();
  });

  it('fills a partial behavior as SetDefaults_HorizontalPodAutoscalerBehavior does', () => {
    const d = defaulted(phpApache({ behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } }), HPA);
    expect(d.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
  });

  it('validates bounds, metric sources and policies with field paths', () => {
    expect(causesOf(defaulted(phpApache(), HPA) as KubeObject, HPA)).toEqual([]);
    const bad = phpApache({
      minReplicas: 5,
      maxReplicas: 2,
      metrics: [{ type: 'Pods', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } }],
      behavior: { scaleUp: { selectPolicy: 'Most', policies: [{ type: 'Pods', value: 0, periodSeconds: 4000 }] } },
    });
    expect(fields(bad, HPA)).toEqual(expect.arrayContaining([
      'spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`',
      'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
      'spec.metrics[0].pods: Required value: must populate information for the given metric source',
      'spec.behavior.scaleUp.selectPolicy: Unsupported value: "Most": supported values: "Disabled", "Max", "Min"',
      'spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero',
      'spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 4000: must be less than or equal to 1800',
    ]));
  });

  it('prints REFERENCE TARGETS MINPODS MAXPODS REPLICAS', () => {
    const obj = phpApache() as J;
    expect(row(obj as KubeObject, HPA)).toEqual(['php-apache', 'Deployment/php-apache', 'cpu: <unknown>/50%', '1', 10, 0, '60s']);
    obj.status = { currentReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 42 } } }] };
    expect(row(obj as KubeObject, HPA).slice(2, 6)).toEqual(['cpu: 42%/50%', '1', 10, 3]);
  });
});

describe('autoscaling/v1 HorizontalPodAutoscaler, stored as autoscaling/v2', () => {
  const v1 = (): KubeObject => ({
    apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 },
  });

  it('converts the CPU target to a Resource metric and back', () => {
    const v2 = hpaV1ToV2(v1()) as J;
    expect(v2.apiVersion).toBe('autoscaling/v2');
    expect(v2.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(hpaV2ToV1(v2 as KubeObject)).toEqual(v1());
  });

  it('keeps what v1 cannot express in the autoscaling.alpha.kubernetes.io annotations across a round trip', () => {
    const v2: KubeObject = {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3,
        metrics: [{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } }],
        behavior: { scaleDown: { selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } } },
      status: { currentReplicas: 1, desiredReplicas: 1, conditions: [{ type: 'AbleToScale', status: 'True' }] },
    };
    const asV1 = hpaV2ToV1(v2) as J;
    expect(asV1.spec.targetCPUUtilizationPercentage).toBeUndefined();
    expect(Object.keys(asV1.metadata.annotations).sort()).toEqual(['autoscaling.alpha.kubernetes.io/behavior', 'autoscaling.alpha.kubernetes.io/conditions', 'autoscaling.alpha.kubernetes.io/metrics']);
    expect(hpaV1ToV2(asV1 as KubeObject)).toEqual(v2);
  });
});

describe('scheduling.k8s.io/v1 PriorityClass', () => {
  const PC = info('scheduling.k8s.io', 'priorityclasses');
  const pc = (name: string, value: number, extra: J = {}): KubeObject => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name, creationTimestamp: created }, value, ...extra });

  it('defaults preemptionPolicy and prints VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY', () => {
    const d = defaulted(pc('high-priority', 1000000, { globalDefault: false }), PC);
    expect(d.preemptionPolicy).toBe('PreemptLowerPriority');
    expect(causesOf(d as KubeObject, PC)).toEqual([]);
    expect(row(d as KubeObject, PC)).toEqual(['high-priority', 1000000, false, '60s', 'PreemptLowerPriority']);
  });

  it('caps user values and reserves the system- prefix', () => {
    expect(fields(pc('huge', 1000000001), PC)).toEqual(['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
    expect(fields(pc('system-mine', 10), PC)).toEqual([
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
    ]);
    expect(fields(pc('system-node-critical', 2000001000), PC)).toEqual([]);
    expect(fields(pc('x', 1, { preemptionPolicy: 'Sometimes' }), PC)).toEqual(['preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"']);
  });

  it('keeps value and preemptionPolicy immutable', () => {
    const old = defaulted(pc('p', 10), PC) as KubeObject;
    expect(fields({ ...old, value: 11, preemptionPolicy: 'Never' }, PC, old)).toEqual([
      'value: Forbidden: may not be changed in an update.',
      'preemptionPolicy: Invalid value: "Never": field is immutable',
    ]);
  });
});

describe('storage.k8s.io/v1 StorageClass', () => {
  const SC = info('storage.k8s.io', 'storageclasses');
  const standard = (extra: J = {}): KubeObject => ({
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard', creationTimestamp: created },
    provisioner: 'kubernetes.io/aws-ebs', parameters: { type: 'gp2' }, ...extra,
  });

  it('defaults reclaimPolicy and volumeBindingMode, and prints (default) for the annotated class', () => {
    const d = defaulted(standard(), SC);
    expect([d.reclaimPolicy, d.volumeBindingMode]).toEqual(['Delete', 'Immediate']);
    expect(causesOf(d as KubeObject, SC)).toEqual([]);
    expect(row(d as KubeObject, SC)).toEqual(['standard', 'kubernetes.io/aws-ebs', 'Delete', 'Immediate', false, '60s']);
    d.metadata.annotations = { 'storageclass.kubernetes.io/is-default-class': 'true' };
    expect(row(d as KubeObject, SC)[0]).toBe('standard (default)');
  });

  it('requires a provisioner and known policies', () => {
    expect(fields(defaulted(standard({ provisioner: undefined, reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' }), SC) as KubeObject, SC)).toEqual([
      'provisioner: Required value',
      'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
      'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
    ]);
  });

  it('forbids changing what provisioned volumes depend on', () => {
    const old = defaulted(standard(), SC) as KubeObject;
    const changed = { ...old, provisioner: 'example.com/other', parameters: { type: 'io1' }, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' };
    expect(fields(changed, SC, old)).toEqual([
      'parameters: Forbidden: updates to parameters are forbidden.',
      'provisioner: Forbidden: updates to provisioner are forbidden.',
      'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
      'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
    ]);
  });
});

describe('discovery.k8s.io/v1 EndpointSlice', () => {
  const EPS = info('discovery.k8s.io', 'endpointslices');
  // The Kubernetes documentation's example-abc.
  const exampleAbc = (extra: J = {}): KubeObject => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'example-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'example' }, creationTimestamp: created },
    addressType: 'IPv4',
    ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
    endpoints: [{ addresses: ['10.1.2.3'], conditions: { ready: true }, hostname: 'pod-1', nodeName: 'node-1', zone: 'us-west2-a' }],
    ...extra,
  });

  it('accepts the documentation example, defaults ports and prints ADDRESSTYPE PORTS ENDPOINTS', () => {
    const d = defaulted(exampleAbc({ ports: [{ port: 8080 }] }), EPS);
    expect(d.ports).toEqual([{ name: '', protocol: 'TCP', port: 8080 }]);
    expect(causesOf(exampleAbc(), EPS)).toEqual([]);
    expect(row(exampleAbc(), EPS)).toEqual(['example-abc', 'IPv4', '80', '10.1.2.3', '60s']);
    expect(row(exampleAbc({ ports: [], endpoints: [] }), EPS)).toEqual(['example-abc', 'IPv4', '<unset>', '<unset>', '60s']);
  });

  it('checks addresses against the address type, and keeps the type immutable', () => {
    expect(fields(exampleAbc({ endpoints: [{ addresses: ['fe80::1', '127.0.0.1'] }] }), EPS)).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "fe80::1": must be a valid IPv4 address',
      'endpoints[0].addresses[0]: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      'endpoints[0].addresses[1]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    ]);
    expect(fields(exampleAbc({ addressType: 'IPX' }), EPS)).toContain('addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"');
    const old = exampleAbc();
    expect(fields(exampleAbc({ addressType: 'FQDN', endpoints: [{ addresses: ['example.com'] }] }), EPS, old)).toEqual(['addressType: Invalid value: "FQDN": field is immutable']);
  });

  it('starts at generation 1 and moves it on endpoint or label changes only', () => {
    const first = prepareForCreate(exampleAbc(), EPS) as J;
    expect(first.metadata.generation).toBe(1);
    const same = prepareForUpdate({ ...first, metadata: { ...first.metadata, annotations: { a: 'b' } } } as KubeObject, first as KubeObject, EPS) as J;
    expect(same.metadata.generation).toBe(1);
    const moved = prepareForUpdate({ ...first, endpoints: [{ addresses: ['10.1.2.4'] }] } as KubeObject, first as KubeObject, EPS) as J;
    expect(moved.metadata.generation).toBe(2);
  });
});

describe('events.k8s.io/v1 Event', () => {
  const EV = info('events.k8s.io', 'events');
  const event = (extra: J = {}): KubeObject => ({
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'web.1', namespace: 'default', creationTimestamp: created },
    eventTime: '2026-01-01T00:00:30.000000Z', reportingController: 'example.com/controller', reportingInstance: 'controller-1',
    action: 'Scale', reason: 'ScalingUp', type: 'Normal', note: 'scaled to 3',
    regarding: { kind: 'Deployment', name: 'web', namespace: 'default', apiVersion: 'apps/v1' },
    ...extra,
  });

  it('accepts a complete event and prints it with the core event columns', () => {
    expect(causesOf(event(), EV)).toEqual([]);
    expect(row(event(), EV)).toEqual(['30s', 'Normal', 'ScalingUp', 'deployment/web', '', 'example.com/controller, controller-1', 'scaled to 3', '30s', 1, 'web.1']);
  });

  it('requires what ValidateEventCreate requires, with the internal field paths', () => {
    const bad = event({ reportingController: undefined, action: undefined, type: 'Bad', deprecatedCount: 2, regarding: { kind: 'Node', name: 'n1' }, eventTime: undefined });
    bad.metadata.namespace = 'apps';
    expect(fields(bad, EV)).toEqual(expect.arrayContaining([
      'eventTime: Required value',
      'type: Invalid value: "": has invalid value: Bad',
      'count: Invalid value: "": needs to be unset',
    ]));
    const noController = event({ reportingController: undefined, action: undefined, regarding: { kind: 'Node', name: 'n1' } });
    noController.metadata.namespace = 'apps';
    expect(fields(noController, EV)).toEqual([
      'involvedObject.namespace: Invalid value: "": does not match event.namespace',
      'reportingController: Required value',
      'reportingController: Invalid value: "": name part must be non-empty',
      "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'action: Required value',
    ]);
  });

  it('maps onto the core/v1 event shape it is stored in, and back', () => {
    const core = toCoreEvent(event({ deprecatedCount: 4 }));
    expect(core).toMatchObject({ apiVersion: 'v1', involvedObject: { kind: 'Deployment' }, message: 'scaled to 3', reportingComponent: 'example.com/controller', count: 4 });
    expect(core).not.toHaveProperty('note');
    expect(fromCoreEvent(core)).toEqual(event({ deprecatedCount: 4 }));
  });
});

describe('protobuf bodies of these kinds', () => {
  /** The `k8s\0` + runtime.Unknown envelope typed clients send. */
  const envelope = (apiVersion: string, kind: string, build: (w: Writer) => void): Buffer =>
    Buffer.concat([Buffer.from('k8s\0', 'binary'), new Writer().message(1, (t) => t.string(1, apiVersion).string(2, kind)).message(2, build).finish()]);
  const meta = (name: string) => (w: Writer) => w.string(1, name);

  it('decodes what kubectl create ingress and create priorityclass send', () => {
    const ing = envelope('networking.k8s.io/v1', 'Ingress', (w) => w.message(1, meta('simple')).message(2, (spec) => {
      spec.message(3, (rule) => rule.string(1, 'foo.com').message(2, (value) => value.message(1, (http) => http.message(1, (path) => {
        path.string(1, '/bar').string(3, 'Exact');
        path.message(2, (b) => b.message(4, (svc) => svc.string(1, 'svc1').message(2, (port) => port.int64(2, 8080))));
      }))));
    }));
    expect(decodeKubernetesProtobuf(ing)).toEqual({
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'simple' },
      spec: { rules: [{ host: 'foo.com', http: { paths: [{ path: '/bar', pathType: 'Exact', backend: { service: { name: 'svc1', port: { number: 8080 } } } }] } }] },
    });
    const pc = envelope('scheduling.k8s.io/v1', 'PriorityClass', (w) => w.message(1, meta('batch')).int64(2, 100).string(4, 'batch jobs').string(5, 'Never'));
    expect(decodeKubernetesProtobuf(pc)).toEqual({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'batch' }, value: 100, description: 'batch jobs', preemptionPolicy: 'Never' });
  });

  it('decodes an autoscaling/v1 HPA (kubectl autoscale) and an autoscaling/v2 one with quantities and behavior', () => {
    const ref = (w: Writer) => w.string(1, 'Deployment').string(2, 'web').string(3, 'apps/v1');
    const v1 = envelope('autoscaling/v1', 'HorizontalPodAutoscaler', (w) => w.message(1, meta('web')).message(2, (spec) => spec.message(1, ref).int64(2, 2).int64(3, 5).int64(4, 80)));
    expect(decodeKubernetesProtobuf(v1).spec).toEqual({ scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 });
    const v2 = envelope('autoscaling/v2', 'HorizontalPodAutoscaler', (w) => w.message(1, meta('web')).message(2, (spec) => {
      spec.message(1, ref).int64(3, 10);
      spec.message(4, (m) => m.string(1, 'Pods').message(3, (pods) => pods.message(1, (id) => id.string(1, 'qps')).message(2, (t) => t.string(1, 'AverageValue').message(3, (q) => q.string(1, '1k')))));
      spec.message(5, (b) => b.message(2, (down) => down.string(1, 'Min').int64(3, 300).message(2, (p) => p.string(1, 'Percent').int64(2, 10).int64(3, 60))));
    }));
    expect(decodeKubernetesProtobuf(v2).spec).toEqual({
      scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, maxReplicas: 10,
      metrics: [{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '1k' } } }],
      behavior: { scaleDown: { selectPolicy: 'Min', stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] } },
    });
  });

  it('decodes a NetworkPolicy, an IngressClass, an EndpointSlice, a StorageClass and an events.k8s.io Event', () => {
    const np = envelope('networking.k8s.io/v1', 'NetworkPolicy', (w) => w.message(1, meta('np')).message(2, (spec) => {
      spec.message(1, (sel) => sel.message(1, (e) => e.string(1, 'role').string(2, 'db')));
      spec.message(2, (rule) => rule.message(1, (port) => port.string(1, 'TCP').message(2, (i) => i.int64(2, 6379))).message(2, (peer) => peer.message(3, (b) => b.string(1, '10.0.0.0/8').strings(2, ['10.1.0.0/16']))));
      spec.strings(4, ['Ingress']);
    }));
    expect(decodeKubernetesProtobuf(np).spec).toEqual({
      podSelector: { matchLabels: { role: 'db' } }, policyTypes: ['Ingress'],
      ingress: [{ ports: [{ protocol: 'TCP', port: 6379 }], from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
    });
    const ic = envelope('networking.k8s.io/v1', 'IngressClass', (w) => w.message(1, meta('lb')).message(2, (spec) => spec.string(1, 'example.com/lb').message(2, (p) => p.string(2, 'Params').string(3, 'x').string(4, 'Cluster'))));
    expect(decodeKubernetesProtobuf(ic).spec).toEqual({ controller: 'example.com/lb', parameters: { kind: 'Params', name: 'x', scope: 'Cluster' } });
    const eps = envelope('discovery.k8s.io/v1', 'EndpointSlice', (w) => w.message(1, meta('abc')).string(4, 'IPv4')
      .message(2, (e) => e.strings(1, ['10.1.2.3']).message(2, (cond) => cond.bool(1, true)).string(6, 'node-1'))
      .message(3, (p) => p.string(1, 'http').string(2, 'TCP').int64(3, 80)));
    expect(decodeKubernetesProtobuf(eps)).toMatchObject({ addressType: 'IPv4', endpoints: [{ addresses: ['10.1.2.3'], conditions: { ready: true }, nodeName: 'node-1' }], ports: [{ name: 'http', protocol: 'TCP', port: 80 }] });
    const sc = envelope('storage.k8s.io/v1', 'StorageClass', (w) => w.message(1, meta('fast')).string(2, 'example.com/csi').message(3, (e) => e.string(1, 'type').string(2, 'ssd')).string(4, 'Retain').bool(6, true).string(7, 'WaitForFirstConsumer'));
    expect(decodeKubernetesProtobuf(sc)).toMatchObject({ provisioner: 'example.com/csi', parameters: { type: 'ssd' }, reclaimPolicy: 'Retain', allowVolumeExpansion: true, volumeBindingMode: 'WaitForFirstConsumer' });
    const ev = envelope('events.k8s.io/v1', 'Event', (w) => w.message(1, meta('e1')).message(2, (t) => t.int64(1, 1764410400).int64(2, 123456000))
      .string(4, 'example.com/c').string(5, 'c-1').string(6, 'Scale').string(7, 'Up').message(8, (r) => r.string(1, 'Deployment').string(3, 'web')).string(10, 'note').string(11, 'Normal'));
    expect(decodeKubernetesProtobuf(ev)).toMatchObject({ eventTime: '2025-11-29T10:00:00.123456Z', reportingController: 'example.com/c', regarding: { kind: 'Deployment', name: 'web' }, note: 'note', type: 'Normal' });
  });
});
