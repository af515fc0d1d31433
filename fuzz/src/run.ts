// `npm run fuzz`: KEELSON_FUZZ_RUNS (default 20,000) generated requests against a gateway with
// real etcd and NATS; prints the figures the issue asks for and writes them to
// .keelson/fuzz/summary.json, with every finding under .keelson/fuzz/seed-<seed>/ (findings.ts:
// each crash's gateway log, each 5xx in full, examples of the rest). Exits 1 when an invariant
// broke (5xx, a crash, etcd gone, a malformed answer, an unexpected stored change).
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { startControlPlane } from '@keelson/testing';
import { printTable } from '@keelson/bench/dist/stats';
import { GATEWAY_DEFECTS } from './findings';
import { runFuzz } from './fuzzer';

const RUNS = Number(process.env.KEELSON_FUZZ_RUNS ?? 20_000);
const SEED = process.env.KEELSON_FUZZ_SEED ? Number(process.env.KEELSON_FUZZ_SEED) : undefined;
const CONCURRENCY = Number(process.env.KEELSON_FUZZ_CONCURRENCY ?? 16);
const OUT = join(process.cwd(), '.keelson', 'fuzz');

async function main(): Promise<number> {
  const cp = await startControlPlane({ nats: true });
  try {
    const t0 = Date.now();
    const r = await runFuzz(cp, {
      runs: RUNS, seed: SEED, concurrency: CONCURRENCY,
      onProgress: (n) => { if (n % 2_000 === 0) process.stderr.write(`fuzz: ${n}/${RUNS} requests (${Math.round((Date.now() - t0) / 1000)} s)\n`); },
    });
    const f = r.findings;
    const codes = Object.entries(r.byStatus).sort(([a], [b]) => Number(a) - Number(b)).map(([c, n]) => `${c}:${n}`).join(' ');
    printTable(['requests', 'by status code', '5xx', 'crashes', 'etcd exits', 'unexpected stored changes', 'readyz failures', 'no answer', 'wrong code', 'malformed', 'seconds', 'seed'],
      [[r.requests, codes, f.counts['5xx'], f.counts.crash, f.counts['etcd-exit'], f.counts['stored-change'], f.counts.readyz, f.counts['no-answer'], f.counts['unexpected-code'], f.counts['malformed-body'], r.seconds, r.seed]]);
    for (const g of f.summary().slice(0, 15)) {
      const e = g.examples[0];
      process.stdout.write(`\n[${g.count}×] ${g.key}\n  ${e.request ? `${e.request.method} ${e.request.path.slice(0, 200)}` : ''} → ${e.status ?? '-'}: ${e.problems.join('; ').slice(0, 300)}\n  ${(e.answer ?? '').slice(0, 300).replace(/\n/g, '\n  ')}\n`);
    }
    for (const w of r.namespaceWrites.slice(0, 10)) process.stdout.write(`namespace written by: ${w}\n`);
    const dir = join(OUT, `seed-${r.seed}`);
    const written = f.write(dir);
    const summary = {
      seed: r.seed, runs: RUNS, concurrency: CONCURRENCY, requests: r.requests, unsent: r.unsent, seconds: r.seconds,
      requests_per_second: Math.round(r.requests / Math.max(r.seconds, 0.1)),
      by_status: r.byStatus, by_generator: r.byGenerator, ms_by_generator: r.msByGenerator,
      five_xx: f.counts['5xx'], crashes: f.counts.crash, etcd_exited_after: r.etcdExitedAfter ?? null, readyz_failures: f.counts.readyz, no_answer: f.counts['no-answer'],
      unexpected_stored_changes: f.counts['stored-change'], unexpected_codes: f.counts['unexpected-code'], malformed_bodies: f.counts['malformed-body'],
      gateway_defects: f.defects(), namespace_writes: r.namespaceWrites, findings_dir: dir,
      passed: f.total() === 0,
    };
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'summary.json'), JSON.stringify(summary, null, 2));
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
    process.stdout.write(`\nwrote ${join(OUT, 'summary.json')} and ${written.length} files under ${dir}\n`);
    process.stdout.write(`gateway defects (${GATEWAY_DEFECTS.join(', ')}): ${f.defects()}; fuzzer expectations broken: ${f.counts['unexpected-code'] + f.counts['malformed-body']}\n`);
    return summary.passed ? 0 : 1;
  } finally {
    await cp.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fuzz failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
