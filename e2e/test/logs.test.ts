// The gateway's log as a user reads it: JSON lines of one shape from the one logger, at the level
// LOG_LEVEL names (KEELSON_LOG_LEVEL unset), and a line written while serving a request carries
// the trace id of that request (continued from the caller's traceparent) and its span's id.
import { randomBytes } from 'node:crypto';
import { startControlPlane, until, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane({ env: { KEELSON_LOG_LEVEL: '', LOG_LEVEL: 'debug' } });
});
afterAll(async () => {
  await cp?.stop();
});

type Line = Record<string, unknown>;
const jsonLines = (): Line[] => cp.gatewayLog().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);

test('a request\'s log line carries its traceId and spanId; every line has one JSON shape', async () => {
  const traceId = randomBytes(16).toString('hex');
  const callerSpan = randomBytes(8).toString('hex');
  const res = await cp.request('GET', '/api/v1/namespaces/default/configmaps', { headers: { traceparent: `00-${traceId}-${callerSpan}-01` } });
  expect(res.status).toBe(200);
  const line = await until('the request line', async () => jsonLines().find((l) => l.msg === 'request' && l.traceId === traceId));
  expect(line).toMatchObject({ level: 'debug', service: 'api-gateway', method: 'GET', path: '/api/v1/namespaces/default/configmaps', status: 200 });
  // The gateway's own span (a child of the caller's), not the caller's.
  expect(line.spanId).toMatch(/^[0-9a-f]{16}$/);
  expect(line.spanId).not.toBe(callerSpan);

  // Debug lines are there (LOG_LEVEL=debug); all lines share the shape.
  const lines = jsonLines();
  expect(lines.length).toBeGreaterThan(5);
  for (const l of lines) {
    expect(typeof l.msg).toBe('string');
    expect(l.service).toBe('api-gateway');
    expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(l.level);
    expect(new Date(l.time as string).toISOString()).toBe(l.time);
  }
});
