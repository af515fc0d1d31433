// The client's HTTP/2 transport against a local h2 server (prior knowledge, no TLS): requests are
// streams on one connection; a GOAWAY moves later requests to a new connection, and a POST the
// server refused (a stream above GOAWAY's last id) is resent there exactly once.
import { createServer, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { KeelsonClient } from '@keelson/client';

const CM = { group: '', version: 'v1', resource: 'configmaps' };
let server: Http2Server;
let url: string;
let sessions: ServerHttp2Session[] = [];
const everySession: ServerHttp2Session[] = [];
let posts = 0;
/** When set, the session whose Nth stream arrives sends GOAWAY naming the stream before it as the last processed. */
let goawayOnStream: number | undefined;

beforeAll(async () => {
  server = createServer();
  server.on('session', (s) => {
    sessions.push(s);
    everySession.push(s);
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined); // the refused stream is reset
    if (goawayOnStream !== undefined && stream.id === goawayOnStream && stream.session) {
      goawayOnStream = undefined;
      stream.session.goaway(0, stream.id - 2); // client stream ids are odd: this one is refused
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      if (headers[':method'] === 'POST') posts++;
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: String(headers[':path']).split('/').pop()?.split('?')[0] } };
      stream.respond({ ':status': headers[':method'] === 'POST' ? 201 : 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of everySession) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  sessions = [];
  posts = 0;
});

test('concurrent requests share one HTTP/2 connection', async () => {
  const c = new KeelsonClient({ url, http2: true, retry: { baseDelayMs: 1 } });
  expect(c.protocol).toBe('http2');
  const got = await Promise.all(Array.from({ length: 50 }, (_, i) => c.get(CM, 'default', `cm-${i}`)));
  expect(got.map((o) => o.metadata.name)).toEqual(Array.from({ length: 50 }, (_, i) => `cm-${i}`));
  expect(sessions).toHaveLength(1);
  expect(c.connectionsOpened).toBe(1);
  c.close();
});

test('after GOAWAY a refused POST is resent once on a new connection; later requests use the new one', async () => {
  const c = new KeelsonClient({ url, http2: true, retry: { baseDelayMs: 1 } });
  await c.get(CM, 'default', 'first'); // stream 1
  goawayOnStream = 3; // the next stream is refused with GOAWAY(last stream 1)
  const created = await c.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'made', namespace: 'default' } });
  expect(created.metadata.name).toBe('made');
  expect(posts).toBe(1); // processed once, on the second connection
  expect(sessions).toHaveLength(2);
  await c.get(CM, 'default', 'after');
  expect(sessions).toHaveLength(2);
  expect(c.connectionsOpened).toBe(2);
  c.close();
});

test('a connection the server drops is replaced on the next request', async () => {
  const c = new KeelsonClient({ url, http2: true, retry: { baseDelayMs: 1 } });
  await c.get(CM, 'default', 'a');
  sessions[0].destroy(); // the client may or may not have seen the close when it sends: both must work
  expect((await c.get(CM, 'default', 'b')).metadata.name).toBe('b');
  expect(sessions).toHaveLength(2);
  c.close();
});

test('http2: false keeps HTTP/1.1', () => {
  const c = new KeelsonClient({ url: 'https://127.0.0.1:1', http2: false });
  expect(c.protocol).toBe('http/1.1');
  expect(new KeelsonClient({ url: 'https://127.0.0.1:1' }).protocol).toBe('http2');
  expect(new KeelsonClient({ url: 'http://127.0.0.1:1' }).protocol).toBe('http/1.1');
  c.close();
});
