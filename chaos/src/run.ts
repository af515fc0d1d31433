// `npm run chaos -- --minutes N --driver local|compose [--interval S] [--seed N]`: starts an HA
// cluster, runs the workload, hits a random target every interval, then waits for convergence
// and prints the invariants table. Figures go to .keelson/chaos/<driver>.json; exit 1 on a violation.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Api, sleep, type Obj } from './api';
import type { ChaosDriver, Target, TargetKind } from './driver';
import { checkDeployments, checkDuplicateNames, checkNodes, checkOwners, checkRelay, checkWrites, readState, type CheckResult } from './invariants';
import { ComposeDriver } from './compose-driver';
import { LocalDriver } from './local-driver';
import { writeStall } from './stall';
import { NAMESPACE, Workload } from './workload';

const REPO = resolve(__dirname, '..', '..');

export interface ChaosOptions {
  driver: 'local' | 'compose';
  minutes: number;
  intervalSec: number;
  seed: number;
  /** Convergence wait ceiling after the last hit (default 5 min). */
  convergeTimeoutMs: number;
  /**
   * Hits that must all happen: one kind of each group, in a shuffled first round; the run goes on
   * past `minutes` (up to three times as long) until they have (the compose CI run hits every
   * target kind this way). Default none.
   */
  required?: HitKind[][];
  /**
   * Whether the timing bounds (convergence within 2 lease durations, write stall < 5 s) fail the
   * run (default) or are only measured and printed (`report`: the CI compose run, whose 2 cores
   * also carry ~49 containers; correctness invariants always gate).
   */
  timing?: 'gate' | 'report';
}

/** One hit: what, on whom, when it began and ended (a pause ends when the target resumes). */
export interface Hit { action: 'kill' | 'pause'; kind: string; target: string; at: number; endedAt: number; stallMs?: number }

function parseArgs(argv: string[]): ChaosOptions {
  const o: ChaosOptions = { driver: 'local', minutes: 10, intervalSec: 5, seed: Date.now() % 100_000, convergeTimeoutMs: 300_000 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--driver': if (v !== 'local' && v !== 'compose') throw new Error('--driver is local or compose'); o.driver = v; i++; break;
      case '--minutes': o.minutes = Number(v); i++; break;
      case '--interval': o.intervalSec = Number(v); i++; break;
      case '--seed': o.seed = Number(v); i++; break;
      case '--converge-timeout': o.convergeTimeoutMs = Number(v) * 1000; i++; break;
      default: throw new Error(`unknown argument ${argv[i]} (use --minutes N --driver local|compose [--interval S] [--seed N])`);
    }
  }
  if (!(o.minutes > 0) || !(o.intervalSec > 0)) throw new Error('--minutes and --interval must be positive');
  return o;
}

/** mulberry32: a seeded generator, so a run's sequence of hits can be replayed with --seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const log = (line: string): void => { process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`); };

/** The kinds of hit, taken in a shuffled round so each kind is hit about equally often. */
export type HitKind = 'relay-leader' | 'gateway-follower' | 'controller-leader' | 'scheduler-leader' | 'kubelet' | 'nats' | 'etcd-leader' | 'etcd-member' | 'pause-leader';
const HIT_KINDS: HitKind[] = ['relay-leader', 'gateway-follower', 'controller-leader', 'scheduler-leader', 'kubelet', 'nats', 'etcd-leader', 'etcd-member', 'pause-leader'];

