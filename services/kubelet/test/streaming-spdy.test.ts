// The kubelet's SPDY/3.1 port-forward server, driven by a hand-written client speaking the frames
// spdystream (client-go) sends: SYN_STREAM with zlib-compressed headers, DATA with FIN, PING.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { constants as zc, createDeflate, createInflate } from 'node:zlib';
import { encodeHeaderBlock, parseHeaderBlock, SPDY3_DICTIONARY } from '../src/streaming/spdy';
import { spawn } from 'node:child_process';
import { netnsDialer, servePortForward, tcpDialer } from '../src/streaming/port-forward';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as never;

interface Frame { control: boolean; type: number; id: number; flags: number; body: Buffer }

/** A SPDY client over a TCP connection to a port-forward session. */
class Client {
  private buf = Buffer.alloc(0);
  private readonly deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
  private readonly inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];

  constructor(private readonly sock: Socket) {
    sock.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      while (this.buf.length >= 8 && this.buf.length >= 8 + (this.buf.readUInt32BE(4) & 0xffffff)) {
        const len = this.buf.readUInt32BE(4) & 0xffffff;
        const f = this.buf.subarray(0, 8 + len);
        this.buf = this.buf.subarray(8 + len);
        const control = (f[0] & 0x80) !== 0;
        const body = f.subarray(8);
        this.frames.push({ control, type: control ? f.readUInt16BE(2) : 0, id: control ? (body.length >= 4 ? body.readUInt32BE(0) & 0x7fffffff : 0) : f.readUInt32BE(0) & 0x7fffffff, flags: f[4], body });
      }
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  async until<T>(pick: () => T | undefined): Promise<T> {
    for (;;) {
      const v = pick();
      if (v !== undefined) return v;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  async synStream(id: number, headers: Record<string, string>, fin = false): Promise<void> {
    const block = await new Promise<Buffer>((ok) => {
      const out: Buffer[] = [];
      const onData = (c: Buffer) => out.push(c);
      this.deflate.on('data', onData);
      this.deflate.write(encodeHeaderBlock(headers));
      this.deflate.flush(zc.Z_SYNC_FLUSH, () => {
        this.deflate.off('data', onData);
        ok(Buffer.concat(out));
      });
    });
    const body = Buffer.alloc(10);
    body.writeUInt32BE(id, 0);
    this.control(1, fin ? 1 : 0, Buffer.concat([body, block]));
  }

  data(id: number, data: Buffer, fin: boolean): void {
    const h = Buffer.alloc(8);
    h.writeUInt32BE(id, 0);
    h.writeUInt32BE(((fin ? 1 : 0) << 24) | data.length, 4);
    this.sock.write(Buffer.concat([h, data]));
  }

  control(type: number, flags: number, body: Buffer): void {
    const h = Buffer.alloc(8);
    h.writeUInt16BE(0x8003, 0);
    h.writeUInt16BE(type, 2);
    h.writeUInt32BE((flags << 24) | body.length, 4);
    this.sock.write(Buffer.concat([h, body]));
  }

  /** Everything received on stream `id` until its FIN. */
  received(id: number): Buffer | undefined {
    const frames = this.frames.filter((f) => !f.control && f.id === id);
    if (!frames.some((f) => f.flags & 1)) return undefined;
    return Buffer.concat(frames.map((f) => f.body));
  }

  inflateReply(block: Buffer): Promise<Map<string, string>> {
    return new Promise((ok) => {
      const out: Buffer[] = [];
      const onData = (c: Buffer) => out.push(c);
      this.inflate.on('data', onData);
      this.inflate.write(block);
      this.inflate.flush(zc.Z_SYNC_FLUSH, () => {
        this.inflate.off('data', onData);
        ok(parseHeaderBlock(Buffer.concat(out)));
      });
    });
  }
}

let echo: Server;
let kubelet: Server;
let client: Client;
let sock: Socket;

beforeAll(async () => {
  echo = createServer((s) => s.pipe(s));
  kubelet = createServer((s) => servePortForward(s, tcpDialer('127.0.0.1'), silent));
  await Promise.all([echo, kubelet].map((srv) => new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))));
  sock = connect((kubelet.address() as AddressInfo).port, '127.0.0.1');
  client = new Client(sock);
});
afterAll(async () => {
  sock.destroy();
  await Promise.all([echo, kubelet].map((srv) => new Promise((r) => srv.close(r))));
});

test('the SPDY/3 header dictionary has the spec\'s size', () => {
  expect(SPDY3_DICTIONARY.length).toBe(1423);
});

test('a forwarded connection: both streams get a SYN_REPLY, data reaches the port and comes back, then both streams end', async () => {
  const port = String((echo.address() as AddressInfo).port);
  await client.synStream(1, { streamtype: 'error', port, requestid: '0' }, true); // the client half-closes its error stream at once
  await client.synStream(3, { streamtype: 'data', port, requestid: '0' });
  const replies = await client.until(() => {
    const r = client.frames.filter((f) => f.control && f.type === 2);
    return r.length === 2 ? r : undefined;
  });
  expect(replies.map((r) => r.id).sort()).toEqual([1, 3]);
  expect((await client.inflateReply(replies[0].body.subarray(4))).size).toBe(0);
  client.data(3, Buffer.from('hello through the pod'), false);
  await client.until(() => (Buffer.concat(client.frames.filter((f) => !f.control && f.id === 3).map((f) => f.body)).toString() === 'hello through the pod' ? true : undefined));
  client.data(3, Buffer.alloc(0), true); // the local side closed: the echo server ends too
  expect((await client.until(() => client.received(3))).toString()).toBe('hello through the pod');
  expect((await client.until(() => client.received(1))).length).toBe(0); // no error
});

test('a port nobody listens on: the error stream says so and ends', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = String((closed.address() as AddressInfo).port);
  await new Promise((r) => closed.close(r));
  await client.synStream(5, { streamtype: 'error', port, requestid: '1' }, true);
  await client.synStream(7, { streamtype: 'data', port, requestid: '1' });
  const err = await client.until(() => client.received(5));
  expect(err.toString()).toMatch(new RegExp(`error forwarding port ${port} to pod: failed to connect to 127.0.0.1:${port}: .*ECONNREFUSED`));
});

test('a PING is answered with the same id', async () => {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(41);
  client.control(6, 0, id);
  const pong = await client.until(() => client.frames.find((f) => f.control && f.type === 6));
  expect(pong.body.readUInt32BE(0)).toBe(41);
});

test('in a pod with its own network namespace, port-forward reaches a server bound to the pod\'s localhost (as root)', async () => {
  // A "pod": a private network namespace whose server listens on 127.0.0.1:8123 only.
  const server = `import socket\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\ns.bind(("127.0.0.1", 8123))\ns.listen()\nprint("up", flush=True)\nwhile True:\n    c,_=s.accept()\n    c.sendall(b"hi from the pod " + c.recv(100))\n    c.close()\n`;
  const pod = spawn('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec python3 -c "$0"', server], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((ok) => pod.stdout.once('data', () => ok()));
    const conn = await netnsDialer(pod.pid!)(8123);
    conn.end('ping');
    const chunks: Buffer[] = [];
    for await (const c of conn) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hi from the pod ping');
    // The host's own 127.0.0.1:8123 is not the pod's.
    await expect(tcpDialer('127.0.0.1')(8123)).rejects.toThrow(/ECONNREFUSED/);
    await expect(netnsDialer(pod.pid!)(8124)).rejects.toThrow(/failed to connect to localhost:8124 inside namespace/);
  } finally {
    pod.kill('SIGKILL');
  }
}, 60_000); // process starts on a loaded machine

