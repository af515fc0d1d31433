// `npm run bench -- crd`: 100 CustomResourceDefinitions and 100 objects of each through the
// gateway — the time until every CRD is Established and served, then until every object is
// created and listed — beside a raw-etcd baseline of the same puts and ranges, in one run.
import { Agent, request } from 'node:https';
import { Etcd3 } from 'etcd3';
import { startControlPlane, type ControlPlane } from '@keelson/testing';
import { measure, printTable, round, writeResult } from './stats';

const CRDS = Number(process.env.KEELSON_BENCH_CRDS ?? 100);
const OBJECTS = Number(process.env.KEELSON_BENCH_OBJECTS_PER_CRD ?? 100);
const CONCURRENCY = 16;

const group = (i: number): string => `bench${i}.example.com`;
const plural = (i: number): string => `widgets${i}`;

function crdJson(i: number): string {
  return JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural(i)}.${group(i)}` },
    spec: {
      group: group(i),
      scope: 'Namespaced',
      names: { plural: plural(i), kind: `Widget${i}` },
      versions: [{
        name: 'v1', served: true, storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: {
          size: { type: 'integer', minimum: 0, maximum: 1000, default: 1 },
          colour: { type: 'string', enum: ['red', 'green', 'blue'] },
          tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        }, 'x-kubernetes-validations': [{ rule: 'self.size >= 0', message: 'size must not be negative' }] } } } },
        additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
      }],
    },
  });
}

function objectJson(i: number, j: number): string {
  return JSON.stringify({ apiVersion: `${group(i)}/v1`, kind: `Widget${i}`, metadata: { name: `w-${j}`, namespace: 'default' }, spec: { size: j, colour: 'blue', tags: ['a', 'b'] } });
}

function call(agent: Agent, cp: ControlPlane, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${cp.creds.adminToken}` };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    const req = request(`${cp.url}${path}`, { method, agent, ca: cp.creds.caPem, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function expectStatus(p: Promise<{ status: number; body: string }>, code: number): Promise<void> {
  const r = await p;
  if (r.status !== code) throw new Error(`HTTP ${r.status}: ${r.body.slice(0, 300)}`);
}

const seconds = (t0: bigint): number => round(Number(process.hrtime.bigint() - t0) / 1e9, 3);

async function pollUntil(what: string, check: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function runCrdBench(): Promise<void> {
  const cp = await startControlPlane();
  const etcd = new Etcd3(cp.etcd.clientOptions);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const indexes = Array.from({ length: CRDS }, (_, i) => i);
  try {
    // Raw etcd: the same CRD and object JSON put under /bench, then one range per resource.
    const rawStart = process.hrtime.bigint();
    await measure(CRDS, CONCURRENCY, async (i) => void (await etcd.put(`/bench/crds/${plural(i)}.${group(i)}`).value(crdJson(i))));
    const rawCrds = seconds(rawStart);
    const rawObjStart = process.hrtime.bigint();
    await measure(CRDS * OBJECTS, CONCURRENCY, async (k) => {
      const i = Math.floor(k / OBJECTS);
      await etcd.put(`/bench/${group(i)}/${plural(i)}/default/w-${k % OBJECTS}`).value(objectJson(i, k % OBJECTS));
    });
    for (const i of indexes) {
      const n = await etcd.getAll().prefix(`/bench/${group(i)}/${plural(i)}/`).keys();
      if (n.length !== OBJECTS) throw new Error(`raw range of ${plural(i)} has ${n.length} keys`);
    }
    const rawObjects = seconds(rawObjStart);

    // Through the gateway: create, then wait until each CRD is Established and its resource served.
    const crdStart = process.hrtime.bigint();
    const crdCreates = await measure(CRDS, CONCURRENCY, (i) => expectStatus(call(agent, cp, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crdJson(i)), 201));
    const pending = new Set(indexes);
    await pollUntil('every CRD served', async () => {
      const list = JSON.parse((await call(agent, cp, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions')).body) as { items: { spec: { group: string }; status?: { conditions?: { type: string; status: string }[] } }[] };
      const established = new Set(list.items.filter((c) => c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True')).map((c) => c.spec.group));
      for (const i of [...pending]) {
        if (established.has(group(i)) && (await call(agent, cp, 'GET', `/apis/${group(i)}/v1/namespaces/default/${plural(i)}?limit=1`)).status === 200) pending.delete(i);
      }
      return pending.size === 0;
    });
    const apiCrds = seconds(crdStart);

    const objStart = process.hrtime.bigint();
    const objCreates = await measure(CRDS * OBJECTS, CONCURRENCY, (k) => {
      const i = Math.floor(k / OBJECTS);
      return expectStatus(call(agent, cp, 'POST', `/apis/${group(i)}/v1/namespaces/default/${plural(i)}`, objectJson(i, k % OBJECTS)), 201);
    });
    for (const i of indexes) {
      const list = JSON.parse((await call(agent, cp, 'GET', `/apis/${group(i)}/v1/namespaces/default/${plural(i)}`)).body) as { items: unknown[] };
      if (list.items.length !== OBJECTS) throw new Error(`${plural(i)} lists ${list.items.length} objects`);
    }
    const apiObjects = seconds(objStart);

    const rows = [
      { phase: `${CRDS} CRDs created → all served`, items: CRDS, api_s: apiCrds, etcd_s: rawCrds, api_create_p50_ms: crdCreates.p50_ms, api_create_p99_ms: crdCreates.p99_ms },
      { phase: `${CRDS * OBJECTS} objects created → all listed`, items: CRDS * OBJECTS, api_s: apiObjects, etcd_s: rawObjects, api_create_p50_ms: objCreates.p50_ms, api_create_p99_ms: objCreates.p99_ms },
    ];
    printTable(
      ['phase', 'items', 'api s', 'etcd s', 'api/etcd', 'api items/s', 'create p50 ms', 'create p99 ms'],
      rows.map((r) => [r.phase, r.items, r.api_s, r.etcd_s, round(r.api_s / r.etcd_s, 2), round(r.items / r.api_s, 1), r.api_create_p50_ms, r.api_create_p99_ms]),
    );
    const file = writeResult('crd', { benchmark: 'crd', crds: CRDS, objects_per_crd: OBJECTS, concurrency: CONCURRENCY, runs: rows.map((r) => ({ ...r, ratio: round(r.api_s / r.etcd_s, 3) })) });
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    agent.destroy();
    etcd.close();
    await cp.stop();
  }
}
