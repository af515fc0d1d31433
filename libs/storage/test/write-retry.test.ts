// Writes that get no answer from etcd (a leader killed with the proposal, a deadline passed) are
// sent again, and a compare that then fails is resolved against what the write put. etcd here is
// a fake with etcd's txn semantics (compares, puts, deletes, one revision per txn) that can apply a
// txn and lose its answer, or lose the txn itself: the two things a killed leader does.
import { CompareResult, CompareTarget, GRPCUnavailableError, type Etcd3, type ICompare, type IRequestOp, type ITxnRequest, type ITxnResponse } from 'etcd3';
import { BrokenCircuitError } from 'cockatiel';
import { commitOne, GroupCommitter, type ConditionalWrite } from '../src/group-commit';

type Fault = 'applied-no-answer' | 'lost' | 'breaker-open';

class FakeEtcd {
  revision = 1;
  readonly keys = new Map<string, { value: Buffer; mod: number; create: number }>();
  /** Faults for the next txns, in order. */
  readonly faults: Fault[] = [];
  txns = 0;
  /** Runs between a lost or unanswered attempt and the next one (another writer, say). */
  between?: () => void;

  client(): Etcd3 {
    return { kv: { txn: (req: ITxnRequest) => this.txn(req) } } as unknown as Etcd3;
  }

  put(key: string, value: string): void {
    const cur = this.keys.get(key);
    this.revision++;
    this.keys.set(key, { value: Buffer.from(value), mod: this.revision, create: cur?.create ?? this.revision });
  }

  private async txn(req: ITxnRequest): Promise<ITxnResponse> {
    this.txns++;
    const fault = this.faults.shift();
    // The client's breaker for that member refused the call: it never left the process.
    if (fault === 'breaker-open') throw new BrokenCircuitError();
    if (fault === 'lost') {
      this.between?.();
      throw new GRPCUnavailableError('14 UNAVAILABLE: etcdserver: request timed out');
    }
    const ok = (req.compare ?? []).every((c) => this.holds(c));
    const ops = (ok ? req.success : req.failure) ?? [];
    const responses: unknown[] = [];
    if (ok && ops.some((o) => o.request_put || o.request_delete_range)) this.revision++;
    for (const op of ops) responses.push(this.apply(op));
    if (fault === 'applied-no-answer') {
      // The answer never comes (the member that had it died): only the attempt's deadline ends the wait.
      this.between?.();
      return new Promise<ITxnResponse>(() => undefined);
    }
    return { header: { revision: String(this.revision) }, succeeded: ok, responses } as unknown as ITxnResponse;
  }

  private holds(c: ICompare): boolean {
    const kv = this.keys.get(Buffer.from(c.key as Buffer).toString());
    if (c.target === CompareTarget.Create) {
      const create = kv?.create ?? 0;
      return c.result === CompareResult.Equal ? create === Number(c.create_revision) : create > Number(c.create_revision);
    }
    return (kv?.mod ?? 0) === Number(c.mod_revision);
  }

  private apply(op: IRequestOp): unknown {
    if (op.request_put) {
      const key = Buffer.from(op.request_put.key as Buffer).toString();
      const cur = this.keys.get(key);
      this.keys.set(key, { value: Buffer.from(op.request_put.value as Buffer), mod: this.revision, create: cur?.create ?? this.revision });
      return { response_put: {} };
    }
    if (op.request_delete_range) {
      this.keys.delete(Buffer.from(op.request_delete_range.key as Buffer).toString());
      return { response_delete_range: {} };
    }
    const key = Buffer.from(op.request_range!.key as Buffer).toString();
    const kv = this.keys.get(key);
    return { response_range: { kvs: kv ? [{ key: Buffer.from(key), value: kv.value, mod_revision: String(kv.mod), create_revision: String(kv.create) }] : [] } };
  }
}

const retry = { attemptTimeoutMs: 100, budgetMs: 5000 };
const update = (key: string, revision: number, value: string): ConditionalWrite => ({ key, condition: { kind: 'modRevision', revision }, op: 'put', value });