async function pickTarget(d: ChaosDriver, kind: HitKind, rand: () => number): Promise<string | undefined> {
  const all = await d.targets();
  const of = (k: TargetKind): Target[] => all.filter((t) => t.kind === k);
  const any = (ts: Target[]): string | undefined => (ts.length ? ts[Math.floor(rand() * ts.length)].name : undefined);
  switch (kind) {
    case 'relay-leader': return (await d.leaderOf('relay')) ?? any(of('gateway'));
    case 'gateway-follower': { const l = await d.leaderOf('relay'); return any(of('gateway').filter((t) => t.name !== l)); }
    case 'controller-leader': {
      const services = [...new Set(of('controller').map((t) => t.service))];
      const s = services[Math.floor(rand() * services.length)];
      return s ? ((await d.leaderOf(s)) ?? any(of('controller').filter((t) => t.service === s))) : undefined;
    }
    case 'scheduler-leader': return (await d.leaderOf('scheduler')) ?? any(of('scheduler'));
    case 'kubelet': return any(of('kubelet'));
    case 'nats': return any(of('nats'));
    case 'etcd-leader': return (await d.leaderOf('etcd')) ?? any(of('etcd'));
    case 'etcd-member': { const l = await d.leaderOf('etcd'); return any(of('etcd').filter((t) => t.name !== l)); }
    case 'pause-leader': {
      const services = ['relay', 'scheduler', ...new Set(of('controller').map((t) => t.service))];
      return d.leaderOf(services[Math.floor(rand() * services.length)]);
    }
  }
}

async function writePathHealthy(api: Api, driver: ChaosDriver, workload: Workload, pausing: () => boolean, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const lastAck = Math.max(0, ...workload.stats.writes.slice(-20).map((w) => w.ackedAt ?? 0));
    if (!pausing() && Date.now() - lastAck < 1000 && (await driver.gatewaysReady(api))) return;
    await sleep(500);
  }
  log('write path not healthy after 60 s; hitting anyway');
}

