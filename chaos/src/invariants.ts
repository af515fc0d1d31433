// The end-of-run checks. Each returns its violations (empty = holds) and a short detail for the table.
import { readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { connect, DeliverPolicy } from 'nats';
import { decodeEnvelope, EVENTS_STREAM, REGISTRY_PREFIX } from '@keelson/bus';
import type { Api, List, Obj } from './api';
import type { BackendAccess } from './driver';
import { NAMESPACE, type WriteRecord } from './workload';

/** `measuredOnly`: a timing bound printed but not failing the run (ChaosOptions.timing `report`). */
export interface CheckResult { name: string; violations: string[]; detail: string; measuredOnly?: boolean }

const isReady = (p: Obj): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Every acknowledged write readable with its last acknowledged value (or a later, unacknowledged one: its outcome was unknown). */
export async function checkWrites(api: Api, writes: WriteRecord[]): Promise<CheckResult> {
  const byKey = new Map<string, WriteRecord[]>();
  for (const w of writes) byKey.set(w.key, [...(byKey.get(w.key) ?? []), w]);
  const violations: string[] = [];
  let acked = 0;
  for (const [key, ws] of byKey) {
    const lastAcked = [...ws].reverse().find((w) => w.ackedAt !== undefined);
    acked += ws.filter((w) => w.ackedAt !== undefined).length;
    if (!lastAcked) continue;
    const cm = await api.retrying<Obj>('GET', `/api/v1/namespaces/${NAMESPACE}/configmaps/${key}`).catch((e: Error) => e);
    if (cm instanceof Error) { violations.push(`${key}: unreadable (${cm.message})`); continue; }
    const v = Number(cm.data?.value);
    const later = ws.filter((w) => w.value > lastAcked.value && w.ackedAt === undefined).map((w) => w.value);
    if (v !== lastAcked.value && !later.includes(v)) violations.push(`${key}: reads ${cm.data?.value}, last acknowledged ${lastAcked.value}`);
  }
  return { name: 'acknowledged writes readable with their last value', violations, detail: `${acked} acknowledged writes on ${byKey.size} ConfigMaps` };
}

export interface ClusterState { deployments: Obj[]; replicaSets: Obj[]; pods: Obj[]; nodes: Obj[] }

export async function readState(api: Api): Promise<ClusterState> {
  const [d, rs, p, n] = await Promise.all([
    api.retrying<List>('GET', '/apis/apps/v1/deployments'),
    api.retrying<List>('GET', '/apis/apps/v1/replicasets'),
    api.retrying<List>('GET', '/api/v1/pods'),
    api.retrying<List>('GET', '/api/v1/nodes'),
  ]);
  return { deployments: d.items, replicaSets: rs.items, pods: p.items, nodes: n.items };
}

/** Each Deployment has exactly spec.replicas Ready pods, all of its latest template, and nothing else. */
export function checkDeployments(s: ClusterState): CheckResult {
  const violations: string[] = [];
  const workload = s.deployments.filter((d) => d.metadata.namespace === NAMESPACE);
  for (const d of workload) {
    const want = d.spec?.replicas ?? 1;
    const revision = d.metadata.annotations?.['deployment.kubernetes.io/revision'];
    const mine = s.replicaSets.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.controller && o.uid === d.metadata.uid));
    const latest = mine.filter((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === revision);
    const id = `${d.metadata.name}`;
    if (latest.length !== 1) { violations.push(`${id}: ${latest.length} ReplicaSets of revision ${revision}`); continue; }
    const latestUid = latest[0].metadata.uid;
    const mineUids = new Set(mine.map((rs) => rs.metadata.uid));
    const pods = s.pods.filter((p) => !p.metadata.deletionTimestamp && p.metadata.ownerReferences?.some((o) => o.controller && mineUids.has(o.uid)));
    const current = pods.filter((p) => p.metadata.ownerReferences?.some((o) => o.uid === latestUid));
    const ready = current.filter(isReady);
    if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) violations.push(`${id}: observedGeneration ${d.status?.observedGeneration} < generation ${d.metadata.generation}`);
    if (pods.length !== want || ready.length !== want) violations.push(`${id}: want ${want}, has ${pods.length} pods, ${ready.length} Ready of the latest template`);
  }
  return { name: 'each Deployment has `replicas` Ready pods of its latest template', violations, detail: `${workload.length} Deployments, ${s.pods.filter((p) => p.metadata.namespace === NAMESPACE).length} pods` };
}

/** No pod (and no ReplicaSet) whose controller owner no longer exists. */
export function checkOwners(s: ClusterState): CheckResult {
  const uids = new Set([...s.deployments, ...s.replicaSets].map((o) => o.metadata.uid));
  const violations: string[] = [];
  for (const o of [...s.pods, ...s.replicaSets]) {
    const owner = o.metadata.ownerReferences?.find((r) => r.controller);
    if (owner && (owner.kind === 'ReplicaSet' || owner.kind === 'Deployment') && !uids.has(owner.uid)) violations.push(`${o.metadata.namespace}/${o.metadata.name}: owner ${owner.kind}/${owner.name} is gone`);
  }
  return { name: 'no pod without a live owner', violations, detail: `${s.pods.length} pods, ${s.replicaSets.length} ReplicaSets` };
}

