// `npm run bench -- events`: etcd commit → informer handler latency through the relay and
// NATS JetStream, side by side with a raw etcd watch on the same writes, in one run:
//   1. latency at 1,000 writes/s (p50/p99 for both paths; the relay's added p99), in
//      KEELSON_BENCH_EVENTS_RUNS (5) runs: the median run's figures, and the spread of all;
//      where the relay path's time goes, per write: etcd → gateway → NATS publish (a plain NATS
//      subscriber on the subject, which sees the publish before JetStream stores it) and
//      JetStream → informer, each as this write's latency minus the hop before it;
//   1b. the same runs while the API serves creates (KEELSON_BENCH_EVENTS_API_LOAD_RATE, 300/s):
//      the relay shares the gateway's process with the API, as during a rollout;
//   2. step the write rate up until events are lost or lag keeps growing: the highest
//      sustained rate with no loss;
//   3. the API's own write rate (configmap creates at 16 in flight), for the ratio.
// Writes go straight to etcd under /registry/core/configmaps/default/ with the time of the
// put (performance.now(), same process) in the object, so both observers measure put → callback.
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'node:https';
import { Etcd3 } from 'etcd3';
import { connect } from 'nats';
import { BUILTIN_RESOURCES, type KubeObject } from '@keelson/api';
import { decodeEnvelope, eventSubject } from '@keelson/bus';
import { KeelsonClient } from '@keelson/client';
import { Informer } from '@keelson/controller-runtime';
import { createLogger } from '@keelson/telemetry';
import { startControlPlane } from '@keelson/testing';
import { measure, percentile, printTable, round, writeResult } from './stats';

const env = (name: string, dflt: number): number => Number(process.env[name] ?? dflt);
const LATENCY_RATE = env('KEELSON_BENCH_EVENTS_RATE', 1000);
const LATENCY_SECONDS = env('KEELSON_BENCH_EVENTS_SECONDS', 5);
const STEP_SECONDS = env('KEELSON_BENCH_EVENTS_STEP_SECONDS', 3);
const STEPS = (process.env.KEELSON_BENCH_EVENTS_STEPS ?? '1000,2000,3000,4000,5000,6000,8000').split(',').map(Number);
const API_OPS = env('KEELSON_BENCH_EVENTS_API_OPS', 2000);
const LATENCY_RUNS = env('KEELSON_BENCH_EVENTS_RUNS', 5);
const API_LOAD_RATE = env('KEELSON_BENCH_EVENTS_API_LOAD_RATE', 300); // creates/s through the API during the loaded runs
const DRAIN_MS = 3000; // how long after the last write an event may still arrive
const LAG_LIMIT_MS = 1000; // a p99 above this means the consumer is falling behind
const MAX_IN_FLIGHT = 256;
const PREFIX = '/registry/core/configmaps/default/';
const CONFIGMAPS = BUILTIN_RESOURCES.find((r) => r.resource === 'configmaps')!;

/** Latencies per observer, by configmap name, for one phase. */
class Phase {
  readonly informer = new Map<string, number>();
  readonly watch = new Map<string, number>();
  /** The relay's publish, seen by a plain NATS subscriber. */
  readonly published = new Map<string, number>();
  constructor(readonly prefix: string) {}
  record(into: Map<string, number>, name: string, sentAt: number): void {
    if (name.startsWith(this.prefix) && !into.has(name)) into.set(name, performance.now() - sentAt);
  }
}

function configMap(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name, namespace: 'default', uid: `bench-${name}`, creationTimestamp: new Date().toISOString() },
    data: { sentAt: String(performance.now()), payload: 'x'.repeat(200) },
  });
}

/** Puts `rate`/s for `seconds`, paced on a 5 ms tick; returns the rate actually achieved. */
async function drive(etcd: Etcd3, prefix: string, rate: number, seconds: number): Promise<{ writes: number; per_s: number }> {
  const total = Math.round(rate * seconds);
  const started = performance.now();
  let issued = 0;
  let inFlight = 0;
  let failed: unknown;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
      while (issued < due && inFlight < MAX_IN_FLIGHT) {
        const name = `${prefix}${issued++}`;
        inFlight++;
        etcd.put(PREFIX + name).value(configMap(name)).then(
          () => {
            inFlight--;
            if (issued === total && inFlight === 0) resolve();
          },
          (err: unknown) => {
            failed = err;
            inFlight--;
          },
        );
      }
      if (issued < total) setTimeout(tick, 5);
    };
    tick();
  });
  if (failed) throw failed;
  return { writes: total, per_s: round(total / ((performance.now() - started) / 1000)) };
}

