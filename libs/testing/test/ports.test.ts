// Ports handed out together are all different and really free, whatever the kernel would pick.
import { connect, createServer, type Socket } from 'node:net';
import { ephemeralPortRange, freePort, freePortRange, freePorts } from '../src/ports';

const listen = (port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });

test('a set of free ports has no port twice, and each can be bound once they are handed out', async () => {
  for (let round = 0; round < 20; round++) {
    const ports = await freePorts(12);
    expect(new Set(ports).size).toBe(12);
    await Promise.all(ports.map(listen));
  }
});

test('ports the caller avoids are never handed out (a range already given to services)', async () => {
  // Released again at once, the first ones are what the kernel would hand out next.
  const given = new Set(await freePorts(30));
  for (let round = 0; round < 10; round++) {
    const ports = await freePorts(30, (p) => given.has(p));
    expect(new Set(ports).size).toBe(30);
    expect(ports.filter((p) => given.has(p))).toEqual([]);
  }
});

test('ports asked for one call at a time are distinct too (a gateway port first, then NATS ports)', async () => {
  const seen = new Set<number>();
  for (let i = 0; i < 300; i++) {
    const port = i % 2 === 0 ? await freePort() : (await freePorts(3))[1];
    expect(seen.has(port)).toBe(false);
    seen.add(port);
  }
});

test('ports are drawn below the ephemeral range, where no outgoing connection takes them between the check and the bind', async () => {
  const [low] = ephemeralPortRange();
  const ports = [...(await freePorts(50)), await freePort()];
  expect(ports.filter((p) => p >= low)).toEqual([]);
  const base = await freePortRange(27);
  expect(base + 27).toBeLessThanOrEqual(low);
  // The range's ports are reserved like freePorts' ones.
  const later = await freePorts(200);
  expect(later.filter((p) => p >= base && p < base + 27)).toEqual([]);
});

test('a consecutive range is free on every address, and never overlaps a port an open connection holds', async () => {
  // A listener on 127.0.0.1 and a connection from it: ports in use either way.
  const srv = createServer((s) => s.on('error', () => undefined));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const addr = srv.address();
  const target = typeof addr === 'object' && addr ? addr.port : 0;
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < 20; i++) {
      const s = connect(target, '127.0.0.1');
      await new Promise<void>((r) => s.once('connect', () => r()));
      sockets.push(s);
    }
    const busy = new Set(sockets.map((s) => s.localPort!));
    busy.add(target);
    for (let round = 0; round < 20; round++) {
      const base = await freePortRange(25);
      for (let p = base; p < base + 25; p++) {
        expect(busy.has(p)).toBe(false);
        await new Promise<void>((resolve, reject) => {
          const probe = createServer();
          probe.once('error', reject);
          probe.listen(p, '0.0.0.0', () => probe.close(() => resolve()));
        });
      }
    }
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => srv.close(() => r()));
  }
});

test('consecutive ranges are still found after thousands of single ports were handed out, and after many ranges', async () => {
  for (let i = 0; i < 20; i++) await freePorts(200);
  for (let i = 0; i < 60; i++) await freePortRange(30);
  const base = await freePortRange(30);
  const later = await freePorts(100);
  expect(later.filter((p) => p >= base && p < base + 30)).toEqual([]);
});
