// What a fuzz run found, classified: gateway defects (a crash, a 5xx, an etcd exit, a stored
// change nobody asked for, a dropped connection, /readyz failing) apart from answers that only
// broke the fuzzer's expectations (a code outside the expected set, a malformed body). Every
// crash keeps the gateway's log tail and every 5xx its request and answer in full; the rest
// keep a few examples per group (category, generator, method, status), with exact counts, so a
// 20,000-request run's report stays readable.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type FindingCategory =
  /** The gateway process exited. */
  | 'crash'
  /** etcd stopped answering (the run cannot go on). */
  | 'etcd-exit'
  /** A 5xx kube-apiserver would not answer. */
  | '5xx'
  /** The connection closed or timed out without an answer. */
  | 'no-answer'
  /** /readyz did not answer 200 while the gateway ran. */
  | 'readyz'
  /** etcd holds a write the gateway did not accept (or lost one it did). */
  | 'stored-change'
  /** A code outside what kube-apiserver would answer to this request. */
  | 'unexpected-code'
  /** A body a client cannot read (no Status, bad watch stream, wrong content type). */
  | 'malformed-body';

/** Categories that are defects of the gateway whatever the fuzzer expected. */
export const GATEWAY_DEFECTS: readonly FindingCategory[] = ['crash', 'etcd-exit', '5xx', 'no-answer', 'readyz', 'stored-change'];

export interface FindingRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Finding {
  category: FindingCategory;
  generator: string;
  request?: FindingRequest;
  status?: number;
  problems: string[];
  answer?: string;
  /** The gateway's (or etcd's) log tail, for crashes and etcd exits. */
  log?: string;
  /** Requests sent before it was found. */
  afterRequests: number;
}

export interface FindingGroup {
  key: string;
  category: FindingCategory;
  count: number;
  examples: Finding[];
}

const EXAMPLES_PER_GROUP = 3;
/** Kept in full whatever their number (each is a defect to fix). */
const KEEP_ALL: ReadonlySet<FindingCategory> = new Set(['crash', 'etcd-exit', '5xx', 'no-answer']);

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…(${s.length})` : s);

/** A request as it is worth keeping: long headers and bodies clipped, the admin token hidden. */
export function findingRequest(method: string, path: string, headers: Record<string, string>, body: string | undefined, adminToken: string): FindingRequest {
  const shown = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, clip(v.split(adminToken).join('<admin-token>'), 200)]));
  return { method, path: clip(path, 1_000), headers: shown, body: body === undefined ? undefined : clip(body, 4_000) };
}

export class Findings {
  private readonly groups = new Map<string, FindingGroup>();
  private readonly kept: Finding[] = [];
  readonly counts: Record<FindingCategory, number> = {
    crash: 0, 'etcd-exit': 0, '5xx': 0, 'no-answer': 0, readyz: 0, 'stored-change': 0, 'unexpected-code': 0, 'malformed-body': 0,
  };

  add(f: Finding): void {
    this.counts[f.category]++;
    if (KEEP_ALL.has(f.category)) this.kept.push(f);
    const key = [f.category, f.generator, f.request?.method ?? '-', f.status ?? '-', f.category === 'unexpected-code' ? '' : (f.problems[0] ?? '').replace(/\d+/g, 'N').slice(0, 60)].join(' ');
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { key, category: f.category, count: 0, examples: [] }));
    g.count++;
    if (g.examples.length < EXAMPLES_PER_GROUP) g.examples.push(f);
  }

  /** Findings of these categories, all of them for crash/etcd/5xx/no-answer, else examples. */
  list(category?: FindingCategory): Finding[] {
    if (category && KEEP_ALL.has(category)) return this.kept.filter((f) => f.category === category);
    const all = [...this.groups.values()].flatMap((g) => g.examples);
    return category ? all.filter((f) => f.category === category) : all;
  }

  /** Groups, most frequent first. */
  summary(): FindingGroup[] {
    return [...this.groups.values()].sort((a, b) => b.count - a.count);
  }

  /** Gateway defects found (0 is the bar). */
  defects(): number {
    return GATEWAY_DEFECTS.reduce((n, c) => n + this.counts[c], 0);
  }

  total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  /**
   * Writes `dir`: findings.json (every group with its examples), 5xx.jsonl and no-answer.jsonl
   * (each in full), crashes/<n>.log (the gateway's log tail at each crash) and etcd-exit.log.
   */
  write(dir: string): string[] {
    mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    const file = (name: string, text: string): void => {
      writeFileSync(join(dir, name), text);
      written.push(join(dir, name));
    };
    file('findings.json', JSON.stringify({ counts: this.counts, groups: this.summary() }, null, 2));
    for (const c of ['5xx', 'no-answer'] as const) file(`${c}.jsonl`, this.list(c).map((f) => JSON.stringify(f)).join('\n') + (this.counts[c] ? '\n' : ''));
    const crashes = [...this.list('crash'), ...this.list('etcd-exit')];
    if (crashes.length) mkdirSync(join(dir, 'crashes'), { recursive: true });
    crashes.forEach((f, i) => file(join('crashes', `${i + 1}-${f.category}.log`),
      `${f.category} after ${f.afterRequests} requests\n${f.problems.join('\n')}\n\nlast requests:\n${f.answer ?? ''}\n\nlog tail:\n${f.log ?? ''}\n`));
    return written;
  }
}
