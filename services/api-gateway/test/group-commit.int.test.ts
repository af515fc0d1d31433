// Group commit through the gateway (on by default, KEELSON_ETCD_GROUP_COMMIT): concurrent
// creates over HTTPS share etcd transactions, and when one of them names an existing object its
// group falls back so that exactly that request gets 409 AlreadyExists and every other one 201.
// The gateway's /metrics show the groups and the fallback.
import { startControlPlane, type ControlPlane } from '@keelson/testing';

const CMS = '/api/v1/namespaces/default/configmaps';
const configMap = (name: string): string => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { name } });

async function metric(cp: ControlPlane, name: string): Promise<number> {
  const res = await cp.request('GET', '/metrics');
  expect(res.status).toBe(200);
  const line = res.body.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('group commit in the gateway', () => {
  jest.setTimeout(120_000);
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(() => cp?.stop());

  test('one existing name among concurrent creates: exactly that request is 409 AlreadyExists, the others 201 at their own revisions', async () => {
    expect((await cp.request('POST', CMS, { body: configMap('taken'), headers: { 'content-type': 'application/json' } })).status).toBe(201);
    const fallbacksBefore = await metric(cp, 'keelson_etcd_group_commit_fallbacks_total');
    // Rounds until the conflicting create shared a txn with others (the gateway groups what
    // arrives together, which the machine's load decides); each round must answer exactly.
    for (let round = 0; round < 10; round++) {
      const names = Array.from({ length: 24 }, (_, i) => (i === 12 ? 'taken' : `r${round}-cm-${i}`));
      const results = await Promise.all(names.map((name) => cp.request('POST', CMS, { body: configMap(name), headers: { 'content-type': 'application/json' } })));
      results.forEach((res, i) => {
        if (names[i] === 'taken') {
          expect(res.status).toBe(409);
          expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', code: 409, message: 'configmaps "taken" already exists', details: { name: 'taken', kind: 'configmaps' } });
        } else {
          expect(res.status).toBe(201);
        }
      });
      // Every created object reads back at the resourceVersion its create returned.
      for (const [i, res] of results.entries()) {
        if (names[i] === 'taken') continue;
        const created = JSON.parse(res.body) as { metadata: { resourceVersion: string } };
        const got = await cp.request('GET', `${CMS}/${names[i]}`);
        expect((JSON.parse(got.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion).toBe(created.metadata.resourceVersion);
      }
      if ((await metric(cp, 'keelson_etcd_group_commit_fallbacks_total')) > fallbacksBefore) break;
    }
    expect(await metric(cp, 'keelson_etcd_group_commit_fallbacks_total')).toBeGreaterThan(fallbacksBefore);
    expect(await metric(cp, 'keelson_etcd_group_commit_groups_total')).toBeGreaterThan(0);
    // The first object was never overwritten.
    expect(JSON.parse((await cp.request('GET', `${CMS}/taken`)).body)).toMatchObject({ data: { name: 'taken' } });
  });

  test('updates with resourceVersions in one burst: the stale ones are 409 Conflict, the current ones 200', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `upd-${i}`);
    const created = await Promise.all(names.map(async (name) => {
      const res = await cp.request('POST', CMS, { body: configMap(name), headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(201);
      return JSON.parse(res.body) as { metadata: { name: string; resourceVersion: string }; data: Record<string, string> };
    }));
    // Every third object moves on first, so its resourceVersion in the burst is stale.
    for (const [i, o] of created.entries()) {
      if (i % 3 !== 0) continue;
      const res = await cp.request('PUT', `${CMS}/${o.metadata.name}`, { body: JSON.stringify({ ...o, apiVersion: 'v1', kind: 'ConfigMap', data: { moved: 'yes' } }), headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(200);
    }
    const results = await Promise.all(created.map((o) =>
      cp.request('PUT', `${CMS}/${o.metadata.name}`, { body: JSON.stringify({ ...o, apiVersion: 'v1', kind: 'ConfigMap', data: { burst: 'yes' } }), headers: { 'content-type': 'application/json' } })));
    results.forEach((res, i) => {
      if (i % 3 === 0) {
        expect(res.status).toBe(409);
        expect(JSON.parse(res.body)).toMatchObject({ reason: 'Conflict', message: `Operation cannot be fulfilled on configmaps "${names[i]}": the object has been modified; please apply your changes to the latest version and try again` });
      } else {
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body)).toMatchObject({ data: { burst: 'yes' } });
      }
    });
  });
});
