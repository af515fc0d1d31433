// The custom-resource schema engine: value validation with kube's messages, defaulting,
// pruning, CEL rules, JSONPath printer columns and structural checks of CRD schemas.
import {
  applySchemaDefaults,
  customResourcePrinter,
  evaluateJsonPath,
  evaluateValidations,
  parseJsonPath,
  pruneUnknownFields,
  validateCustomValue,
  validateStructuralSchema,
  type JSONSchemaProps,
  type KubeObject,
} from '../src';

const spec = (properties: Record<string, JSONSchemaProps>, extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps => ({
  type: 'object',
  properties: { spec: { type: 'object', properties, ...extra } },
});
const messages = (value: unknown, schema: JSONSchemaProps) => validateCustomValue(value, schema).map((c) => `${c.field}: ${c.message}`);

describe('validation', () => {
  test('numbers: maximum, exclusive minimum and multipleOf read as kube prints them', () => {
    const s = spec({ replicas: { type: 'integer', maximum: 10 }, ratio: { type: 'number', minimum: 0, exclusiveMinimum: true }, step: { type: 'integer', multipleOf: 5 } });
    expect(messages({ spec: { replicas: 20, ratio: 0, step: 7 } }, s)).toEqual([
      'spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10',
      'spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0',
      'spec.step: Invalid value: 7: spec.step in body should be a multiple of 5',
    ]);
  });

  test('types, nullable and int-or-string', () => {
    const s = spec({ n: { type: 'integer' }, maybe: { type: 'string', nullable: true }, never: { type: 'string' }, port: { 'x-kubernetes-int-or-string': true } });
    expect(messages({ spec: { n: 1.5, maybe: null, never: null, port: 'http' } }, s)).toEqual([
      'spec.n: Invalid value: 1.5: spec.n in body must be of type integer: "number"',
      'spec.never: Invalid value: null: spec.never in body must be of type string: "null"',
    ]);
    expect(messages({ spec: { port: true } }, s)).toEqual(['spec.port: Invalid value: true: spec.port in body must be of type integer,string: "boolean"']);
  });

  test('strings: enum, pattern, lengths and formats', () => {
    const s = spec({
      mode: { type: 'string', enum: ['a', 'b'] },
      name: { type: 'string', pattern: '^[a-z]+$', minLength: 2, maxLength: 4 },
      at: { type: 'string', format: 'date-time' },
    });
    expect(messages({ spec: { mode: 'c', name: 'X', at: 'yesterday' } }, s)).toEqual([
      'spec.mode: Unsupported value: "c": supported values: "a", "b"',
      'spec.name: Invalid value: "X": spec.name in body should be at least 2 chars long',
      'spec.name: Invalid value: "X": spec.name in body should match \'^[a-z]+$\'',
      'spec.at: Invalid value: "yesterday": spec.at in body must be of type date-time: "yesterday"',
    ]);
    expect(messages({ spec: { name: 'abcdef' } }, s)).toEqual(['spec.name: Too long: may not be more than 4 bytes']);
  });

  test('arrays: item counts, sets and map lists are unique', () => {
    const s = spec({
      tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', maxItems: 3 },
      ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], minItems: 1, items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } } },
    });
    expect(messages({ spec: { tags: ['a', 'b', 'a', 'c'], ports: [{ name: 'x', port: 1 }, { name: 'x', port: 2 }] } }, s)).toEqual([
      'spec.tags: Too many: 4: must have at most 3 items',
      'spec.tags[2]: Duplicate value: "a"',
      'spec.ports[1]: Duplicate value: {"name":"x"}',
    ]);
    expect(messages({ spec: { ports: [] } }, s)).toEqual(['spec.ports: Invalid value: []: spec.ports in body should have at least 1 items']);
  });

  test('required fields and embedded resources', () => {
    const s = spec({ template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } }, { required: ['template'] });
    expect(messages({ spec: {} }, s)).toEqual(['spec.template: Required value']);
    expect(messages({ spec: { template: { metadata: { name: 'Bad_Name' } } } }, s)).toEqual([
      'spec.template.apiVersion: Required value: must not be empty',
      'spec.template.kind: Required value: must not be empty',
      expect.stringMatching(/^spec\.template\.metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/),
    ]);
  });
});

