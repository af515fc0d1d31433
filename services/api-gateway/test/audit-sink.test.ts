import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingFileSink } from '../src/http/audit-sink';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'audit-sink-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('the file rotates past its size, keeping maxBackups old files, each line whole', async () => {
  const path = join(dir, 'sub', 'audit.log');
  const sink = new RotatingFileSink(path, 100, 2);
  const line = (i: number) => `${JSON.stringify({ i, pad: 'x'.repeat(20) })}\n`;
  expect(Buffer.byteLength(line(0))).toBe(37); // two fit in 100 bytes
  for (let i = 0; i < 10; i++) sink.write(line(i));
  await sink.close();
  await new Promise((r) => setTimeout(r, 50)); // the rotated streams finish their writes
  expect(existsSync(`${path}.1`)).toBe(true);
  expect(existsSync(`${path}.2`)).toBe(true);
  expect(existsSync(`${path}.3`)).toBe(false);
  const lines = [path, `${path}.1`, `${path}.2`].flatMap((p) => readFileSync(p, 'utf8').split('\n').filter(Boolean));
  const seen = lines.map((l) => (JSON.parse(l) as { i: number }).i).sort((a, b) => a - b);
  expect(seen).toEqual([4, 5, 6, 7, 8, 9]); // five files were written; the two oldest were dropped
  for (const p of [path, `${path}.1`, `${path}.2`]) expect(statSync(p).size).toBeLessThanOrEqual(100);
  expect(statSync(path).mode & 0o777).toBe(0o600);
});
