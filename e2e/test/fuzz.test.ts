// A short fuzz run inside `npm test` (the long one is `npm run fuzz`, fuzz/src/run.ts): fast-check
// generates object bodies, the four patch types, selectors, query parameters, paths and headers
// for ConfigMaps, Secrets, Services, Pods, Deployments and a CRD's objects, sent to a gateway with
// real etcd and NATS. Every answer must be a well-formed Status or object with an expected code
// (never 5xx), the gateway must stay up and ready, and etcd must hold exactly the accepted writes.
import { startControlPlane, type ControlPlane } from '@keelson/testing';
import { runFuzz } from '../../fuzz/src';

jest.setTimeout(90_000);

const RUNS = Number(process.env.KEELSON_FUZZ_TEST_RUNS ?? 600);

let c: ControlPlane;
beforeAll(async () => {
  c = await startControlPlane({ nats: true });
});
afterAll(async () => {
  await c?.stop();
});

test(`${RUNS} generated requests: expected codes, well-formed answers, no crash, only accepted writes stored`, async () => {
  const r = await runFuzz(c, { runs: RUNS, seed: Number(process.env.KEELSON_FUZZ_SEED ?? 7), concurrency: 8 });
  const summary = { seed: r.seed, requests: r.requests, fiveXX: r.fiveXX, crashes: r.crashes, readyzFailures: r.readyzFailures, violations: r.violations, examples: r.examples.slice(0, 5), storedChanges: r.unexpectedStoredChanges.slice(0, 10) };
  expect(summary).toMatchObject({ requests: expect.any(Number), fiveXX: 0, crashes: 0, readyzFailures: 0, violations: 0, examples: [], storedChanges: [] });
  expect(r.requests).toBeGreaterThanOrEqual(RUNS * 0.95); // a few may be unsendable (Node refuses the header)
  // The generators reached every kind of request.
  for (const g of ['create/valid', 'update/', 'patch/json', 'patch/merge', 'patch/strategic', 'patch/apply', 'get', 'list', 'watch', 'delete', 'path']) {
    expect(Object.keys(r.byGenerator).some((k) => k.startsWith(g))).toBe(true);
  }
  // Writes were accepted too, not only refused.
  expect((r.byStatus['201'] ?? 0) + (r.byStatus['200'] ?? 0)).toBeGreaterThan(RUNS / 10);
});
