// Retry rules: idempotent verbs retry 503 and connection errors with back-off; POST does not retry a 503.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '@keelson/api';
import { ConnectionError, KeelsonClient } from '@keelson/client';

const CM = { group: '', version: 'v1', resource: 'configmaps' };
let server: Server;
let url: string;
let failuresLeft = 0;
let calls = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    calls++;
    if (failuresLeft > 0) {
      failuresLeft--;
      res.writeHead(503, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'ServiceUnavailable', code: 503, message: 'busy' }));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' }, auth: req.headers.authorization }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => { calls = 0; failuresLeft = 0; });

test('GET retries 503 until it succeeds and sends the bearer token', async () => {
  const c = new KeelsonClient({ url, token: 't0k', retry: { baseDelayMs: 1 } });
  failuresLeft = 3;
  const o = await c.get(CM, 'default', 'x');
  expect(o.auth).toBe('Bearer t0k');
  expect(calls).toBe(4);
  c.close();
});

test('GET gives up after maxRetries with the ApiError of the last answer', async () => {
  const c = new KeelsonClient({ url, retry: { baseDelayMs: 1, maxRetries: 2 } });
  failuresLeft = 10;
  await expect(c.get(CM, 'default', 'x')).rejects.toMatchObject({ code: 503, reason: 'ServiceUnavailable', message: 'busy' });
  expect(calls).toBe(3);
  c.close();
});

test('POST does not retry a 503 (the server may have acted on it)', async () => {
  const c = new KeelsonClient({ url, retry: { baseDelayMs: 1 } });
  failuresLeft = 1;
  await expect(c.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } })).rejects.toBeInstanceOf(ApiError);
  expect(calls).toBe(1);
  c.close();
});

test('a refused connection is retried, then reported as ConnectionError', async () => {
  const c = new KeelsonClient({ url: 'http://127.0.0.1:1', retry: { baseDelayMs: 1, maxRetries: 2 } });
  await expect(c.get(CM, 'default', 'x')).rejects.toBeInstanceOf(ConnectionError);
  c.close();
});
