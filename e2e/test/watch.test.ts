// WATCH semantics beyond what kubectl exercises: sendInitialEvents (the WatchList protocol
// client-go uses) with its closing bookmark, and an explicit sendInitialEvents=false.
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

let c: ControlPlane;
const CMS = '/api/v1/namespaces/default/configmaps';
beforeAll(async () => {
  c = await startControlPlane();
  for (const n of ['one', 'two']) {
    const r = await c.request('POST', CMS, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n } }), headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(201);
  }
});
afterAll(async () => {
  await c?.stop();
});

// Every namespace also holds the kube-root-ca.crt ConfigMap (as in Kubernetes): left out here.
const events = (body: string): { type: string; object: { metadata: { name?: string; annotations?: Record<string, string> } } }[] =>
  body.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e: { object: { metadata: { name?: string } } }) => e.object.metadata.name !== 'kube-root-ca.crt');

test('sendInitialEvents=true streams the current state, then a bookmark marking its end', async () => {
  const list = JSON.parse((await c.request('GET', CMS)).body) as { metadata: { resourceVersion: string } };
  const q = `watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=1`;
  const got = events((await c.request('GET', `${CMS}?${q}`)).body);
  expect(got.slice(0, 2).map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED one', 'ADDED two']);
  expect(got[2].type).toBe('BOOKMARK');
  expect(got[2].object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
});

test('sendInitialEvents=false with no resourceVersion starts at the most recent change', async () => {
  const got = events((await c.request('GET', `${CMS}?watch=true&sendInitialEvents=false&timeoutSeconds=1`)).body);
  expect(got).toEqual([]);
  // Without the parameter, an unset resourceVersion means "current state first", as in Kubernetes.
  const dflt = events((await c.request('GET', `${CMS}?watch=true&timeoutSeconds=1`)).body);
  expect(dflt.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED one', 'ADDED two']);
});
