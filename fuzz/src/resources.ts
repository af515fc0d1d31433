// The resources the fuzzer drives and a valid body generator for each. Every object it may
// create is named `<run prefix>-<n>` (or generated from `<run prefix>-`), so the stored-write
// model can tell the fuzzer's keys from everything else in etcd.
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface FuzzResource {
  /** Path prefix of the group version: `/api/v1` or `/apis/apps/v1`. */
  base: string;
  group: string;
  version: string;
  resource: string;
  kind: string;
  /** Subresources the fuzzer addresses (the gateway may serve more). */
  subresources: string[];
  /** Strategic merge patch is served (built-in kinds; custom resources answer 415). */
  strategicMerge: boolean;
  /** A valid object of this kind with the given name (metadata.name filled by the caller). */
  spec: fc.Arbitrary<JsonObject>;
}

/** The CRD the fuzzer installs before it starts (its objects are one of the fuzzed resources). */
export const WIDGET_CRD: JsonObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.fuzz.keelson.io' },
  spec: {
    group: 'fuzz.keelson.io',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [{
      name: 'v1', served: true, storage: true,
      subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
      schema: { openAPIV3Schema: { type: 'object', properties: {
        spec: { type: 'object', properties: {
          replicas: { type: 'integer', minimum: 0, maximum: 1000 },
          colour: { type: 'string', enum: ['red', 'green', 'blue'] },
          tags: { type: 'array', items: { type: 'string', maxLength: 64 }, 'x-kubernetes-list-type': 'set' },
          note: { type: 'string', maxLength: 4096 },
        } },
        status: { type: 'object', properties: { replicas: { type: 'integer' } } },
      } } },
    }],
  },
};

// Keys and values that once leaked into plain-object lookups (issue 9, defect 10), beside ordinary ones.
const PROTOTYPE_WORDS = ['constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
export const dataKey = fc.oneof(
  fc.constantFrom('a', 'b.txt', 'config.yaml', '_x', 'k-1', ...PROTOTYPE_WORDS),
  // kube's IsConfigMapKey refuses `.`, `..` and any key starting with `..` (a valid body must pass).
  fc.stringMatching(/^[-._a-zA-Z0-9]{1,20}$/).filter((k) => k !== '.' && !k.startsWith('..')),
);
// `__proto__` is no valid label name or value (it starts with `_`): the hostile generators send it.
const VALID_WORDS = PROTOTYPE_WORDS.filter((w) => !w.startsWith('_'));
export const labelKey = fc.constantFrom('app', 'tier', 'fuzz', 'example.com/role', 'x.y/z', ...VALID_WORDS);
export const labelValue = fc.oneof(fc.constantFrom('a', 'b', 'web', 'db', '', ...VALID_WORDS), fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/));
const unicodeText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('héllo', '日本語', '🚀🔥', '\u0000', 'line\nbreak', 'tab\tthere', '"quoted"', '\\', '\u202e'),
);
const labels = fc.dictionary(labelKey, labelValue, { maxKeys: 3 });
const image = fc.constantFrom('busybox', 'nginx:1.27', 'registry.example.com/app@sha256:' + 'a'.repeat(64), 'x');
const containerName = fc.constantFrom('c', 'app', 'side-car', 'web');

const container = fc.record({
  name: containerName,
  image,
  command: fc.option(fc.array(fc.constantFrom('sh', '-c', 'sleep 1', 'true'), { maxLength: 3 }), { nil: undefined }),
  ports: fc.option(fc.array(fc.record({ containerPort: fc.integer({ min: 1, max: 65535 }), protocol: fc.constantFrom('TCP', 'UDP') }), { maxLength: 2 }), { nil: undefined }),
  env: fc.option(fc.array(fc.record({ name: fc.constantFrom('A', 'B', 'PATH', 'constructor'), value: unicodeText }), { maxLength: 2 }), { nil: undefined }),
}, { requiredKeys: ['name', 'image'] });

