// Shared set-up for the storage integration tests: one etcd per test file.
import { Etcd3 } from 'etcd3';
import type { KubeObject } from '@keelson/api';
import { startEtcd, type EtcdServer } from '@keelson/testing';
import { StorageError } from '../src';

export interface EtcdFixture {
  server: EtcdServer;
  client: Etcd3;
}

export async function etcdFixture(): Promise<EtcdFixture> {
  const server = await startEtcd();
  return { server, client: new Etcd3(server.clientOptions) };
}

export async function closeFixture(f: EtcdFixture | undefined): Promise<void> {
  if (!f) return;
  f.client.close();
  await f.server.stop();
}

export const pod = (namespace: string, name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, uid: `uid-${namespace}-${name}` },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
  ...extra,
});

let counter = 0;
/** A fresh key prefix so tests in one file do not see each other's objects. */
export const uniquePrefix = (): string => `/registry/test${++counter}/pods/`;

export function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (cond()) return resolve();
      if (Date.now() > deadline) return reject(new Error('condition not met in time'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

/** The StorageError `p` rejects with (anything else fails the test). */
export async function storageError(p: Promise<unknown>): Promise<StorageError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StorageError) return e;
    throw e;
  }
  throw new Error('expected a StorageError');
}
