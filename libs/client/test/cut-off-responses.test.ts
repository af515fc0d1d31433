// A response the server never finished is a failure, never a success. Under compose chaos a
// gateway killed mid-request ended the client's HTTP/2 stream without an answer (or with part of
// one), and the transport resolved it: status 0 with an empty body, which `json()` made `{}`.
// A pod DELETE "succeeded" that never happened, so the replicaset-controller waited for deletions
// that could never come (its expectations held it for 5 minutes), an informer's list was `{}`
// ("first.items is not iterable"), a reconcile read `{}.metadata.name`. Each way a server can cut
// a stream short is played here by a real HTTP/2 (and HTTP/1.1) server, over the client's transport.
import { createServer as createH2Server, constants, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import { createServer as createH1Server, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ConnectionError, KeelsonClient } from '@keelson/client';

type H2Behaviour = (s: ServerHttp2Stream, raw: () => Socket) => void;
type H1Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

let h2: Http2Server;
let h1: Server;
let h2Url: string;
let h1Url: string;
let behave: H2Behaviour = () => undefined;
let behave1: H1Behaviour = () => undefined;
let served = 0;
const sockets = new Set<Socket>();
let lastSocket: Socket | undefined;

const PODS = { group: '', version: 'v1', resource: 'pods' };
const LIST = JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '7' }, items: [{ metadata: { name: 'a', namespace: 'default' } }] });

beforeAll(async () => {
  h2 = createH2Server();
  h2.on('connection', (s: Socket) => {
    lastSocket = s;
    sockets.add(s);
  });
  h2.on('stream', (stream) => {
    served++;
    const socket = lastSocket!;
    stream.on('error', () => undefined);
    behave(stream, () => socket);
  });
  await new Promise<void>((r) => h2.listen(0, '127.0.0.1', r));
  h2Url = `http://127.0.0.1:${(h2.address() as AddressInfo).port}`;
  h1 = createH1Server((req, res) => {
    served++;
    behave1(req, res);
  });
  h1.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => h1.listen(0, '127.0.0.1', r));
  h1Url = `http://127.0.0.1:${(h1.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all([new Promise<void>((r) => h2.close(() => r())), new Promise<void>((r) => h1.close(() => r()))]);
});
beforeEach(() => {
  served = 0;
});

const h2Client = (maxRetries = 0): KeelsonClient => new KeelsonClient({ url: h2Url, http2: true, timeoutMs: 5000, retry: { maxRetries, baseDelayMs: 1, maxDelayMs: 5 } });
const h1Client = (maxRetries = 0): KeelsonClient => new KeelsonClient({ url: h1Url, http2: false, timeoutMs: 5000, retry: { maxRetries, baseDelayMs: 1, maxDelayMs: 5 } });

const fullList: H2Behaviour = (s) => {
  s.respond({ ':status': 200, 'content-type': 'application/json', 'content-length': Buffer.byteLength(LIST) });
  s.end(LIST);
};

describe('HTTP/2', () => {
  test('a complete answer still resolves (also when the server resets the stream after it, RFC 9113 8.1)', async () => {
    const c = h2Client();
    behave = fullList;
    expect((await c.list(PODS, 'default')).items).toHaveLength(1);
    behave = (s) => {
      fullList(s, () => lastSocket!);
      s.close(constants.NGHTTP2_NO_ERROR);
    };
    expect((await c.list(PODS, 'default')).items).toHaveLength(1);
    c.close();
  });

  test('the connection dies before any answer: a DELETE fails (it may or may not have happened), never succeeds', async () => {
    const c = h2Client();
    behave = (_s, raw) => setTimeout(() => raw().destroy(), 20);
    await expect(c.delete(PODS, 'default', 'p1')).rejects.toMatchObject({ code: 'ECONNRESET' });
    c.close();
  });

  test('the stream is reset (NO_ERROR) before any answer: the call fails', async () => {
    const c = h2Client();
    behave = (s) => setTimeout(() => s.close(constants.NGHTTP2_NO_ERROR), 20);
    await expect(c.delete(PODS, 'default', 'p1')).rejects.toBeInstanceOf(ConnectionError);
    c.close();
  });

  test('the connection dies in the middle of the body: the call fails', async () => {
    const c = h2Client();
    behave = (s, raw) => {
      s.respond({ ':status': 200, 'content-type': 'application/json', 'content-length': Buffer.byteLength(LIST) });
      s.write(LIST.slice(0, 20));
      setTimeout(() => raw().destroy(), 20);
    };
    await expect(c.list(PODS, 'default')).rejects.toBeInstanceOf(ConnectionError);
    c.close();
  });

  test('a body shorter than its Content-Length (stream reset NO_ERROR mid-body) fails (Node itself calls it a protocol error)', async () => {
    const c = h2Client();
    behave = (s) => {
      s.respond({ ':status': 200, 'content-type': 'application/json', 'content-length': Buffer.byteLength(LIST) });
      s.write(LIST.slice(0, 20));
      setTimeout(() => s.close(constants.NGHTTP2_NO_ERROR), 20);
    };
    await expect(c.get(PODS, 'default', 'a')).rejects.toBeInstanceOf(ConnectionError);
    c.close();
  });

  test('headers then a dead connection (no body, no Content-Length) fails', async () => {
    const c = h2Client();
    behave = (s, raw) => {
      s.respond({ ':status': 200, 'content-type': 'application/json' });
      setTimeout(() => raw().end(), 20);
    };
    await expect(c.get(PODS, 'default', 'a')).rejects.toBeInstanceOf(ConnectionError);
    c.close();
  });

  test('an idempotent GET cut off is retried on a new connection and then succeeds', async () => {
    const c = h2Client(3);
    let n = 0;
    behave = (s, raw) => {
      if (n++ === 0) return void setTimeout(() => raw().destroy(), 20);
      fullList(s, raw);
    };
    expect((await c.list(PODS, 'default')).metadata.resourceVersion).toBe('7');
    expect(served).toBe(2);
    c.close();
  });

  test('a POST cut off after it reached the server is not resent (it may have been processed)', async () => {
    const c = h2Client(3);
    behave = (_s, raw) => setTimeout(() => raw().destroy(), 20);
    await expect(c.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' } })).rejects.toBeInstanceOf(ConnectionError);
    expect(served).toBe(1);
    c.close();
  });
});

describe('HTTP/1.1', () => {
  test('the connection dies in the middle of the body: the call fails', async () => {
    const c = h1Client();
    behave1 = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(LIST) });
      res.write(LIST.slice(0, 20));
      setTimeout(() => res.socket?.destroy(), 20);
    };
    await expect(c.list(PODS, 'default')).rejects.toThrow();
    c.close();
  });

  test('a 200 with an empty body is no object: get() fails instead of returning {}', async () => {
    const c = h1Client();
    behave1 = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 0 });
      res.end();
    };
    await expect(c.get(PODS, 'default', 'a')).rejects.toThrow(/empty/);
    c.close();
  });
});
