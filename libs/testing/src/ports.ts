// Free loopback TCP ports for servers started by the harness.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

// Ports handed out are drawn below the kernel's ephemeral range (ip_local_port_range), never from
// it: a port in that range that is free when checked can be taken as the local port of any
// outgoing connection (a service's NATS or etcd client, kubectl) before its server binds it, and
// a long-lived connection keeps it: seen in CI, three services of a restarted `npm start` failed
// with EADDRINUSE on their health ports for minutes. Outgoing connections never use a port
// below the range.
const LOW = 20_000;

/** The kernel's ephemeral port range [low, high]; Linux's default when it cannot be read. */
export function ephemeralPortRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low > 0 && high >= low) return [low, high];
  } catch {
    // not Linux
  }
  return [32_768, 60_999];
}

/**
 * The ranges ports are drawn from, below the ephemeral range: consecutive ranges (freePortRange)
 * from the lower part, single ports (freePorts) from the upper, so the many single ports a
 * test file asks for never fragment the space ranges need.
 */
function candidateRanges(): { ranges: [number, number]; singles: [number, number] } | undefined {
  const [low] = ephemeralPortRange();
  if (low - LOW < 4_000) return undefined;
  const mid = LOW + Math.floor((low - LOW) * 0.4);
  return { ranges: [LOW, mid], singles: [mid, low] };
}

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
      const range = candidateRanges()?.singles;
      const want = range ? range[0] + Math.floor(Math.random() * (range[1] - range[0])) : 0;
      if (want && (avoid(want) || handedOutLately(want, Date.now()) || ports.includes(want))) continue;
      const srv = await listenOn(want);
      if (!srv) continue; // taken
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

/**
 * A server on `port` (0: any) of every address, so the port is free for servers that bind
 * 0.0.0.0 as well as 127.0.0.1; undefined when it is taken.
 */
function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', (err: NodeJS.ErrnoException) => (port !== 0 && (err.code === 'EADDRINUSE' || err.code === 'EACCES') ? resolve(undefined) : reject(err)));
    srv.listen(port, '0.0.0.0', () => resolve(srv));
  });
}

/**
 * `count` consecutive free ports (below the ephemeral range, none handed out lately by this
 * process), reserved like freePorts' ports: for a cluster whose services take a base port + index.
 */
export async function freePortRange(count: number): Promise<number> {
  const [low, high] = candidateRanges()?.ranges ?? [20_000, 32_000];
  // From a random start, slide over the whole range: a taken port moves the window past it.
  let base = low + Math.floor(Math.random() * (high - low - count));
  for (let scanned = 0; scanned < high - low; ) {
    if (base + count > high) base = low;
    const held: Server[] = [];
    let bad: number | undefined;
    try {
      for (let p = base; p < base + count && bad === undefined; p++) {
        const srv = handedOutLately(p, Date.now()) ? undefined : await listenOn(p);
        if (srv) held.push(srv);
        else bad = p;
      }
      if (bad === undefined) {
        const now = Date.now();
        for (let p = base; p < base + count; p++) recent.set(p, now);
        return base;
      }
    } finally {
      await Promise.all(held.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
    }
    scanned += bad - base + 1;
    base = bad + 1;
  }
  throw new Error(`no ${count} consecutive free ports found`);
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
