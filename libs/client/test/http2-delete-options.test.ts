// A DELETE over the client's HTTP/2 transport carries its DeleteOptions body (preconditions,
// propagationPolicy), as controllers send it: Node ends DELETE streams at once unless told that a
// body follows, and the cronjob-controller's deletes failed with "write after end".
import { createServer, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { KeelsonClient } from '@keelson/client';

const JOBS = { group: 'batch', version: 'v1', resource: 'jobs' };
let server: Http2Server;
let url: string;
const sessions: ServerHttp2Session[] = [];
const seen: { method: string; path: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer();
  server.on('session', (s) => sessions.push(s));
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      seen.push({ method: String(headers[':method']), path: String(headers[':path']), body: Buffer.concat(chunks).toString() });
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ apiVersion: 'v1', kind: 'Status', status: 'Success' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sessions) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

test('DELETE with preconditions and a propagation policy sends them as its body', async () => {
  const c = new KeelsonClient({ url, http2: true, retry: { baseDelayMs: 1 } });
  await c.delete(JOBS, 'default', 'nightly-1', { propagationPolicy: 'Background', preconditions: { uid: 'u-1' } });
  await c.delete(JOBS, 'default', 'nightly-2');
  c.close();
  expect(seen).toHaveLength(2);
  expect(seen[0]).toMatchObject({ method: 'DELETE', path: '/apis/batch/v1/namespaces/default/jobs/nightly-1' });
  expect(JSON.parse(seen[0].body)).toEqual({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', preconditions: { uid: 'u-1' } });
  expect(seen[1]).toMatchObject({ method: 'DELETE', body: '' });
});
