// Free loopback TCP ports for servers started by the harness.
import { createServer, type Server } from 'node:net';

// Ports this process handed out lately, and when: never handed out again within RECENT_MS, so
// ports asked for in separate calls (a gateway's, then NATS's) are distinct as well, though the
// first is released until its server binds it.
const RECENT_MS = 10 * 60_000;
const recent = new Map<number, number>();

function handedOutLately(port: number, now: number): boolean {
  const at = recent.get(port);
  if (at === undefined) return false;
  if (now - at < RECENT_MS) return true;
  recent.delete(port);
  return false;
}

/** Asks the kernel for a free port on 127.0.0.1 and releases it at once (never one this process handed out lately). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/**
 * `count` different free ports on 127.0.0.1, none for which `avoid` says true and none this
 * process handed out in the last ten minutes. Each is held open
 * until all are found: ports asked for one at a time and released at once can come back twice
 * (the kernel may hand a just-released port out again), and two servers of one cluster then
 * collide (seen in CI: etcd's client port was also NATS's monitor port, and the supervisor polled
 * etcd's TLS port over plain HTTP until it gave up).
 */
export async function freePorts(count: number, avoid: (port: number) => boolean = () => false): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    for (let tries = 0; ports.length < count; tries++) {
      if (tries > count + 1000) throw new Error(`could not allocate ${count} free ports`);
      const srv = await listenOnAnyPort();
      held.push(srv);
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      if (port && !avoid(port) && !handedOutLately(port, Date.now())) ports.push(port);
    }
    const now = Date.now();
    for (const port of ports) recent.set(port, now);
    return ports;
  } finally {
    await Promise.all(held.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  }
}

function listenOnAnyPort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

/** Polls an HTTP URL until it answers 2xx, or rejects after `timeoutMs` with `describe()` in the message. */
export async function waitForHttp(url: string, timeoutMs: number, describe: () => string, exited?: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (exited?.()) throw new Error(`server exited before ${url} answered. ${describe()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${url} (${last}). ${describe()}`);
}