/** Containers with distinct names (duplicates are a legitimate 422, but valid bodies should pass). */
const containers = fc.uniqueArray(container, { minLength: 1, maxLength: 2, selector: (c) => c.name });

const podSpecWith = (restartPolicies: string[]) => fc.record({
  containers,
  restartPolicy: fc.option(fc.constantFrom(...restartPolicies), { nil: undefined }),
  terminationGracePeriodSeconds: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
}, { requiredKeys: ['containers'] });
const podSpec = podSpecWith(['Always', 'OnFailure', 'Never']);
const templatePodSpec = podSpecWith(['Always']); // a Deployment's pods always restart

const b64 = fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b).toString('base64'));

const strip = (o: unknown): JsonObject => JSON.parse(JSON.stringify(o)) as JsonObject; // drops undefined members

const core = (resource: string, kind: string, subresources: string[], spec: fc.Arbitrary<unknown>): FuzzResource => ({
  base: '/api/v1', group: '', version: 'v1', resource, kind, subresources, strategicMerge: true, spec: spec.map(strip),
});

export const RESOURCES: FuzzResource[] = [
  core('configmaps', 'ConfigMap', [], fc.record({
    data: fc.dictionary(dataKey, unicodeText, { maxKeys: 4 }),
    binaryData: fc.option(fc.dictionary(fc.constantFrom('bin', 'blob.gz'), b64, { maxKeys: 1 }), { nil: undefined }),
    immutable: fc.option(fc.constant(false), { nil: undefined }),
  }, { requiredKeys: ['data'] })),
  core('secrets', 'Secret', [], fc.record({
    type: fc.constantFrom('Opaque', 'example.com/custom'),
    data: fc.dictionary(dataKey, b64, { maxKeys: 3 }),
    stringData: fc.option(fc.dictionary(dataKey, unicodeText, { maxKeys: 2 }), { nil: undefined }),
  }, { requiredKeys: ['type', 'data'] })),
  core('services', 'Service', ['status'], fc.record({
    spec: fc.record({
      selector: labels.map((l) => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== ''))),
      ports: fc.uniqueArray(fc.record({ name: fc.constantFrom('http', 'https', 'metrics', 'p'), port: fc.integer({ min: 1, max: 65535 }), protocol: fc.constant('TCP') }), { minLength: 1, maxLength: 2, selector: (p) => p.name }),
    }),
  })),
  core('pods', 'Pod', ['status'], fc.record({ spec: podSpec })),
  {
    base: '/apis/apps/v1', group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', subresources: ['status', 'scale'], strategicMerge: true,
    spec: fc.record({ replicas: fc.integer({ min: 0, max: 5 }), app: fc.constantFrom('web', 'db'), pod: templatePodSpec }).map(({ replicas, app, pod }) => strip({
      spec: { replicas, selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: pod } },
    })),
  },
  {
    base: '/apis/fuzz.keelson.io/v1', group: 'fuzz.keelson.io', version: 'v1', resource: 'widgets', kind: 'Widget', subresources: ['status', 'scale'], strategicMerge: false,
    spec: fc.record({
      spec: fc.record({
        replicas: fc.integer({ min: 0, max: 1000 }),
        colour: fc.constantFrom('red', 'green', 'blue'),
        tags: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'constructor', '__proto__'), { maxLength: 3 }),
        note: unicodeText,
      }, { requiredKeys: [] }),
    }).map(strip),
  },
];

export const apiVersionOf = (r: FuzzResource): string => (r.group ? `${r.group}/${r.version}` : r.version);

/** A valid object of `r` named `name` in `namespace`, with random labels. */
export function validObject(r: FuzzResource, name: string, namespace: string): fc.Arbitrary<JsonObject> {
  return fc.tuple(r.spec, labels, fc.option(fc.dictionary(fc.constantFrom('note', 'example.com/a', 'constructor'), unicodeText, { maxKeys: 2 }), { nil: undefined }))
    .map(([body, l, annotations]) => strip({
      apiVersion: apiVersionOf(r), kind: r.kind,
      metadata: { name, namespace, labels: l, annotations },
      ...body,
    }));
}
