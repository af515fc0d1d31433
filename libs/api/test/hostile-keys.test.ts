// Unknown fields of built-in kinds are dropped as decoding drops them (issue 9, defect 6), and
// keys named like Object.prototype members are ordinary keys (defect 10).
import { dropUnknownFields } from '../src/validation/unknown-fields';
import { validateObject } from '../src/validation/objects';
import { BUILTIN_RESOURCES, type ResourceInfo } from '../src/registry';
import { resolveSchema, schemaForKind } from '../src/schema';
import { parseFieldSelector, parseLabelSelector } from '../src/selectors';
import { applyJsonMergePatch, applyJsonPatch, applyStrategicMergePatch } from '../src/patch';
import type { KubeObject } from '../src/types';

const info = (resource: string): ResourceInfo => BUILTIN_RESOURCES.find((x) => x.resource === resource && x.group === '')!;
const cmSchema = schemaForKind('', 'v1', 'ConfigMap');
const podSchema = schemaForKind('', 'v1', 'Pod');

/** Objects as the wire gives them: JSON.parse makes `__proto__` an own key, as any decoder must. */
const wire = (json: string): KubeObject => JSON.parse(json);
const own = (o: unknown, k: string) => Object.getOwnPropertyDescriptor(o, k)?.value;

describe('dropUnknownFields', () => {
  const body = () =>
    wire('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"d","extra":1},"bogus":"x","spec":{"containers":[{"name":"c","image":"i","imagePullPolicyy":"Always"}],"constructor":{}}}');

  test('Warn drops every field the schema does not declare and names each', () => {
    const obj = body();
    const r = dropUnknownFields(obj, info('pods'), { resolve: resolveSchema, schema: podSchema, unknownFields: 'Warn' });
    expect(r.causes).toEqual([]);
    expect(r.warnings.sort()).toEqual(['unknown field "bogus"', 'unknown field "metadata.extra"', 'unknown field "spec.constructor"', 'unknown field "spec.containers[0].imagePullPolicyy"']);
    expect(obj).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd' }, spec: { containers: [{ name: 'c', image: 'i' }] } });
    expect(Object.hasOwn(obj.spec!, 'constructor')).toBe(false);
  });

  test('Ignore drops silently; Strict keeps the object and refuses each field', () => {
    const ignored = body();
    expect(dropUnknownFields(ignored, info('pods'), { resolve: resolveSchema, schema: podSchema, unknownFields: 'Ignore' })).toMatchObject({ causes: [], warnings: [] });
    expect(ignored).not.toHaveProperty('bogus');
    const strict = body();
    const r = dropUnknownFields(strict, info('pods'), { resolve: resolveSchema, schema: podSchema, unknownFields: 'Strict' });
    expect(r.causes).toContainEqual({ reason: 'FieldValueInvalid', message: 'unknown field "bogus"', field: 'bogus' });
    expect(r.causes).toHaveLength(4);
    expect(strict).toHaveProperty('bogus', 'x');
  });

  test('map keys (data, labels) are content, never unknown fields', () => {
    const cm = wire('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"constructor":"v"}},"data":{"__proto__":"a","toString":"b"}}');
    const r = dropUnknownFields(cm, info('configmaps'), { resolve: resolveSchema, schema: cmSchema, unknownFields: 'Strict' });
    expect(r.causes).toEqual([]);
    expect(own(cm.data, '__proto__')).toBe('a');
  });
});

describe('prototype-named keys', () => {
  const KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
  const cm = () =>
    wire(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"d","labels":{"constructor":"v","toString":"w"}},"data":{${KEYS.map((k) => `"${k}":"x"`).join(',')}}}`);

  test('a ConfigMap with them validates (no "duplicate of key present in binaryData")', () => {
    expect(validateObject(cm(), info('configmaps'), { resolve: resolveSchema, schema: cmSchema, unknownFields: 'Strict' }).causes).toEqual([]);
  });

  test('label selectors lex them as identifiers and match own labels only', () => {
    const labels = { constructor: 'v', toString: 'w' };
    expect(parseLabelSelector('constructor=v').matches(labels)).toBe(true);
    expect(parseLabelSelector('toString in (w),constructor').matches(labels)).toBe(true);
    expect(parseLabelSelector('!valueOf').matches(labels)).toBe(true);
    expect(parseLabelSelector('hasOwnProperty').matches(labels)).toBe(false);
    expect(parseLabelSelector('constructor').matches({})).toBe(false);
  });

  test('field selectors: a prototype member is no supported field label', () => {
    expect(() => parseFieldSelector('constructor=x', 'configmaps')).toThrow(/not a known field selector/);
    expect(() => parseFieldSelector('toString=x', 'pods')).toThrow(/field label not supported/);
    expect(parseFieldSelector('metadata.name=c', 'configmaps').matches(cm())).toBe(true);
  });

  test('patches of every type set and remove them as own keys', () => {
    const merged = applyJsonMergePatch(cm(), wire('{"data":{"__proto__":"m","constructor":null}}')) as KubeObject;
    expect(own(merged.data, '__proto__')).toBe('m');
    expect(Object.hasOwn(merged.data!, 'constructor')).toBe(false);
    const smp = applyStrategicMergePatch(cm(), wire('{"data":{"toString":"s","__proto__":"p"}}'), cmSchema, resolveSchema) as KubeObject;
    expect([own(smp.data, 'toString'), own(smp.data, '__proto__')]).toEqual(['s', 'p']);
    expect(Object.getPrototypeOf(smp.data)).toBe(Object.prototype);
    const jp = applyJsonPatch(cm(), wire('[{"op":"replace","path":"/data/hasOwnProperty","value":"j"},{"op":"remove","path":"/data/valueOf"}]')) as KubeObject;
    expect(own(jp.data, 'hasOwnProperty')).toBe('j');
    expect(Object.hasOwn(jp.data!, 'valueOf')).toBe(false);
    expect(() => applyJsonPatch(wire('{"data":{}}'), wire('[{"op":"replace","path":"/data/toString","value":"j"}]'))).toThrow();
  });
});
