import { validateAgainstSchema } from '../src/validation/schema-validator';
import type { SchemaNode, SchemaResolver } from '../src/schema/types';

// A tiny Deployment-like schema family, shaped like the served OpenAPI v3 (allOf + $ref).
const schemas: Record<string, SchemaNode> = {
  Container: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string' },
      image: { type: 'string' },
      imagePullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] },
      ports: { type: 'array', items: { $ref: '#/components/schemas/Port' } },
    },
  },
  Port: { type: 'object', properties: { containerPort: { type: 'integer', format: 'int32' } } },
  IntOrString: { 'x-kubernetes-int-or-string': true, oneOf: [{ type: 'integer' }, { type: 'string' }] },
  Quantity: { 'x-kubernetes-int-or-string': true, oneOf: [{ type: 'string' }, { type: 'number' }] },
  Meta: { type: 'object', properties: { name: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string' } } } },
};
const resolve: SchemaResolver = (ref) => schemas[ref];

const root: SchemaNode = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { allOf: [{ $ref: '#/components/schemas/Meta' }], default: {} },
    spec: {
      type: 'object',
      required: ['template'],
      properties: {
        replicas: { type: 'integer', format: 'int32' },
        maxSurge: { allOf: [{ $ref: '#/components/schemas/IntOrString' }] },
        cpu: { allOf: [{ $ref: '#/components/schemas/Quantity' }] },
        raw: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        fields: { type: 'object' },
        host: { type: 'string', pattern: '^[a-z]+$' },
        broken: { type: 'string', pattern: '(' },
        template: {
          type: 'object',
          properties: { containers: { type: 'array', items: { allOf: [{ $ref: '#/components/schemas/Container' }] } } },
        },
      },
    },
  },
};

const base = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { replicas: 2, template: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] } },
});

const strict = { unknownFields: 'Strict' as const };

