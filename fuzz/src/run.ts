// `npm run fuzz`: KEELSON_FUZZ_RUNS (default 20,000) generated requests against a gateway with
// real etcd and NATS; prints the table the issue asks for and writes .keelson/bench/fuzz.json.
// Exits 1 when an invariant broke (5xx, a crash, a malformed answer, an unexpected stored change).
import { startControlPlane } from '@keelson/testing';
import { printTable, writeResult } from '@keelson/bench/dist/stats';
import { runFuzz } from './fuzzer';

const RUNS = Number(process.env.KEELSON_FUZZ_RUNS ?? 20_000);
const SEED = process.env.KEELSON_FUZZ_SEED ? Number(process.env.KEELSON_FUZZ_SEED) : undefined;
const CONCURRENCY = Number(process.env.KEELSON_FUZZ_CONCURRENCY ?? 16);

async function main(): Promise<number> {
  const cp = await startControlPlane({ nats: true });
  try {
    const t0 = Date.now();
    const r = await runFuzz(cp, {
      runs: RUNS, seed: SEED, concurrency: CONCURRENCY,
      onProgress: (n) => { if (n % 2_000 === 0) process.stderr.write(`fuzz: ${n}/${RUNS} requests (${Math.round((Date.now() - t0) / 1000)} s)\n`); },
    });
    const codes = Object.entries(r.byStatus).sort(([a], [b]) => Number(a) - Number(b)).map(([c, n]) => `${c}:${n}`).join(' ');
    printTable(['requests', 'by status code', '5xx', 'crashes', 'unexpected stored changes', 'other violations', 'seconds', 'seed'],
      [[r.requests, codes, r.fiveXX, r.crashes, r.unexpectedStoredChanges.length, r.violations - r.fiveXX - r.crashes, r.seconds, r.seed]]);
    for (const v of r.examples.slice(0, 10)) process.stdout.write(`\n${v.generator} ${v.request.method} ${v.request.path} → ${v.status ?? '-'}: ${v.problems.join('; ')}\n  ${(v.answer ?? '').slice(0, 300)}\n`);
    for (const c of r.unexpectedStoredChanges.slice(0, 10)) process.stdout.write(`stored change: ${c.key} expected ${c.expected} stored ${c.stored}\n`);
    const file = writeResult('fuzz', {
      requests: r.requests, unsent: r.unsent, by_status: r.byStatus, by_generator: r.byGenerator, five_xx: r.fiveXX, crashes: r.crashes, readyz_failures: r.readyzFailures,
      violations: r.violations, unexpected_stored_changes: r.unexpectedStoredChanges.length, stored_changes: r.unexpectedStoredChanges.slice(0, 100), examples: r.examples,
      seconds: r.seconds, seed: r.seed, concurrency: CONCURRENCY,
    });
    process.stdout.write(`\nwrote ${file}\n`);
    return r.violations === 0 && r.unexpectedStoredChanges.length === 0 ? 0 : 1;
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
