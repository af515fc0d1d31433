// Shared by the relay integration tests: who leads, reading the whole events stream back,
// and paced etcd writes that record the revision of every put.
import type { Etcd3 } from 'etcd3';
import { connect, type NatsConnection } from 'nats';
import { decodeEnvelope, EVENTS_STREAM, HEADERS, type EventEnvelope } from '@keelson/bus';
import type { ControlPlane, GatewayReplica } from '@keelson/testing';

export const LEADER_KEY = '/keelson/leader/relay';

export interface StreamEvent {
  seq: number;
  subject: string;
  msgId: string;
  revisionHeader: number;
  envelope: EventEnvelope;
  /** When the stream stored it, ms since the epoch. */
  storedAtMs: number;
}

export async function connectAs(cp: ControlPlane, service: string): Promise<NatsConnection> {
  return connect(cp.nats!.connectOptions(service)); // TLS and the user's own inbox prefix, as services connect
}

/** The replica whose pid is in the leader key (value `host/pid/random`), if it runs. */
export async function leader(client: Etcd3, replicas: GatewayReplica[]): Promise<GatewayReplica | undefined> {
  const value = await client.get(LEADER_KEY).string();
  const pid = value ? Number(value.split('/')[1]) : undefined;
  return replicas.find((r) => r.pid() !== undefined && r.pid() === pid);
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function lastStreamRevision(nc: NatsConnection): Promise<number> {
  const jsm = await nc.jetstreamManager();
  const { state } = await jsm.streams.info(EVENTS_STREAM);
  if (state.messages === 0) return 0;
  const m = await jsm.streams.getMessage(EVENTS_STREAM, { seq: state.last_seq });
  return Number(m.header.get(HEADERS.revision));
}

/** Every message in the stream, in stream order, through an ordered consumer. */
export async function readStream(nc: NatsConnection): Promise<StreamEvent[]> {
  const jsm = await nc.jetstreamManager();
  const total = (await jsm.streams.info(EVENTS_STREAM)).state.last_seq;
  const consumer = await nc.jetstream().consumers.get(EVENTS_STREAM);
  const out: StreamEvent[] = [];
  while (out.length < total) {
    const batch = await consumer.fetch({ max_messages: 2000, expires: 2000 });
    let got = 0;
    for await (const m of batch) {
      got++;
      out.push({ seq: m.seq, subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id') ?? '', revisionHeader: Number(m.headers?.get(HEADERS.revision)), envelope: decodeEnvelope(m.data), storedAtMs: m.info.timestampNanos / 1e6 });
    }
    if (got === 0) break;
  }
  return out;
}

export const configMap = (name: string, i: number): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', uid: `uid-${name}` }, data: { i: String(i) } });

/** `count` puts to `keyOf(i)` at about `perSecond`, `concurrency` at a time; returns key → revisions. */
export async function pacedPuts(client: Etcd3, count: number, perSecond: number, concurrency: number, keyOf: (i: number) => string, onProgress?: (done: number) => void): Promise<Map<string, number[]>> {
  const written = new Map<string, number[]>();
  const t0 = Date.now();
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const due = t0 + (i * 1000) / perSecond;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const key = keyOf(i);
      const res = await client.put(key).value(configMap(key.split('/').pop()!, i)).exec();
      const list = written.get(key) ?? [];
      list.push(Number(res.header.revision));
      written.set(key, list);
      onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  for (const list of written.values()) list.sort((a, b) => a - b);
  return written;
}