describe('validateAgainstSchema', () => {
  it('accepts a well-formed object', () => {
    expect(validateAgainstSchema(base(), root, resolve, strict)).toEqual({ causes: [], unknownFields: [] });
  });

  it('reports a wrong type like apiextensions does', () => {
    const obj = base() as Record<string, unknown>;
    (obj.spec as Record<string, unknown>).replicas = 'three';
    expect(validateAgainstSchema(obj, root, resolve, strict).causes).toEqual([
      { reason: 'FieldValueTypeInvalid', field: 'spec.replicas', message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"' },
    ]);
  });

  it('treats a fractional number as a non-integer', () => {
    const obj = base();
    (obj.spec as Record<string, unknown>).replicas = 1.5;
    expect(validateAgainstSchema(obj, root, resolve, strict).causes[0].message).toBe('Invalid value: "number": spec.replicas in body must be of type integer: "number"');
  });

  it('reports required fields with Kubernetes paths', () => {
    const obj = base();
    delete (obj.spec.template.containers[0] as Partial<{ name: string }>).name;
    expect(validateAgainstSchema(obj, root, resolve, strict).causes).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.template.containers[0].name', message: 'Required value' },
    ]);
  });

  it('reports enum violations as NotSupported', () => {
    const obj = base();
    (obj.spec.template.containers[0] as Record<string, unknown>).imagePullPolicy = 'Sometimes';
    expect(validateAgainstSchema(obj, root, resolve, strict).causes).toEqual([
      {
        reason: 'FieldValueNotSupported',
        field: 'spec.template.containers[0].imagePullPolicy',
        message: 'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
      },
    ]);
  });

  it('accepts int-or-string and quantities, rejects other types', () => {
    const obj = base() as { spec: Record<string, unknown> };
    obj.spec.maxSurge = '25%';
    obj.spec.cpu = 0.5;
    expect(validateAgainstSchema(obj, root, resolve, strict).causes).toEqual([]);
    obj.spec.maxSurge = true;
    expect(validateAgainstSchema(obj, root, resolve, strict).causes[0]).toMatchObject({
      field: 'spec.maxSurge',
      message: 'Invalid value: "boolean": spec.maxSurge in body must be of type integer,string: "boolean"',
    });
  });

  it('checks the int32 range', () => {
    const obj = base();
    obj.spec.template.containers[0].ports[0].containerPort = 2 ** 31;
    expect(validateAgainstSchema(obj, root, resolve, strict).causes[0]).toMatchObject({
      reason: 'FieldValueInvalid',
      field: 'spec.template.containers[0].ports[0].containerPort',
    });
  });

  it('collects unknown fields with full paths; Strict turns them into causes', () => {
    const obj = base() as Record<string, unknown> & ReturnType<typeof base>;
    (obj.spec.template.containers[0] as Record<string, unknown>).imagePullPolicyy = 'Always';
    (obj.spec as Record<string, unknown>).foo = 1;
    const r = validateAgainstSchema(obj, root, resolve, strict);
    expect(r.unknownFields).toEqual(['spec.template.containers[0].imagePullPolicyy', 'spec.foo']);
    expect(r.causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.template.containers[0].imagePullPolicyy', message: 'unknown field "spec.template.containers[0].imagePullPolicyy"' },
      { reason: 'FieldValueInvalid', field: 'spec.foo', message: 'unknown field "spec.foo"' },
    ]);
  });

  it('Warn returns unknown fields without causes; Ignore drops them', () => {
    const obj = base() as { spec: Record<string, unknown> };
    obj.spec.foo = 1;
    expect(validateAgainstSchema(obj, root, resolve, { unknownFields: 'Warn' })).toEqual({ causes: [], unknownFields: ['spec.foo'] });
    expect(validateAgainstSchema(obj, root, resolve, { unknownFields: 'Ignore' })).toEqual({ causes: [], unknownFields: [] });
  });

  it('never flags content under preserve-unknown-fields or free-form objects', () => {
    const obj = base() as { spec: Record<string, unknown> };
    obj.spec.raw = { anything: { goes: [1] } };
    obj.spec.fields = { 'f:metadata': {} };
    expect(validateAgainstSchema(obj, root, resolve, strict)).toEqual({ causes: [], unknownFields: [] });
  });

  it('checks map values through additionalProperties and treats null as absent', () => {
    const obj = base() as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    obj.metadata.labels = { app: 3 };
    obj.spec.replicas = null;
    expect(validateAgainstSchema(obj, root, resolve, strict).causes).toEqual([
      { reason: 'FieldValueTypeInvalid', field: 'metadata.labels.app', message: 'Invalid value: "integer": metadata.labels.app in body must be of type string: "integer"' },
    ]);
  });

  it('checks string patterns; a pattern that does not compile rejects nothing', () => {
    const obj = base() as { spec: Record<string, unknown> };
    obj.spec.host = 'web';
    obj.spec.broken = 'anything';
    expect(validateAgainstSchema(obj, root, resolve, strict).causes).toEqual([]);
    obj.spec.host = 'Web-1';
    expect(validateAgainstSchema(obj, root, resolve, strict).causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.host', message: `Invalid value: "Web-1": spec.host in body should match '^[a-z]+$'` },
    ]);
  });

  it('on an update, skips what is the stored object itself (same reference) and checks what changed', () => {
    // A value that could never have been stored, to see whether it is walked again.
    const stored = base() as ReturnType<typeof base> & { spec: Record<string, unknown> };
    stored.spec.replicas = 'two' as unknown as number;
    const replicasWrong = { reason: 'FieldValueTypeInvalid', field: 'spec.replicas', message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"' };
    // A status-style write: new metadata, the stored spec kept by reference.
    const shared = { ...stored, metadata: { ...stored.metadata, labels: { app: 'web', tier: 'x' } }, spec: stored.spec };
    expect(validateAgainstSchema(shared, root, resolve, { ...strict, old: stored }).causes).toEqual([]);
    // A deep-equal copy is a new value: walked, found.
    const copied = { ...stored, spec: structuredClone(stored.spec) };
    expect(validateAgainstSchema(copied, root, resolve, { ...strict, old: stored }).causes).toEqual([replicasWrong]);
    // Sharing one level down: the shared template is skipped, the changed sibling is checked.
    const template = { containers: [{ image: 'nginx' }] }; // no name: required
    const old2 = { ...base(), spec: { replicas: 1, template } };
    const next = { ...old2, spec: { replicas: 2 ** 31, template } };
    expect(validateAgainstSchema(next, root, resolve, { ...strict, old: old2 }).causes.map((c) => c.field)).toEqual(['spec.replicas']);
    expect(validateAgainstSchema(next, root, resolve, strict).causes.map((c) => c.field)).toEqual(['spec.replicas', 'spec.template.containers[0].name']);
  });

  it('prunes unknown fields everywhere, shared with the stored object or not', () => {
    const stored = base() as ReturnType<typeof base> & { spec: Record<string, unknown> };
    const next = { ...stored, spec: stored.spec };
    stored.spec.foo = 1;
    const r = validateAgainstSchema(next, root, resolve, { unknownFields: 'Warn', prune: true, old: stored });
    expect(r.unknownFields).toEqual(['spec.foo']);
    expect(next.spec).not.toHaveProperty('foo');
  });
});
