import { toObjectChange } from '../src/relay/change';
import type { RawKeyValue } from '@keelson/storage';

const kv = (key: string, value: object | string, create: number, mod: number): RawKeyValue => ({
  key: Buffer.from(key), value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  create_revision: create, mod_revision: mod,
});
const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' } };
const KEY = '/registry/core/configmaps/default/a';

describe('etcd event → object change', () => {
  test('a put that created the key is ADDED, with resourceVersion = its revision', () => {
    const c = toObjectChange({ type: 'Put', kv: kv(KEY, cm, 5, 5)});
    expect(c).toEqual({ type: 'ADDED', key: KEY, revision: 5, object: { ...cm, metadata: { ...cm.metadata, resourceVersion: '5' } } });
  });

  test('a later put is MODIFIED', () => {
    expect(toObjectChange({ type: 'Put', kv: kv(KEY, cm, 5, 9), prev_kv: kv(KEY, cm, 5, 5) }).type).toBe('MODIFIED');
  });

  test('DELETED carries the previous value at the delete revision', () => {
    const del = { ...kv(KEY, '', 0, 12), value: Buffer.alloc(0) };
    const c = toObjectChange({ type: 'Delete', kv: del, prev_kv: kv(KEY, cm, 5, 9) });
    expect(c).toEqual({ type: 'DELETED', key: KEY, revision: 12, object: { ...cm, metadata: { ...cm.metadata, resourceVersion: '12' } } });
  });

  test('a delete without prevKv still names the object', () => {
    const c = toObjectChange({ type: 'Delete', kv: kv(KEY, '', 0, 12)});
    expect(c.object.metadata).toEqual({ name: 'a', namespace: 'default', resourceVersion: '12' });
  });

  test('objects travel without managedFields, puts and deletes alike; everything else is kept', () => {
    const managed = { ...cm, metadata: { ...cm.metadata, labels: { a: 'b' }, managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }] }, data: { x: '1' } };
    const put = toObjectChange({ type: 'Put', kv: kv(KEY, managed, 5, 5)});
    expect(put.object).toEqual({ ...cm, metadata: { ...cm.metadata, labels: { a: 'b' }, resourceVersion: '5' }, data: { x: '1' } });
    const del = toObjectChange({ type: 'Delete', kv: { ...kv(KEY, '', 0, 12), value: Buffer.alloc(0) }, prev_kv: kv(KEY, managed, 5, 9) });
    expect(del.object.metadata).toEqual({ ...cm.metadata, labels: { a: 'b' }, resourceVersion: '12' });
  });

  test('a value that is not an object is an error (the relay logs and skips it)', () => {
    expect(() => toObjectChange({ type: 'Put', kv: kv(KEY, 'not json', 1, 1)})).toThrow();
  });
});