/** Waits until both observers saw `n` events of the phase, or the drain time passes. */
async function drain(phase: Phase, n: number): Promise<void> {
  const end = performance.now() + DRAIN_MS;
  while ((phase.informer.size < n || phase.watch.size < n) && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
}

function stats(values: Iterable<number>): { p50_ms: number; p99_ms: number; max_ms: number } {
  const v = [...values].sort((a, b) => a - b);
  return { p50_ms: round(percentile(v, 50)), p99_ms: round(percentile(v, 99)), max_ms: round(v[v.length - 1] ?? NaN) };
}

/** Per write seen by both: `later` minus `earlier` (how long the hop between them took for that write). */
function hop(later: Map<string, number>, earlier: Map<string, number>): { p50_ms: number; p99_ms: number; max_ms: number } {
  const d: number[] = [];
  for (const [name, t] of later) {
    const e = earlier.get(name);
    if (e !== undefined) d.push(t - e);
  }
  return stats(d);
}

/** The run with the median added p99, and every run's added p99. */
function medianRun<T extends { added_p99_ms: number }>(runs: T[]): { median: T; spread: { min_ms: number; max_ms: number; runs_ms: number[] } } {
  const byAdded = [...runs].sort((a, b) => a.added_p99_ms - b.added_p99_ms);
  return {
    median: byAdded[Math.floor((byAdded.length - 1) / 2)],
    spread: { min_ms: byAdded[0].added_p99_ms, max_ms: byAdded[byAdded.length - 1].added_p99_ms, runs_ms: runs.map((r) => r.added_p99_ms) },
  };
}

/** Calls `create(i)` `rate` times a second (paced on a 5 ms tick, at most 64 in flight) until `stopped()`. */
async function apiLoad(rate: number, stopped: () => boolean, create: (i: number) => Promise<void>, count: { creates: number; failed: number }): Promise<void> {
  const started = performance.now();
  let issued = 0;
  let inFlight = 0;
  while (!stopped()) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (issued < due && inFlight < 64) {
      inFlight++;
      create(issued++).then(() => void count.creates++, () => void count.failed++).finally(() => void inFlight--);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 5));
}

/** p99 of the last third of a phase's latencies in write order (growing lag shows here). */
function tailP99(lat: Map<string, number>, prefix: string, n: number): number {
  const tail: number[] = [];
  for (let i = Math.floor((2 * n) / 3); i < n; i++) {
    const v = lat.get(`${prefix}${i}`);
    if (v !== undefined) tail.push(v);
  }
  return round(percentile(tail.sort((a, b) => a - b), 99));
}

