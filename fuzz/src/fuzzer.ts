// Runs generated requests against a running gateway (startControlPlane: real etcd and NATS),
// checks every answer, keeps the gateway's liveness and readiness under watch, and at the end
// compares what etcd holds with the model of accepted writes.
import { Agent, request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Etcd3 } from 'etcd3';
import type { ControlPlane } from '@keelson/testing';
import { Findings, findingRequest, type FindingCategory } from './findings';
import { allowedCodes, answerProblems, type Answer } from './invariants';
import { keyOf, snapshot, StoredModel, type StoredChange } from './model';
import { requestArbitrary, type FuzzContext, type FuzzRequest } from './requests';
import { RESOURCES, WIDGET_CRD, type FuzzResource } from './resources';

export interface FuzzOptions {
  /** Requests to send. */
  runs: number;
  /** fast-check seed (printed, so a run can be replayed). */
  seed?: number;
  concurrency?: number;
  /** Generators (FuzzRequest.generator prefixes) left out, e.g. while a known defect is open. */
  exclude?: string[];
  /** A watch is read for this long, then closed by the client. */
  watchBudgetMs?: number;
  /** Called every `progressEvery` requests. */
  onProgress?: (done: number) => void;
}

export interface Violation {
  generator: string;
  request: { method: string; path: string; headers: Record<string, string>; body?: string };
  status?: number;
  problems: string[];
  answer?: string;
}

export interface FuzzResult {
  seed: number;
  prefix: string;
  requests: number;
  /** Requests the client could not even send (Node refuses the header or path). */
  unsent: number;
  byStatus: Record<string, number>;
  byGenerator: Record<string, number>;
  /** Time spent waiting for answers, per generator. */
  msByGenerator: Record<string, number>;
  /** 5xx answers beyond kube's 504 for a future resourceVersion. */
  fiveXX: number;
  crashes: number;
  /** The gateway's log tail at each crash. */
  crashLogs: string[];
  readyzFailures: number;
  /** Answers that broke an invariant (wrong code, malformed body, dropped connection). */
  violations: number;
  unexpectedStoredChanges: StoredChange[];
  /** The first violations in full. */
  examples: Violation[];
  /** Every finding, classified (findings.ts): all crashes and 5xx in full, examples of the rest. */
  findings: Findings;
  /** etcd stopped answering: the run ended early, after this many requests. */
  etcdExitedAfter?: number;
  /** Writes through hostile paths that the gateway accepted on the run's namespace (modelled). */
  namespaceWrites: string[];
  seconds: number;
}

const EXAMPLES = 40;
const REQUEST_TIMEOUT_MS = 60_000;
const LIVENESS_EVERY = 200;
const ETCD_TIMEOUT_MS = 15_000;
/** Requests remembered for a crash report (with those in flight when it was found). */
const RECENT = 60;

/** Thrown by a worker once etcd stopped answering: nothing after it would mean anything. */
class EtcdGone extends Error {}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms).unref())]);

interface Sent {
  answer?: Answer;
  error?: string;
}

class Http {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly host: URL;
  constructor(url: string, private readonly ca: string) {
    this.host = new URL(url);
  }