async function markerRevision(api: Api, name: string): Promise<number> {
  const cm = await api.retrying<Obj>('POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-${Date.now()}`, namespace: NAMESPACE } });
  return Number(cm.metadata.resourceVersion);
}

async function makeDriver(o: ChaosOptions, dir: string): Promise<ChaosDriver> {
  if (o.driver === 'local') return new LocalDriver({ home: join(dir, 'local-home'), log, logFile: join(dir, 'local-supervisor.log') });
  return new ComposeDriver({ log });
}

/**
 * Runs the chaos suite. `given`: a driver already set up by the caller (the compose test hands in
 * the stack it checked); otherwise one is made for `o.driver`.
 */
export async function runChaos(o: ChaosOptions, given?: ChaosDriver): Promise<{ ok: boolean; report: Record<string, unknown> }> {
  const dir = join(REPO, '.keelson', 'chaos');
  mkdirSync(dir, { recursive: true });
  const rand = seeded(o.seed);
  const driver = given ?? (await makeDriver(o, dir));
  log(`driver ${o.driver}, ${o.minutes} min, a hit every ${o.intervalSec} s, seed ${o.seed}`);
  const stopping = () => { log('interrupted: stopping the cluster'); void driver.stop().finally(() => process.exit(130)); };
  // A caller that handed in its driver also handles signals (and tears its stack down).
  if (!given) {
    process.once('SIGINT', stopping);
    process.once('SIGTERM', stopping);
  }
  try {
    await driver.start();
    const api = new Api(driver.api());
    const workload = new Workload(api, rand);
    await workload.setup();
    const startedAt = new Date();
    const fromRev = await markerRevision(api, 'chaos-start');
    workload.start();
    log(`workload running; first revision ${fromRev}`);

    const hits: Hit[] = [];
    const pauses: Promise<void>[] = [];
    let pausing = false;
    // The first round: one of each required group, shuffled; then shuffled rounds of every kind.
    let round: HitKind[] = (o.required ?? []).map((g) => g[Math.floor(rand() * g.length)]).sort(() => rand() - 0.5);
    let requiredLeft = round.length;
    const endAt = Date.now() + o.minutes * 60_000;
    const hardEndAt = Date.now() + 3 * o.minutes * 60_000;
    while (Date.now() + o.intervalSec * 1000 <= endAt || (requiredLeft > 0 && Date.now() < hardEndAt)) {
      // After an etcd-leader or NATS kill the next hit waits (≥ 10 s) so the write stall it causes is measured alone.
      const prev = hits[hits.length - 1];
      const quiet = prev && (prev.kind === 'etcd-leader' || prev.kind === 'nats') ? Math.max(o.intervalSec * 1000, 10_000) : o.intervalSec * 1000;
      await sleep(prev ? Math.max(0, prev.at + quiet - Date.now()) : quiet);
      if (!round.length) round = [...HIT_KINDS].sort(() => rand() - 0.5);
      let kind = round.shift() as HitKind;
      if (requiredLeft > 0) requiredLeft--;
      if (kind === 'pause-leader' && pausing) kind = 'relay-leader';
      // The write stall of an etcd-leader or NATS kill is measured on an otherwise healthy write path:
      // no paused process, every gateway replica ready, writes flowing (else a paused or restarting
      // gateway's stall would be counted against etcd or NATS).
      if (kind === 'etcd-leader' || kind === 'nats') await writePathHealthy(api, driver, workload, () => pausing);
      const target = await pickTarget(driver, kind, rand).catch(() => undefined);
      if (!target) { log(`${kind}: no target found, skipped`); continue; }
      const hit: Hit = { action: kind === 'pause-leader' ? 'pause' : 'kill', kind, target, at: Date.now(), endedAt: Date.now() };
      hits.push(hit);
      if (hit.action === 'pause') {
        const ms = driver.leaseDurationMs() + 2000; // long enough for its lease to expire: a standby takes over
        log(`pause ${target} (${kind}) for ${ms / 1000} s`);
        pausing = true;
        pauses.push(driver.pause(target, ms).then(() => { hit.endedAt = Date.now(); pausing = false; }, (e: Error) => { log(`pause ${target} failed: ${e.message}`); pausing = false; }));
      } else {
        log(`kill ${target} (${kind})`);
        await driver.kill(target).catch((e: Error) => log(`kill ${target} failed: ${e.message}`));
      }
    }
    await Promise.all(pauses);
    const lastHitAt = Math.max(...hits.map((h) => h.endedAt), Date.now());
    await workload.stop();
    log(`chaos over: ${hits.length} hits; waiting for convergence`);

    // Convergence: every cluster-state invariant holds at once.
    let state = await readState(api);
    let structural: CheckResult[] = [];
    let convergedAt: number | undefined;
    // What was still unmet, each time it changed: where convergence time goes.
    const convergeTrail: { afterMs: number; unmet: string }[] = [];
    while (Date.now() - lastHitAt < o.convergeTimeoutMs) {
      state = await readState(api).catch(() => state);
      structural = [checkDeployments(state), checkOwners(state), checkDuplicateNames(state), checkNodes(state)];
      if (structural.every((c) => c.violations.length === 0)) { convergedAt = Date.now(); break; }
      const unmet = structural.filter((c) => c.violations.length).map((c) => `${c.name}: ${c.violations.slice(0, 3).join('; ')}`).join(' | ');
      if (unmet !== convergeTrail[convergeTrail.length - 1]?.unmet) {
        convergeTrail.push({ afterMs: Date.now() - lastHitAt, unmet });
        log(`not converged at +${((Date.now() - lastHitAt) / 1000).toFixed(1)} s: ${unmet.slice(0, 500)}`);
      }
      await sleep(1000);
    }
    const toRev = await markerRevision(api, 'chaos-end');
    const writes = await checkWrites(api, workload.stats.writes);
    const relay = await checkRelay(driver.backends(), fromRev, toRev, startedAt).catch((e: Error) => ({ name: 'relay published every revision (no gap, no duplicate)', violations: [`check failed: ${e.message}`], detail: '' }));
    hits.forEach((h, i) => {
      if (h.kind === 'etcd-leader' || h.kind === 'nats') h.stallMs = writeStall(workload.stats.writes, h.at, (hits[i + 1]?.at ?? lastHitAt) - h.at);
    });
    const convergeMs = convergedAt === undefined ? undefined : convergedAt - lastHitAt;
    const bound = 2 * driver.leaseDurationMs();
    const stalls = (k: string) => hits.filter((h) => h.kind === k).map((h) => h.stallMs ?? 0);
    const maxStall = Math.max(0, ...stalls('etcd-leader'), ...stalls('nats'));
    const timing: CheckResult[] = [
      { name: `converged within 2 lease durations (${bound / 1000} s) of the last hit`, violations: convergeMs === undefined ? [`not converged after ${o.convergeTimeoutMs / 1000} s`] : convergeMs > bound ? [`took ${(convergeMs / 1000).toFixed(1)} s`] : [], detail: convergeMs === undefined ? 'never' : `${(convergeMs / 1000).toFixed(1)} s` },
      { name: 'write stall after an etcd-leader or NATS kill < 5 s', violations: maxStall >= 5000 ? [`worst ${(maxStall / 1000).toFixed(1)} s`] : [], detail: `etcd leader: ${fmtList(stalls('etcd-leader'))}; NATS: ${fmtList(stalls('nats'))}` },
    ];
    const gating = o.timing !== 'report';
    if (!gating) for (const t of timing) { t.measuredOnly = true; }
    const results: CheckResult[] = [writes, ...structural, relay, ...timing];
    const byKind: Record<string, number> = {};
    for (const h of hits) byKind[h.kind] = (byKind[h.kind] ?? 0) + 1;
    printTable(results, hits, byKind, workload);
    const ok = results.every((r) => r.violations.length === 0 || r.measuredOnly);
    const report = {
      driver: o.driver, minutes: o.minutes, intervalSec: o.intervalSec, seed: o.seed, finishedAt: new Date().toISOString(), ok,
      hits: hits.map((h) => ({ ...h, at: new Date(h.at).toISOString(), endedAt: new Date(h.endedAt).toISOString() })), hitsByKind: byKind,
      convergeMs, convergeBoundMs: bound, convergeTrail, maxWriteStallMs: maxStall,
      workload: { errorReasons: workload.stats.errorReasons, writes: workload.stats.writes.length, acknowledged: workload.stats.writes.filter((w) => w.ackedAt).length, writeErrors: workload.stats.writeErrors, deploymentOps: workload.stats.deploymentOps, podDeletes: workload.stats.podDeletes, opErrors: workload.stats.opErrors },
      revisions: { from: fromRev, to: toRev },
      invariants: results.map((r) => ({ name: r.name, ok: r.violations.length === 0, gating: !r.measuredOnly, detail: r.detail, violations: r.violations.slice(0, 20) })),
    };
    writeFileSync(join(dir, `${o.driver}.json`), JSON.stringify(report, null, 2) + '\n');
    log(`figures in ${join(dir, `${o.driver}.json`)}`);
    return { ok, report };
  } finally {
    process.removeListener('SIGINT', stopping);
    process.removeListener('SIGTERM', stopping);
    await driver.stop();
  }
}

const fmtList = (ms: number[]): string => (ms.length ? ms.map((m) => `${(m / 1000).toFixed(1)} s`).join(', ') : 'not hit');

function printTable(results: CheckResult[], hits: Hit[], byKind: Record<string, number>, w: Workload): void {
  const out: string[] = [];
  out.push('');
  out.push(`hits: ${hits.length} (${Object.entries(byKind).map(([k, n]) => `${k} ${n}`).join(', ')})`);
  const acked = w.stats.writes.filter((x) => x.ackedAt).length;
  out.push(`workload: ${w.stats.writes.length} ConfigMap writes (${acked} acknowledged), ${w.stats.deploymentOps} Deployment scales/rollouts, ${w.stats.podDeletes} pod deletions`);
  const reasons = Object.entries(w.stats.errorReasons).sort((a, b) => b[1] - a[1]).slice(0, 6);
  if (reasons.length) out.push(`failed requests: ${reasons.map(([k, n]) => `${k} ×${n}`).join('; ')}`);
  out.push('');
  const width = Math.max(...results.map((r) => r.name.length));
  out.push(`${'invariant'.padEnd(width)}  result  detail`);
  out.push(`${'-'.repeat(width)}  ------  ------`);
  for (const r of results) {
    // A timing bound only measured (timing: 'report') shows `over`, not FAIL.
    out.push(`${r.name.padEnd(width)}  ${r.violations.length ? (r.measuredOnly ? 'over  ' : 'FAIL  ') : 'ok    '}  ${r.detail}`);
    for (const v of r.violations.slice(0, 5)) out.push(`${''.padEnd(width)}          ! ${v}`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

if (require.main === module) {
  let opts: ChaosOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    log((e as Error).message);
    process.exit(2);
  }
  runChaos(opts).then(({ ok }) => process.exit(ok ? 0 : 1), (e: Error) => { log(`failed: ${e.stack ?? e.message}`); process.exit(1); });
}