function apiCreate(agent: Agent, url: string, token: string, ca: string, name: string): Promise<void> {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { payload: 'x'.repeat(200) } });
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v1/namespaces/default/configmaps`, { method: 'POST', agent, ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function runEventsBench(): Promise<void> {
  // KEELSON_BENCH_GATEWAY_NODE_ARGS: node flags for the gateway (as in the deploy bench), e.g. `--trace-gc`.
  const cp = await startControlPlane({ nats: true, services: ['bench'], nodeArgs: process.env.KEELSON_BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) });
  const etcd = new Etcd3(cp.etcd.clientOptions);
  const watchClient = new Etcd3(cp.etcd.clientOptions);
  const nats = await connect(cp.nats!.connectOptions('bench')); // TLS and its own inbox prefix, as a service connects
  // The informer's list goes through the API as the admin: the `bench` service account has no
  // RBAC role (since the API authorizes every request), so its list was refused and the informer
  // never synced. Its events still come over NATS as the `bench` user.
  const client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
  const informer = new Informer<KubeObject>({ client, nats, resource: CONFIGMAPS, namespace: 'default', logger: createLogger('bench', { level: 'warn' }) });
  let phase = new Phase('none');
  const sentAt = (o: KubeObject): number => Number((o.data as Record<string, string> | undefined)?.sentAt);
  informer.addEventHandler({
    onAdd: (o) => phase.record(phase.informer, o.metadata.name!, sentAt(o)),
    onUpdate: (_old, o) => phase.record(phase.informer, o.metadata.name!, sentAt(o)),
  });
  const watcher = await watchClient.watch().prefix(PREFIX).create();
  watcher.on('put', (kv) => {
    const o = JSON.parse(kv.value.toString()) as KubeObject;
    phase.record(phase.watch, o.metadata.name!, sentAt(o));
  });
  await informer.start();
  // The same events as a plain subscriber gets them, the moment the relay publishes.
  const published = nats.subscribe(eventSubject(CONFIGMAPS.group, CONFIGMAPS.resource, 'default'));
  void (async () => {
    for await (const m of published) {
      const o = decodeEnvelope(m.data).object;
      if (o) phase.record(phase.published, o.metadata.name!, sentAt(o));
    }
  })();

  try {
    // Warm-up (JIT, connections, the relay's first batches); not measured.
    phase = new Phase('warm-');
    await drain(phase, (await drive(etcd, 'warm-', 500, 1)).writes);

    // 1. Latency at the target rate, LATENCY_RUNS times: the run with the median added p99 is
    // reported, with every run's added p99 (the spread). Then as many runs again while the API
    // serves creates at API_LOAD_RATE (the gateway busy as in a rollout: the relay shares its process).
    const latencyRun = async (prefix: string) => {
      phase = new Phase(prefix);
      const lat = await drive(etcd, prefix, LATENCY_RATE, LATENCY_SECONDS);
      await drain(phase, lat.writes);
      const inf = stats(phase.informer.values());
      const raw = stats(phase.watch.values());
      const pub = stats(phase.published.values());
      const toPublish = hop(phase.published, phase.watch);
      const toInformer = hop(phase.informer, phase.published);
      return {
        target_per_s: LATENCY_RATE, write_per_s: lat.per_s, writes: lat.writes,
        informer_received: phase.informer.size, watch_received: phase.watch.size,
        informer_p50_ms: inf.p50_ms, informer_p99_ms: inf.p99_ms, informer_max_ms: inf.max_ms,
        watch_p50_ms: raw.p50_ms, watch_p99_ms: raw.p99_ms, watch_max_ms: raw.max_ms,
        published_p50_ms: pub.p50_ms, published_p99_ms: pub.p99_ms,
        // Per write: the relay's publish after the raw watch saw it, and the informer after the publish.
        hop_publish_p50_ms: toPublish.p50_ms, hop_publish_p99_ms: toPublish.p99_ms,
        hop_jetstream_p50_ms: toInformer.p50_ms, hop_jetstream_p99_ms: toInformer.p99_ms,
        added_p99_ms: round(inf.p99_ms - raw.p99_ms),
      };
    };
    const runs = [];
    for (let r = 0; r < LATENCY_RUNS; r++) runs.push(await latencyRun(`lat${r}-`));
    const { median: latency, spread: addedSpread } = medianRun(runs);
    const loadAgent = new Agent({ keepAlive: true, maxSockets: 16 });
    const loadedRuns = [];
    const load = { creates: 0, failed: 0, seconds: 0 };
    for (let r = 0; r < LATENCY_RUNS; r++) {
      let stop = false;
      const started = performance.now();
      const creating = apiLoad(API_LOAD_RATE, () => stop, (i) => apiCreate(loadAgent, cp.url, cp.creds.adminToken, cp.creds.caPem, `load${r}-${i}`), load);
      loadedRuns.push(await latencyRun(`loaded${r}-`));
      stop = true;
      await creating;
      load.seconds += (performance.now() - started) / 1000;
    }
    loadAgent.destroy();
    const { median: loaded, spread: loadedSpread } = medianRun(loadedRuns);
    const apiLoadPerS = round(load.creates / load.seconds);

    // 2. Step the rate up until the informer loses events or falls behind.
    const steps = [];
    let sustained = 0;
    for (const target of STEPS) {
      const prefix = `step${target}-`;
      phase = new Phase(prefix);
      const w = await drive(etcd, prefix, target, STEP_SECONDS);
      await drain(phase, w.writes);
      const s = stats(phase.informer.values());
      const tail = tailP99(phase.informer, prefix, w.writes);
      const lost = w.writes - phase.informer.size;
      const ok = lost === 0 && tail < LAG_LIMIT_MS;
      steps.push({ target_per_s: target, write_per_s: w.per_s, writes: w.writes, informer_received: phase.informer.size, watch_received: phase.watch.size, lost, informer_p50_ms: s.p50_ms, informer_p99_ms: s.p99_ms, tail_p99_ms: tail, watch_p99_ms: stats(phase.watch.values()).p99_ms, sustained: ok });
      if (!ok) break;
      sustained = Math.max(sustained, w.per_s);
      if (w.per_s < target * 0.9) break; // the writer itself tops out: no higher step is reachable
    }

    // 3. The API's own write rate in this run.
    phase = new Phase('none');
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const api = await measure(API_OPS, 16, (i) => apiCreate(agent, cp.url, cp.creds.adminToken, cp.creds.caPem, `api-${i}`));
    agent.destroy();

    printTable(
      ['path', 'rate/s', 'received', 'p50 ms', 'p99 ms', 'max ms'],
      [
        ['raw etcd watch', latency.write_per_s, `${latency.watch_received}/${latency.writes}`, latency.watch_p50_ms, latency.watch_p99_ms, latency.watch_max_ms],
        ['relay+NATS informer', latency.write_per_s, `${latency.informer_received}/${latency.writes}`, latency.informer_p50_ms, latency.informer_p99_ms, latency.informer_max_ms],
      ],
    );
    process.stdout.write('\nwhere the relay path spends it, per write (median run; p50 / p99 ms):\n');
    printTable(
      ['hop', 'p50 ms', 'p99 ms'],
      [
        ['etcd → relay → NATS publish, after the raw watch', latency.hop_publish_p50_ms, latency.hop_publish_p99_ms],
        ['JetStream → informer handler, after the publish', latency.hop_jetstream_p50_ms, latency.hop_jetstream_p99_ms],
      ],
    );
    process.stdout.write(`\nthe same while the API serves ${apiLoadPerS} creates/s (target ${API_LOAD_RATE}; ${load.failed} failed), median run:\n`);
    printTable(
      ['path', 'p50 ms', 'p99 ms', 'max ms', 'hop to publish p99 ms'],
      [
        ['raw etcd watch', loaded.watch_p50_ms, loaded.watch_p99_ms, loaded.watch_max_ms, ''],
        ['relay+NATS informer', loaded.informer_p50_ms, loaded.informer_p99_ms, loaded.informer_max_ms, loaded.hop_publish_p99_ms],
      ],
    );
    process.stdout.write('\n');
    printTable(
      ['target/s', 'written/s', 'informer got', 'lost', 'inf p50 ms', 'inf p99 ms', 'tail p99 ms', 'watch p99 ms', 'sustained'],
      steps.map((s) => [s.target_per_s, s.write_per_s, s.informer_received, s.lost, s.informer_p50_ms, s.informer_p99_ms, s.tail_p99_ms, s.watch_p99_ms, s.sustained ? 'yes' : 'no']),
    );
    const ratio = round(sustained / api.per_s, 3);
    process.stdout.write(`\nadded p99 by relay+NATS: ${latency.added_p99_ms} ms, median of ${runs.length} runs (spread ${addedSpread.min_ms}–${addedSpread.max_ms} ms: ${addedSpread.runs_ms.join(', ')}) (goal ≤ 5)\nadded p99 under API load: ${loaded.added_p99_ms} ms, median of ${loadedRuns.length} runs (spread ${loadedSpread.min_ms}–${loadedSpread.max_ms} ms: ${loadedSpread.runs_ms.join(', ')})\nsustained with no loss: ${sustained}/s; API creates: ${api.per_s}/s (p99 ${api.p99_ms} ms); ratio ${ratio} (goal ≥ 0.8)\n`);
    const file = writeResult('events', {
      benchmark: 'events',
      latency,
      latency_runs: runs,
      added_p99_spread: addedSpread,
      under_api_load: { api_creates_per_s: apiLoadPerS, api_creates_failed: load.failed, latency: loaded, latency_runs: loadedRuns, added_p99_spread: loadedSpread },
      steps,
      sustained_per_s: sustained,
      api_per_s: api.per_s,
      api_p99_ms: api.p99_ms,
      ratio,
      goal_added_p99_ms: 5,
      goal_ratio: 0.8,
      goals_met: { added_p99: latency.added_p99_ms <= 5, ratio: ratio >= 0.8 },
    });
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    published.unsubscribe();
    await watcher.cancel();
    await informer.stop();
    await nats.drain().catch(() => undefined);
    client.close();
    etcd.close();
    watchClient.close();
    await cp.stop();
  }
}
