// metav1.Time / MicroTime formatting and controller references, shared by every controller.
import { getControllerOf, metaTime, microTime, newControllerRef, type KubeObject } from '@keelson/api';

test('metaTime writes RFC 3339 with whole seconds, dropping (not rounding) the fraction', () => {
  expect(metaTime(new Date('2024-05-01T10:00:00.999Z'))).toBe('2024-05-01T10:00:00Z');
  expect(metaTime(Date.parse('2024-05-01T10:00:01.000Z'))).toBe('2024-05-01T10:00:01Z');
  expect(metaTime()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
});

test('microTime keeps microseconds', () => {
  expect(microTime(new Date('2024-05-01T10:00:00.123Z'))).toBe('2024-05-01T10:00:00.123000Z');
  expect(microTime(Date.parse('2024-05-01T10:00:00Z'))).toBe('2024-05-01T10:00:00.000000Z');
});

test('newControllerRef names the owner as controller, blocking its foreground deletion', () => {
  const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'default', uid: 'u1' } };
  expect(newControllerRef(rs, { apiVersion: 'apps/v1', kind: 'ReplicaSet' })).toEqual({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u1', controller: true, blockOwnerDeletion: true });
  expect(() => newControllerRef({ metadata: { name: 'x' } }, { apiVersion: 'apps/v1', kind: 'ReplicaSet' })).toThrow('the ReplicaSet has no uid yet');
});

test('getControllerOf finds the one reference with controller=true', () => {
  const owned = { metadata: { ownerReferences: [
    { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'c1' },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: 'r1', controller: true },
  ] } };
  expect(getControllerOf(owned)?.uid).toBe('r1');
  expect(getControllerOf({ metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'c1', controller: false }] } })).toBeUndefined();
  expect(getControllerOf({ metadata: {} })).toBeUndefined();
});