describe('defaulting and pruning', () => {
  const s: JSONSchemaProps = spec({
    replicas: { type: 'integer', default: 1 },
    strategy: { type: 'object', default: {}, properties: { kind: { type: 'string', default: 'Rolling' } } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    raw: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    items: { type: 'array', items: { type: 'object', properties: { weight: { type: 'integer', default: 10 } } } },
  });

  test('defaults apply top-down, inside defaulted objects and list items; nulls count as absent', () => {
    const obj = { spec: { replicas: null, items: [{}, { weight: 2 }] } };
    applySchemaDefaults(obj, s);
    expect(obj).toEqual({ spec: { replicas: 1, strategy: { kind: 'Rolling' }, items: [{ weight: 10 }, { weight: 2 }] } });
  });

  test('unknown fields are pruned and reported; preserved subtrees, maps and apiVersion/kind/metadata stay', () => {
    const obj = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a', nickname: 'b' }, extra: 1, spec: { colour: 'blue', labels: { a: 'b' }, raw: { anything: { deep: true } }, items: [{ weight: 1, junk: 2 }] } };
    expect(pruneUnknownFields(obj, s)).toEqual(['metadata.nickname', 'extra', 'spec.colour', 'spec.items[0].junk']);
    expect(obj).toEqual({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' }, spec: { labels: { a: 'b' }, raw: { anything: { deep: true } }, items: [{ weight: 1 }] } });
  });
});

describe('CEL rules', () => {
  const s = spec(
    { replicas: { type: 'integer' }, max: { type: 'integer' }, image: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'image is immutable' }] } },
    { 'x-kubernetes-validations': [{ rule: 'self.replicas <= self.max', messageExpression: "'replicas ' + string(self.replicas) + ' above ' + string(self.max)", reason: 'FieldValueForbidden', fieldPath: '.replicas' }] },
  );

  test('self is the value at the rule, integers are ints; messageExpression, reason and fieldPath shape the cause', () => {
    expect(evaluateValidations({ spec: { replicas: 2, max: 3 } }, undefined, s)).toEqual([]);
    expect(evaluateValidations({ spec: { replicas: 5, max: 3 } }, undefined, s)).toEqual([
      { reason: 'FieldValueForbidden', field: 'spec.replicas', message: 'Forbidden: replicas 5 above 3' },
    ]);
  });

  test('transition rules run only on update, against the correlated old value', () => {
    const at = (image: string) => ({ spec: { replicas: 1, max: 1, image } });
    expect(evaluateValidations(at('b'), undefined, s)).toEqual([]);
    expect(evaluateValidations(at('a'), at('a'), s)).toEqual([]);
    expect(evaluateValidations(at('b'), at('a'), s)).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.image', message: 'Invalid value: "string": image is immutable' },
    ]);
  });

  test('a rule without a message reports the rule', () => {
    const r = spec({ name: { type: 'string', 'x-kubernetes-validations': [{ rule: "self.startsWith('x')" }] } });
    expect(evaluateValidations({ spec: { name: 'abc' } }, undefined, r)[0].message).toBe('Invalid value: "string": failed rule: self.startsWith(\'x\')');
  });
});