export function checkDuplicateNames(s: ClusterState): CheckResult {
  const seen = new Set<string>();
  const violations: string[] = [];
  for (const p of s.pods) {
    const k = `${p.metadata.namespace}/${p.metadata.name}`;
    if (seen.has(k)) violations.push(`duplicate pod ${k}`);
    seen.add(k);
  }
  const uids = new Set<string>();
  for (const p of s.pods) { if (uids.has(p.metadata.uid)) violations.push(`duplicate uid ${p.metadata.uid}`); uids.add(p.metadata.uid); }
  return { name: 'no duplicate pod names', violations, detail: `${seen.size} names` };
}

export function checkNodes(s: ClusterState): CheckResult {
  const nodes = new Set(s.nodes.map((n) => n.metadata.name));
  const violations = s.pods.filter((p) => p.spec?.nodeName && !nodes.has(p.spec.nodeName)).map((p) => `${p.metadata.namespace}/${p.metadata.name} on gone node ${p.spec?.nodeName}`);
  return { name: 'no pod bound to a node that is gone', violations, detail: `${nodes.size} nodes` };
}

/**
 * The relay published every revision in the window once: etcd's history of /registry/ from
 * `fromRev` to `toRev` (a watch from a past revision replays it) against the events stream.
 */
export async function checkRelay(b: BackendAccess, fromRev: number, toRev: number, since: Date): Promise<CheckResult> {
  const name = 'relay published every revision (no gap, no duplicate)';
  if (!b.etcd || !b.nats) return { name, violations: ['not checked: no etcd/NATS access'], detail: '' };
  const etcd = new Etcd3({ hosts: b.etcd.endpoints, credentials: { rootCertificate: readFileSync(b.etcd.caFile), certChain: readFileSync(b.etcd.certFile), privateKey: readFileSync(b.etcd.keyFile) } });
  const want = new Set<string>();
  try {
    const watcher = await etcd.watch().prefix(REGISTRY_PREFIX).startRevision(String(fromRev)).create();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`etcd history incomplete after 120 s`)), 120_000);
      watcher.on('data', (res) => {
        for (const ev of res.events) {
          const rev = Number(ev.kv.mod_revision);
          if (rev <= toRev) want.add(`${rev}/${ev.kv.key.toString()}`);
        }
        if (Number(res.header.revision) >= toRev && res.events.some((e) => Number(e.kv.mod_revision) >= toRev)) { clearTimeout(timer); resolve(); }
      });
      watcher.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
    await watcher.cancel();
  } finally {
    etcd.close();
  }
  // ignoreClusterUpdates: the servers' gossiped addresses (nats-2:4222...) mean nothing outside a compose network.
  const nc = await connect({ servers: b.nats.servers, user: b.nats.user, pass: b.nats.password, inboxPrefix: b.nats.inboxPrefix, tls: { caFile: b.nats.caFile }, ignoreClusterUpdates: true });
  const got = new Map<string, number>();
  const resyncs: number[] = [];
  try {
    const js = nc.jetstream();
    // Events published from a minute before the run on (the relay may publish the window's first revision late).
    const consumer = await js.consumers.get(EVENTS_STREAM, { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(since.getTime() - 60_000).toISOString() });
    const info = await (await nc.jetstreamManager()).streams.info(EVENTS_STREAM);
    const last = info.state.last_seq;
    const msgs = await consumer.consume();
    for await (const m of msgs) {
      const env = decodeEnvelope(m.data);
      if (env.revision >= fromRev && env.revision <= toRev) {
        if (env.type === 'RESYNC') resyncs.push(env.revision);
        else if (env.key) got.set(`${env.revision}/${env.key}`, (got.get(`${env.revision}/${env.key}`) ?? 0) + 1);
      }
      if (m.seq >= last) break;
    }
  } finally {
    await nc.close();
  }
  const violations: string[] = [];
  const missing = [...want].filter((k) => !got.has(k));
  const extra = [...got.keys()].filter((k) => !want.has(k));
  const dups = [...got].filter(([, n]) => n > 1).map(([k]) => k);
  if (missing.length) violations.push(`${missing.length} changes never published, e.g. ${missing.slice(0, 3).join(', ')}`);
  if (dups.length) violations.push(`${dups.length} changes published twice, e.g. ${dups.slice(0, 3).join(', ')}`);
  if (extra.length) violations.push(`${extra.length} events for no etcd change, e.g. ${extra.slice(0, 3).join(', ')}`);
  if (resyncs.length) violations.push(`${resyncs.length} RESYNC events in the window (revisions ${resyncs.slice(0, 3).join(', ')})`);
  return { name, violations, detail: `${want.size} changes in revisions ${fromRev}..${toRev}` };
}
