// The CustomResourceDefinition kind itself: defaults and apiextensions' validation, through
// the generic validate path the gateway runs (schema, ObjectMeta and the strategy's rules).
import { BUILTIN_RESOURCES, applyDefaults, prepareForCreate, prepareForUpdate, resolveSchema, validateObject, type KubeObject } from '../src';

const CRD = BUILTIN_RESOURCES.find((r) => r.resource === 'customresourcedefinitions')!;

const crd = (spec: Record<string, unknown>, name = 'crontabs.stable.example.com'): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', kind: 'CronTab' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
    ...spec,
  },
});
const problems = (o: KubeObject, old?: KubeObject) =>
  validateObject(applyDefaults(o, CRD), CRD, { resolve: resolveSchema, unknownFields: 'Strict', old }).causes.map((c) => `${c.field}: ${c.message}`);

test('defaults: singular, listKind and conversion None; storedVersions on create', () => {
  const out = prepareForCreate(applyDefaults(crd({}), CRD), CRD);
  expect(out.spec).toMatchObject({ names: { singular: 'crontab', listKind: 'CronTabList' }, conversion: { strategy: 'None' } });
  expect(out.status).toEqual({ storedVersions: ['v1'] });
  expect(out.metadata.generation).toBe(1);
});

test('a valid CRD has no problems', () => {
  expect(problems(crd({}))).toEqual([]);
});

test('the name must be <plural>.<group>, the group a dotted domain, names DNS-1035 labels', () => {
  expect(problems(crd({}, 'crontab.stable.example.com'))).toEqual(['metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group']);
  expect(problems(crd({ group: 'local', names: { plural: 'crontabs', kind: 'CronTab' } }, 'crontabs.local'))).toEqual(['spec.group: Invalid value: "local": should be a domain with at least one dot']);
  expect(problems(crd({ names: { plural: 'crontabs', kind: 'CronTab', shortNames: ['C_T'], listKind: 'CronTab' } }))).toEqual([
    'spec.names.listKind: Invalid value: "CronTab": kind and listKind may not be the same',
    expect.stringMatching(/^spec\.names\.shortNames\[0\]: Invalid value: "C_T": a DNS-1035 label/),
  ]);
});

test('scope, exactly one storage version, schemas, subresource paths and printer columns', () => {
  expect(problems(crd({
    scope: 'Global',
    versions: [
      { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } }, subresources: { scale: { specReplicasPath: '.status.replicas', statusReplicasPath: '.status.replicas' } } },
      { name: 'v2', served: true, storage: true, additionalPrinterColumns: [{ name: 'X', type: 'float', jsonPath: 'spec.x' }] },
    ],
  }))).toEqual([
    'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
    'spec.versions: Invalid value: ["v1","v2"]: must have exactly one version marked as storage version',
    'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
    'spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required',
    'spec.versions[1].additionalPrinterColumns[0].type: Unsupported value: "float": supported values: "boolean", "date", "integer", "number", "string"',
    'spec.versions[1].additionalPrinterColumns[0].jsonPath: Invalid value: "spec.x": must be a simple json path: jsonPath must start with \'.\': spec.x',
  ]);
});

test('updates keep scope and record a new storage version', () => {
  const old = prepareForCreate(applyDefaults(crd({}), CRD), CRD);
  expect(problems(crd({ scope: 'Cluster' }), old)).toContain('spec.scope: Invalid value: "Cluster": field is immutable');
  const next = crd({ versions: [
    { name: 'v1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
    { name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
  ] });
  const updated = prepareForUpdate(applyDefaults(next, CRD), old, CRD);
  expect(updated.status).toEqual({ storedVersions: ['v1', 'v2'] });
  expect(updated.metadata.generation).toBe(2);
});