describe('a write etcd did not answer', () => {
  test('applied, answer lost: sent again, its failed compare is recognised as this write, success at its revision', async () => {
    const etcd = new FakeEtcd();
    etcd.put('/k', 'v1');
    const at = etcd.keys.get('/k')!.mod;
    etcd.faults.push('applied-no-answer');
    const r = await commitOne(etcd.client(), update('/k', at, 'v2'), retry);
    expect(r).toEqual({ succeeded: true, revision: at + 1, groupSize: 1 });
    expect(etcd.keys.get('/k')!.value.toString()).toBe('v2');
    expect(etcd.revision).toBe(at + 1); // applied once
    expect(etcd.txns).toBe(2);
  });

  test('lost: sent again and applied then', async () => {
    const etcd = new FakeEtcd();
    etcd.put('/k', 'v1');
    const at = etcd.keys.get('/k')!.mod;
    etcd.faults.push('lost', 'lost');
    const r = await commitOne(etcd.client(), update('/k', at, 'v2'), retry);
    expect(r).toMatchObject({ succeeded: true, revision: at + 1 });
    expect(etcd.txns).toBe(3);
  });

  test('a create whose answer was lost is not reported as AlreadyExists', async () => {
    const etcd = new FakeEtcd();
    etcd.faults.push('applied-no-answer');
    const r = await commitOne(etcd.client(), { key: '/new', condition: { kind: 'absent' }, op: 'put', value: 'mine' }, retry);
    expect(r).toMatchObject({ succeeded: true, revision: 2 });
  });

  test('a delete whose answer was lost succeeds (the key is gone)', async () => {
    const etcd = new FakeEtcd();
    etcd.put('/k', 'v1');
    etcd.faults.push('applied-no-answer');
    const r = await commitOne(etcd.client(), { key: '/k', condition: { kind: 'modRevision', revision: 2 }, op: 'delete' }, retry);
    expect(r.succeeded).toBe(true);
    expect(etcd.keys.has('/k')).toBe(false);
  });

  test('lost while another writer changed the key: still a conflict, with the key as it is', async () => {
    const etcd = new FakeEtcd();
    etcd.put('/k', 'v1');
    const at = etcd.keys.get('/k')!.mod;
    etcd.faults.push('lost');
    etcd.between = () => etcd.put('/k', 'theirs');
    const r = await commitOne(etcd.client(), update('/k', at, 'mine'), retry);
    expect(r.succeeded).toBe(false);
    expect(r.succeeded === false && r.current?.value.toString()).toBe('theirs');
  });

  test('a write conditioned only on the key existing is not sent twice (it could apply twice)', async () => {
    const etcd = new FakeEtcd();
    etcd.put('/k', 'v1');
    etcd.faults.push('lost');
    await expect(commitOne(etcd.client(), { key: '/k', condition: { kind: 'present' }, op: 'put', value: 'v2' }, retry)).rejects.toBeInstanceOf(GRPCUnavailableError);
    expect(etcd.txns).toBe(1);
  });

  test('refused by the client\'s breaker (never sent): sent again as it is, even a write conditioned only on the key existing', async () => {
    const etcd = new FakeEtcd();
    etcd.put('/k', 'v1');
    etcd.faults.push('breaker-open', 'breaker-open');
    const r = await commitOne(etcd.client(), { key: '/k', condition: { kind: 'present' }, op: 'put', value: 'v2' }, retry);
    expect(r.succeeded).toBe(true);
    expect(etcd.txns).toBe(3);
    expect(etcd.keys.get('/k')!.value.toString()).toBe('v2');
  });

  test('unanswered past the budget: the error is the answer', async () => {
    const etcd = new FakeEtcd();
    etcd.put('/k', 'v1');
    for (let i = 0; i < 1000; i++) etcd.faults.push('lost');
    await expect(commitOne(etcd.client(), update('/k', 2, 'v2'), { attemptTimeoutMs: 100, budgetMs: 300 })).rejects.toBeInstanceOf(GRPCUnavailableError);
    expect(etcd.keys.get('/k')!.value.toString()).toBe('v1');
  });

  test('a group applied with its answer lost: every member succeeds at the group revision, nothing applied twice', async () => {
    const etcd = new FakeEtcd();
    for (const k of ['/a', '/b', '/c']) etcd.put(k, 'v1');
    const before = etcd.revision;
    const committer = new GroupCommitter(etcd.client(), { retry });
    etcd.faults.push('applied-no-answer');
    const results = await Promise.all(['/a', '/b', '/c'].map((k) => committer.submit(update(k, etcd.keys.get(k)!.mod, `${k}-v2`))));
    expect(results.map((r) => r.succeeded)).toEqual([true, true, true]);
    expect(new Set(results.map((r) => r.revision))).toEqual(new Set([before + 1]));
    expect(etcd.revision).toBe(before + 1);
    for (const k of ['/a', '/b', '/c']) expect(etcd.keys.get(k)!.value.toString()).toBe(`${k}-v2`);
  });

  test.each<[string, Fault]>([
    ['lost', 'lost'],
    ['refused by the breaker (never sent)', 'breaker-open'],
  ])('a group %s: each member is sent again alone and applied', async (_what, fault) => {
    const etcd = new FakeEtcd();
    for (const k of ['/a', '/b']) etcd.put(k, 'v1');
    const committer = new GroupCommitter(etcd.client(), { retry });
    etcd.faults.push(fault);
    const results = await Promise.all(['/a', '/b'].map((k) => committer.submit(update(k, etcd.keys.get(k)!.mod, `${k}-v2`))));
    expect(results.every((r) => r.succeeded)).toBe(true);
    for (const k of ['/a', '/b']) expect(etcd.keys.get(k)!.value.toString()).toBe(`${k}-v2`);
  });
});