describe('printer columns', () => {
  test('JSONPath reads fields, indexes and filters', () => {
    const obj = { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Synced', status: 'False' }] }, spec: { items: [{ n: 1 }, { n: 2 }] } };
    expect(evaluateJsonPath(obj, parseJsonPath('.status.conditions[?(@.type=="Ready")].status'))).toEqual(['True']);
    expect(evaluateJsonPath(obj, parseJsonPath('.spec.items[*].n'))).toEqual([1, 2]);
    expect(evaluateJsonPath(obj, parseJsonPath('{.spec.items[1].n}'))).toEqual([2]);
  });

  test('columns print typed cells, dates as ages and <none> for missing values; none means NAME AGE', () => {
    const now = new Date('2026-01-01T00:10:00Z');
    const obj: KubeObject = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { replicas: 3 } };
    const p = customResourcePrinter([
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Image', type: 'string', jsonPath: '.spec.image', priority: 1 },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
    expect(p.columns.map((c) => [c.name, c.priority])).toEqual([['Name', 0], ['Replicas', 0], ['Image', 1], ['Age', 0]]);
    expect(p.print(obj, now).cells).toEqual(['a', 3, '<none>', '10m']);
    expect(customResourcePrinter(undefined).columns.map((c) => c.name)).toEqual(['Name', 'Age']);
  });
});

describe('structural schema checks of a CRD version', () => {
  const at = 'spec.versions[0].schema.openAPIV3Schema';
  const check = (s: JSONSchemaProps) => validateStructuralSchema(s, at).map((c) => `${c.field}: ${c.message}`);

  test('a good schema passes', () => {
    expect(check(spec({ n: { type: 'integer', default: 1, minimum: 0 }, m: { type: 'object', additionalProperties: { type: 'string' } } }))).toEqual([]);
  });

  test('types everywhere, no additionalProperties beside properties, list and extension rules', () => {
    expect(check({ type: 'object', properties: {
      untyped: { description: 'x' },
      both: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } },
      ios: { type: 'string', 'x-kubernetes-int-or-string': true },
      keep: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false },
      keyed: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } },
    } })).toEqual([
      `${at}.properties[untyped].type: Required value: must not be empty for specified object fields`,
      `${at}.properties[both].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
      `${at}.properties[ios].type: Invalid value: "string": must be empty if x-kubernetes-int-or-string is true`,
      `${at}.properties[keep].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
      `${at}.properties[keyed].items.properties[name]: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
    ]);
  });

  test('defaults must be valid and pruned; patterns and CEL rules must compile; the root is an object', () => {
    expect(check({ type: 'string' })).toEqual([`${at}.type: Invalid value: "string": must be object at the root`]);
    expect(check(spec({
      n: { type: 'integer', maximum: 5, default: 9 },
      o: { type: 'object', properties: { a: { type: 'string' } }, default: { b: 1 } },
      p: { type: 'string', pattern: '(' },
      r: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self ==' }] },
    }))).toEqual([
      `${at}.properties[spec].properties[n].default: Invalid value: 9: ${at}.properties[spec].properties[n].default in body should be less than or equal to 5`,
      `${at}.properties[spec].properties[o].default: Invalid value: {"b":1}: must not have unknown fields`,
      `${at}.properties[spec].properties[p].pattern: Invalid value: "(": must be a valid regular expression`,
      expect.stringMatching(/^spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[spec\]\.properties\[r\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: "self ==": compilation failed/),
    ]);
  });
});

test('versions sort as Kubernetes orders them: GA, beta, alpha, then others', () => {
  const { compareKubeVersions } = jest.requireActual('../src') as typeof import('../src');
  expect(['foo1', 'v1beta1', 'v1', 'v2alpha1', 'v2', 'v1beta2', 'v10'].sort(compareKubeVersions)).toEqual(['v10', 'v2', 'v1', 'v1beta2', 'v1beta1', 'v2alpha1', 'foo1']);
});

describe('ratcheting on update', () => {
  const { validateCustomObject } = jest.requireActual('../src') as typeof import('../src');
  const s = spec({ replicas: { type: 'integer', maximum: 5 }, name: { type: 'string' } }, { required: ['name'] });
  const obj = (replicas: number, name?: string): KubeObject => ({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' }, spec: { replicas, ...(name ? { name } : {}) } });

  test('an invalid value the update leaves alone is accepted; a changed one is not', () => {
    expect(validateCustomObject(obj(9, 'n'), undefined, s, 'Strict').causes.map((c) => c.field)).toEqual(['spec.replicas']);
    expect(validateCustomObject(obj(9, 'n'), obj(9, 'm'), s, 'Strict').causes).toEqual([]);
    expect(validateCustomObject(obj(8, 'n'), obj(9, 'n'), s, 'Strict').causes.map((c) => c.field)).toEqual(['spec.replicas']);
  });

  test('a missing required field is never ratcheted', () => {
    expect(validateCustomObject(obj(1), obj(1), s, 'Strict').causes.map((c) => c.message)).toEqual(['Required value']);
  });
});
