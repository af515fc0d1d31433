// Property: for random batches of concurrent creates, updates (with a current, a stale or no
// resourceVersion), guaranteedUpdates and deletes (with or without preconditions) over a few
// keys, the grouped store gives every request the same answer as the store sending each write
// alone, and both end in the same state, with every resourceVersion the revision that wrote it.
//
// Determinism: writes to different keys are independent, so only each key's order matters. The
// ungrouped run sends a key's writes of one batch one after another; the grouped run submits
// creates and updates of one key all at once (group commit must keep them in order and out of
// one txn) and chains only the operations that read first (guaranteedUpdate, delete), whose
// write is submitted later than their call.
import fc from 'fast-check';
import type { KubeObject } from '@keelson/api';
import { EtcdStore, StorageError } from '../src';
import { closeFixture, etcdFixture, type EtcdFixture } from './fixtures';

const KEYS = ['a', 'b', 'c', 'd'];

type RvRef = 'current' | 'stale' | 'none';
type Op =
  | { kind: 'create'; key: string }
  | { kind: 'update'; key: string; rv: RvRef }
  | { kind: 'bump'; key: string } // guaranteedUpdate: spec.n + 1
  | { kind: 'delete'; key: string; rv: RvRef };

const keyArb = fc.constantFrom(...KEYS);
const rvArb = fc.constantFrom<RvRef>('current', 'stale', 'none');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), key: keyArb }),
  fc.record({ kind: fc.constant('update' as const), key: keyArb, rv: rvArb }),
  fc.record({ kind: fc.constant('bump' as const), key: keyArb }),
  fc.record({ kind: fc.constant('delete' as const), key: keyArb, rv: rvArb }),
);
const batchesArb = fc.array(fc.array(opArb, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 6 });

/** A request's answer with revisions made comparable across runs: `v<i>` = the key's i-th written version. */
type Answer = { ok: true; spec: unknown; version: string } | { ok: false; code: string; current?: string };

interface RunResult {
  answers: Answer[][];
  final: Record<string, unknown>;
}

const podAt = (key: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: key, namespace: 'ns', uid: `uid-${key}` },
  spec,
});

