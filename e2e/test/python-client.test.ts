// The official Python client as Debian ships it (python3-kubernetes, installed by .ci/run and
// `npm test`'s bootstrap): typed create/patch/delete and kubernetes.watch.Watch().stream, which
// sends `watch=True` (Python's spelling of a boolean) and must get a watch, not a list.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

// Debian's interpreter, where python3-kubernetes lives (a python3 earlier on PATH may not see it).
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'support', 'python-watch.py');

let c: ControlPlane;
beforeAll(async () => {
  c = await startControlPlane();
});
afterAll(async () => {
  await c?.stop();
});

interface ScriptOutput {
  events: { type: string; name: string; data: Record<string, string> | null }[];
  delete: { kind: string; status: string; details: { name: string; kind: string; uid: string } };
}

test('watch.Watch().stream receives ADDED, MODIFIED and DELETED; delete answers a Status', async () => {
  const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT, c.kubeconfig, 'default', 'py-watched'], { timeout: 30_000 });
  const out = JSON.parse(stdout) as ScriptOutput;
  expect(out.events).toEqual([
    { type: 'ADDED', name: 'py-watched', data: { step: 'created' } },
    { type: 'MODIFIED', name: 'py-watched', data: { step: 'patched' } },
    { type: 'DELETED', name: 'py-watched', data: { step: 'patched' } },
  ]);
  expect(out.delete).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'py-watched', kind: 'configmaps' } });
  expect(out.delete.details.uid).toMatch(/^[0-9a-f-]{36}$/);
});
