// Shared set-up for the storage integration tests: one etcd per test file.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
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

/**
 * A TCP proxy to `endpoint` (`https://host:port`, TLS passes through): `cut()` drops every
 * connection through it at once, as a network fault would; new connections are accepted again.
 */
export async function tcpProxy(endpoint: string): Promise<{ endpoint: string; cut(): void; cuts(): number; close(): Promise<void> }> {
  const target = new URL(endpoint);
  const open = new Set<Socket>();
  let cuts = 0;
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    const pair = [client, upstream];
    for (const s of pair) {
      open.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        open.delete(s);
        for (const other of pair) other.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    cut: () => {
      cuts += open.size;
      for (const s of open) s.destroy();
    },
    cuts: () => cuts,
    close: () => {
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