  send(method: string, path: string, headers: Record<string, string>, body: string | undefined, budgetMs?: number): Promise<Sent> {
    return new Promise((resolve) => {
      let req: ReturnType<typeof httpsRequest>;
      // Node sends a DELETE body without Content-Length or chunking unless told its length: the
      // server would then read the body as the next request.
      if (body !== undefined && headers['content-length'] === undefined) headers = { ...headers, 'content-length': String(Buffer.byteLength(body)) };
      try {
        // The path goes out byte for byte: a URL string would be resolved first (`%2E%2E`, `..`, `\\`), hiding the hostile path.
        req = httpsRequest({ hostname: this.host.hostname, port: this.host.port, path, method, headers, ca: this.ca, agent: budgetMs ? undefined : this.agent }, (res) => {
          const chunks: Buffer[] = [];
          let cut = false;
          const timer = budgetMs ? setTimeout(() => { cut = true; res.destroy(); }, budgetMs) : undefined;
          const done = (): void => {
            if (timer) clearTimeout(timer);
            resolve({ answer: { status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks), cut } });
          };
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', done);
          res.on('close', done); // destroyed by us (watch budget) or by the server
          res.on('error', () => undefined);
        });
      } catch (e) {
        resolve({ error: `unsent: ${(e as Error).message}` });
        return;
      }
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', (e) => resolve({ error: e.message }));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One writer (collection deletes, unmodelled writes) or many readers; readers also lock their object. */
class Locks {
  private readers = 0;
  private writer = false;
  private readonly waiting: (() => void)[] = [];
  private readonly keys = new Map<string, Promise<void>>();

  private wake(): void {
    for (const w of this.waiting.splice(0)) w();
  }

  private async until(ready: () => boolean): Promise<void> {
    while (!ready()) await new Promise<void>((r) => this.waiting.push(r));
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await this.until(() => !this.writer);
    this.writer = true;
    await this.until(() => this.readers === 0);
    try {
      return await fn();
    } finally {
      this.writer = false;
      this.wake();
    }
  }

  async shared<T>(key: string, fn: () => Promise<T>): Promise<T> {
    await this.until(() => !this.writer);
    this.readers++;
    const previous = this.keys.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous.then(() => mine);
    this.keys.set(key, tail);
    try {
      await previous;
      return await fn();
    } finally {
      release();
      if (this.keys.get(key) === tail) this.keys.delete(key);
      this.readers--;
      this.wake();
    }
  }
}

const parseJson = (b: Buffer): Record<string, unknown> | undefined => {
  try {
    const v: unknown = JSON.parse(b.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};
const meta = (o: Record<string, unknown> | undefined): { name?: string; namespace?: string; resourceVersion?: string } =>
  (o && typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}) as { name?: string; namespace?: string; resourceVersion?: string };

/** Creates the fuzzer's namespace and CRD, and waits until the CRD's objects are served. */
export async function prepare(cp: ControlPlane, prefix: string): Promise<void> {
  const post = async (path: string, body: unknown, ok: number[]): Promise<void> => {
    const r = await cp.request('POST', path, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    if (!ok.includes(r.status)) throw new Error(`POST ${path}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
  };
  await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: prefix } }, [201]);
  await post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', WIDGET_CRD, [201, 409]);
  const deadline = Date.now() + 30_000;
  while ((await cp.request('GET', `/apis/fuzz.keelson.io/v1/namespaces/${prefix}/widgets`)).status !== 200) {
    if (Date.now() > deadline) throw new Error('the fuzz CRD was not served within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runFuzz(cp: ControlPlane, opts: FuzzOptions): Promise<FuzzResult> {
  const started = Date.now();
  const seed = opts.seed ?? Date.now() % 2 ** 31;
  const prefix = `fz${randomBytes(3).toString('hex')}`;
  const ctx: FuzzContext = { prefix, names: Array.from({ length: 6 }, (_, i) => `${prefix}-${i}`) };
  const concurrency = opts.concurrency ?? 16;
  const watchBudgetMs = opts.watchBudgetMs ?? 500;
  const exclude = opts.exclude ?? [];

  await prepare(cp, prefix);
  const etcd = new Etcd3(cp.etcd.clientOptions);
  const http = new Http(cp.url, cp.creds.caPem);
  const locks = new Locks();
  const model = new StoredModel(prefix, RESOURCES);
  const admin = { authorization: `Bearer ${cp.creds.adminToken}` };

  const result: FuzzResult = {
    seed, prefix, requests: 0, unsent: 0, byStatus: {}, byGenerator: {}, msByGenerator: {}, fiveXX: 0, crashes: 0, crashLogs: [], readyzFailures: 0, violations: 0,
    unexpectedStoredChanges: [], examples: [], findings: new Findings(), namespaceWrites: [], seconds: 0,
  };
  const inFlight = new Set<FuzzRequest>();
  const recent: string[] = [];
  const describe = (r: FuzzRequest, outcome: string): string => `${r.generator} ${r.method} ${r.path.slice(0, 300)} body=${r.body?.length ?? '-'} → ${outcome}`;
  const remember = (r: FuzzRequest, outcome: string): void => {
    recent.push(describe(r, outcome));
    if (recent.length > RECENT) recent.shift();
  };
  const classify = (req: FuzzRequest, problems: string[], answer?: Answer): FindingCategory => {
    if (req.generator === 'liveness') return 'crash';
    if (req.generator === 'etcd') return 'etcd-exit';
    if (req.generator === 'readyz') return 'readyz';
    if (!answer) return 'no-answer';
    if (answer.status >= 500 && !allowedCodes(req).has(answer.status)) return '5xx';
    return problems.some((p) => p.includes('not in the expected set')) ? 'unexpected-code' : 'malformed-body';
  };
  const violation = (req: FuzzRequest, problems: string[], answer?: Answer, log?: string): void => {
    result.violations++;
    const category = classify(req, problems, answer);
    // A 5xx or a dropped connection: the gateway's last log lines hold its stack.
    if (!log && (category === '5xx' || category === 'no-answer')) log = cp.gatewayLog().slice(-4_000);
    result.findings.add({
      category, generator: req.generator, afterRequests: result.requests, problems, status: answer?.status, log,
      request: req.method === '-' ? undefined : findingRequest(req.method, req.path, req.headers, req.body, cp.creds.adminToken),
      answer: category === 'crash' || category === 'etcd-exit'
        ? [`in flight:`, ...[...inFlight].map((r) => `  ${describe(r, '?')}`), `last answered:`, ...recent.map((l) => `  ${l}`)].join('\n')
        : answer?.body.toString('utf8').slice(0, category === '5xx' ? 4_000 : 600),
    });
    if (result.examples.length < EXAMPLES) {
      result.examples.push({
        generator: req.generator,
        request: { method: req.method, path: req.path.slice(0, 400), headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, v.length > 200 ? `${v.slice(0, 40)}…(${v.length})` : v])), body: req.body && req.body.length > 600 ? `${req.body.slice(0, 600)}…(${req.body.length})` : req.body },
        status: answer?.status, problems, answer: answer?.body.toString('utf8').slice(0, 600),
      });
    }
  };

  const nsKey = `/registry/core/namespaces/${prefix}`;
  try {
    const nsAnswer = await http.send('GET', `/api/v1/namespaces/${prefix}`, admin, undefined);
    model.set(nsKey, meta(parseJson(nsAnswer.answer!.body)).resourceVersion ?? null);
    for (const r of RESOURCES) for (const n of ctx.names) model.set(keyOf(r, prefix, n), null);
    const before = await snapshot(etcd);

    // What the gateway holds for one object now (after a write whose effect the answer does not tell).
    const resyncKey = async (r: FuzzResource, name: string): Promise<void> => {
      const s = await http.send('GET', `${r.base}/namespaces/${prefix}/${r.resource}/${name}`, admin, undefined);
      if (s.answer?.status === 200) model.set(keyOf(r, prefix, name), meta(parseJson(s.answer.body)).resourceVersion ?? null);
      else if (s.answer?.status === 404) model.set(keyOf(r, prefix, name), null);
    };
    const resyncAll = async (cause?: FuzzRequest, status?: number): Promise<void> => {
      // A write through a hostile path may address the run's namespace itself (`/api/v1/namespaces/<ns>/`, as kube routes it).
      const ns = await http.send('GET', `/api/v1/namespaces/${prefix}`, admin, undefined);
      const nsRv = ns.answer?.status === 200 ? meta(parseJson(ns.answer.body)).resourceVersion ?? null : undefined;
      if (nsRv !== undefined && nsRv !== model.get(nsKey)) {
        model.set(nsKey, nsRv);
        result.namespaceWrites.push(cause ? describe(cause, String(status ?? '?')) : 'after a gateway restart');
      }
      for (const r of RESOURCES) {
        const s = await http.send('GET', `${r.base}/namespaces/${prefix}/${r.resource}`, admin, undefined);
        const list = s.answer?.status === 200 ? parseJson(s.answer.body) : undefined;
        if (!list || !Array.isArray(list.items)) continue;
        const listed = new Map<string, string | null>();
        for (const item of list.items as Record<string, unknown>[]) listed.set(keyOf(r, prefix, meta(item).name ?? ''), meta(item).resourceVersion ?? null);
        for (const k of model.keysUnder(keyOf(r, prefix, ''))) model.set(k, listed.get(k) ?? null);
        for (const [k, rv] of listed) model.set(k, rv);
      }
    };

    // After an accepted write: what it stored, from the answer when it says, else from the gateway.
    const learn = async (req: FuzzRequest, a: Answer | undefined): Promise<void> => {
      const t = req.target;
      if (!t || req.collection) return resyncAll(req, a?.status);
      const o = a ? parseJson(a.body) : undefined;
      const m = meta(o);
      const isObject = o?.kind === t.resource.kind && m.resourceVersion && m.namespace === prefix && !req.path.split('?')[0].endsWith('/scale') && !req.path.split('?')[0].endsWith('/status');
      if (req.method !== 'DELETE' && isObject && m.name && (t.name === undefined || m.name === t.name)) return model.set(keyOf(t.resource, prefix, m.name), m.resourceVersion!);
      if (t.name === undefined) return resyncAll(req, a?.status);
      return resyncKey(t.resource, t.name);
    };

    const etcdAnswers = async (): Promise<boolean> => {
      try {
        await withTimeout(etcd.maintenance.status(), ETCD_TIMEOUT_MS, 'etcd status');
        return true;
      } catch {
        return false;
      }
    };
    const probe = { generator: '', method: '-', path: '-', headers: {}, write: false, dryRun: false, collection: false, watch: false } satisfies FuzzRequest;
    const checkOnce = async (): Promise<void> => {
      if (result.etcdExitedAfter !== undefined) throw new EtcdGone();
      if (!(await etcdAnswers())) {
        result.etcdExitedAfter = result.requests;
        violation({ ...probe, generator: 'etcd' }, [`etcd stopped answering after ${result.requests} requests`], undefined,
          `--- etcd ---\n${cp.etcd.log?.() ?? '(no log: etcd runs in a container)'}\n--- gateway ---\n${cp.gatewayLog()}`);
        throw new EtcdGone();
      }
      if (cp.gateway.pid() === undefined) {
        result.crashes++;
        const log = cp.gatewayLog();
        result.crashLogs.push(log);
        violation({ ...probe, generator: 'liveness' }, ['gateway exited'], undefined, log);
        try {
          await cp.startGateway();
        } catch (e) {
          throw new Error(`the gateway crashed and did not restart (${(e as Error).message.slice(0, 500)}); its log before the crash:\n${log.slice(-3000)}`);
        }
        await resyncAll(); // called with this request's lock held: no other write runs on its object
        return;
      }
      const r = await http.send('GET', '/readyz', {}, undefined);
      if (r.answer?.status !== 200) {
        result.readyzFailures++;
        violation({ ...probe, generator: 'readyz', method: 'GET', path: '/readyz' }, [`/readyz answered ${r.answer?.status ?? r.error}`], r.answer);
      }
    };
    // One check at a time: requests that lost their connection to the same crash share its restart.
    let checking: Promise<void> | undefined;
    const checkLiveness = (): Promise<void> => (checking ??= checkOnce().finally(() => (checking = undefined)));

    const execute = async (req: FuzzRequest): Promise<void> => {
      const t0 = Date.now();
      if (process.env.KEELSON_FUZZ_TRACE) process.stderr.write(`> ${req.generator} ${req.method} ${req.path.slice(0, 300)} ${(req.body ?? '').length}\n`);
      // Any `watch` in the query may start a stream (a bare `?watch` too): read it for the budget only.
      const mayStream = req.watch || req.mayWatch || /[?&]watch(=|&|$)/.test(req.path);
      inFlight.add(req);
      const sent = await http.send(req.method, req.path, req.headers, req.body, mayStream ? watchBudgetMs : undefined).finally(() => inFlight.delete(req));
      remember(req, sent.answer ? String(sent.answer.status) : sent.error ?? '?');
      result.msByGenerator[req.generator] = (result.msByGenerator[req.generator] ?? 0) + Date.now() - t0;
      if (sent.error?.startsWith('unsent')) {
        result.unsent++;
        return;
      }
      result.requests++;
      result.byGenerator[req.generator] = (result.byGenerator[req.generator] ?? 0) + 1;
      const a = sent.answer;
      if (!a) {
        violation(req, [`no answer: ${sent.error}`]);
        await checkLiveness();
        if (req.write && req.target?.name) await resyncKey(req.target.resource, req.target.name);
        return;
      }
      result.byStatus[a.status] = (result.byStatus[a.status] ?? 0) + 1;
      // kube-apiserver's own 504 for a watch or list from a future resourceVersion is allowed; any other 5xx is not.
      if (a.status >= 500 && !allowedCodes(req).has(a.status)) result.fiveXX++;
      const problems = answerProblems(req, a);
      if (problems.length) violation(req, problems, a);
      if (!req.write) return;
      if ((a.status >= 200 && a.status < 300 && !req.dryRun) || a.status >= 500) await learn(req, a);
    };

    const run = (req: FuzzRequest): Promise<void> => {
      const t = req.target;
      if (req.write && (!t || req.collection)) return locks.exclusive(() => execute(req));
      return locks.shared(t ? `${t.resource.resource}/${t.name ?? '*generated'}` : `read/${Math.random()}`, () => execute(req));
    };

    const arbitrary = requestArbitrary(ctx, cp.creds.adminToken).filter((r) => !exclude.some((g) => r.generator.startsWith(g)));
    const BATCH = 500;
    let done = 0;
    for (let batch = 0; done < opts.runs; batch++) {
      const reqs = fc.sample(arbitrary, { numRuns: Math.min(BATCH, opts.runs - done), seed: seed + batch });
      let next = 0;
      try {
        await Promise.all(Array.from({ length: concurrency }, async () => {
          while (next < reqs.length && result.etcdExitedAfter === undefined) {
            const req = reqs[next++];
            await run(req);
            done++;
            if (done % LIVENESS_EVERY === 0) {
              await checkLiveness();
              opts.onProgress?.(done);
            }
          }
        }));
      } catch (e) {
        if (!(e instanceof EtcdGone)) throw e;
      }
      if (result.etcdExitedAfter !== undefined) break;
    }
    if (result.etcdExitedAfter === undefined) {
      await checkLiveness().catch((e: unknown) => { if (!(e instanceof EtcdGone)) throw e; });
    }
    if (result.etcdExitedAfter === undefined) {
      await locks.exclusive(async () => undefined); // every request finished
      result.unexpectedStoredChanges = model.compare(before, await snapshot(etcd));
      for (const c of result.unexpectedStoredChanges) {
        result.findings.add({ category: 'stored-change', generator: 'model', problems: [`${c.key}: expected ${c.expected ?? 'absent'}, stored ${c.stored ?? 'absent'}`], afterRequests: result.requests });
      }
    }
  } finally {
    http.close();
    etcd.close();
  }
  result.seconds = Math.round((Date.now() - started) / 100) / 10;
  return result;
}