/** Runs the batches against `store` under `prefix`; checks resourceVersions against etcd on the way. */
async function run(store: EtcdStore, prefix: string, batches: Op[][], grouped: boolean): Promise<RunResult> {
  const versions = new Map<string, number[]>(); // key → revisions of its successful writes (deletes too), in order
  const lastSeen = new Map<string, number>(); // key → revision of its latest successful write before this batch
  const raw: Array<Array<{ op: Op; result: KubeObject | StorageError }>> = [];
  let floor = 0; // every revision of a batch is newer than the last batch's: real-time order holds
  let opId = 0;
  for (const batch of batches) {
    const snapshot = new Map(lastSeen);
    const tails = new Map<string, Promise<unknown>>(); // key → its previous operation in this batch
    const chainable = new Map<string, boolean>(); // key → only creates/updates so far in this batch
    const runs = batch.map((op) => {
      const id = ++opId;
      const key = `${prefix}ns/${op.key}`;
      const exec = (): Promise<KubeObject> => {
        const history = versions.get(op.key) ?? [];
        const current = snapshot.get(op.key);
        // stale: a revision this key had before (or one it never had).
        const stale = history.length >= 2 ? history[history.length - 2] : 1;
        switch (op.kind) {
          case 'create':
            return store.create(key, podAt(op.key, { created: id }));
          case 'update': {
            const rv = op.rv === 'current' ? current ?? 1 : op.rv === 'stale' ? stale : undefined;
            return store.update(key, podAt(op.key, { updated: id }), rv);
          }
          case 'bump':
            return store.guaranteedUpdate(key, (o) => ({ ...o, spec: { ...o.spec, n: Number((o.spec as { n?: number }).n ?? 0) + 1 } }));
          case 'delete': {
            const rv = op.rv === 'current' ? current ?? 1 : op.rv === 'stale' ? stale : undefined;
            return store.delete(key, rv === undefined ? {} : { resourceVersion: String(rv) });
          }
        }
      };
      const writeOnly = op.kind === 'create' || op.kind === 'update';
      const together = grouped && writeOnly && (chainable.get(op.key) ?? true);
      chainable.set(op.key, (chainable.get(op.key) ?? true) && writeOnly);
      const prev = tails.get(op.key);
      const p: Promise<KubeObject | StorageError> = (together || !prev ? exec() : prev.then(exec, exec)).catch((e: unknown) => {
        if (e instanceof StorageError) return e;
        throw e;
      });
      tails.set(op.key, p);
      return p;
    });
    const results = await Promise.all(runs);
    const done: Array<{ op: Op; result: KubeObject | StorageError }> = [];
    let batchMax = floor;
    // Record successful writes per key in revision order (the order etcd applied them).
    const applied = results
      .map((result, i) => ({ op: batch[i], result }))
      .filter((r): r is { op: Op; result: KubeObject } => !(r.result instanceof StorageError))
      .sort((x, y) => Number(x.result.metadata.resourceVersion) - Number(y.result.metadata.resourceVersion));
    for (const { op, result } of applied) {
      const rv = Number(result.metadata.resourceVersion);
      expect(rv).toBeGreaterThan(floor);
      batchMax = Math.max(batchMax, rv);
      const list = versions.get(op.key) ?? [];
      // A key changes at most once per revision: its writes were never in one txn.
      if (list.length) expect(rv).toBeGreaterThan(list[list.length - 1]);
      list.push(rv);
      versions.set(op.key, list);
      lastSeen.set(op.key, rv);
    }
    floor = batchMax;
    results.forEach((result, i) => done.push({ op: batch[i], result }));
    raw.push(done);
  }
  const versionName = (key: string, rv: number | undefined): string | undefined => {
    if (rv === undefined) return undefined;
    const i = (versions.get(key) ?? []).indexOf(rv);
    return i < 0 ? `unknown:${rv}` : `v${i}`;
  };
  const answers = raw.map((batch) =>
    batch.map(({ op, result }): Answer => {
      if (result instanceof StorageError) return { ok: false, code: result.code, current: versionName(op.key, result.currentRevision) };
      return { ok: true, spec: result.spec, version: versionName(op.key, Number(result.metadata.resourceVersion))! };
    }),
  );
  // The final state: each object at the revision of its key's last successful write.
  const listed = await store.list(prefix);
  const final: Record<string, unknown> = {};
  for (const o of listed.items) {
    const name = o.metadata.name!;
    const history = versions.get(name) ?? [];
    expect(Number(o.metadata.resourceVersion)).toBe(history[history.length - 1]);
    final[name] = o.spec;
  }
  return { answers, final };
}

describe('group commit property: grouped and ungrouped stores answer alike', () => {
  jest.setTimeout(240_000);
  let f: EtcdFixture;
  beforeAll(async () => {
    f = await etcdFixture();
  });
  afterAll(() => closeFixture(f));

  test('random interleavings of creates, updates and deletes with conflicts: same answers, same final state', async () => {
    const totals = { groups: 0, groupedWrites: 0, fallbacks: 0 };
    let runNo = 0;
    await fc.assert(
      fc.asyncProperty(batchesArb, fc.integer({ min: 1, max: 3 }), fc.constantFrom(2, 4, 128), async (batches, maxInFlight, maxOps) => {
        const n = ++runNo;
        const alone = new EtcdStore(f.client);
        const grouped = new EtcdStore(f.client, { groupCommit: { maxInFlight, maxOps } });
        const expected = await run(alone, `/registry/prop${n}/alone/`, batches, false);
        const got = await run(grouped, `/registry/prop${n}/grouped/`, batches, true);
        expect(got.answers).toEqual(expected.answers);
        expect(got.final).toEqual(expected.final);
        const s = grouped.groupCommitStats()!;
        totals.groups += s.groups;
        totals.groupedWrites += s.groupedWrites;
        totals.fallbacks += s.fallbacks;
      }),
      { numRuns: 60 },
    );
    // The runs exercised grouping and its fallback, not only writes sent alone.
    expect(totals.groups).toBeGreaterThan(20);
    expect(totals.fallbacks).toBeGreaterThan(5);
    process.stdout.write(`group commit property: ${runNo} runs, ${totals.groups} groups of ${totals.groupedWrites} writes, ${totals.fallbacks} fell back\n`);
  });
});
