// Ports handed out together are all different and really free, whatever the kernel would pick.
import { createServer } from 'node:net';
import { freePort, freePorts } from '../src/ports';

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
