import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProbeState, runHook, runProbe } from '../src/prober';
import type { Container } from '../src/types';

const container: Container = { name: 'c', ports: [{ name: 'http', containerPort: 1 }] };
const env = { PATH: process.env.PATH ?? '' };
// The command as is, on this host (the pod worker's launcher puts it in the container).
const launch = async (command: string[]) => ({ argv: command, env });

describe('probe handlers', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((req, res) => res.writeHead(req.url === '/ok' ? 200 : 500).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('httpGet succeeds on 2xx/3xx and fails with the status code otherwise', async () => {
    expect(await runProbe({ httpGet: { path: '/ok', port } }, container, '127.0.0.1', launch)).toEqual({ result: 'success', message: '' });
    expect(await runProbe({ httpGet: { path: '/bad', port } }, container, '127.0.0.1', launch)).toEqual({ result: 'failure', message: 'HTTP probe failed with statuscode: 500' });
  });
  test('httpGet resolves a named container port', async () => {
    const c: Container = { name: 'c', ports: [{ name: 'web', containerPort: port }] };
    expect((await runProbe({ httpGet: { path: '/ok', port: 'web' } }, c, '127.0.0.1', launch)).result).toBe('success');
  });
  test('tcpSocket succeeds when the port accepts and fails when refused', async () => {
    expect((await runProbe({ tcpSocket: { port } }, container, '127.0.0.1', launch)).result).toBe('success');
    const refused = await runProbe({ tcpSocket: { port: 1 } }, container, '127.0.0.1', launch);
    expect(refused.result).toBe('failure');
    expect(refused.message).toMatch(/dial tcp 127.0.0.1:1/);
  });
  test('exec succeeds on exit 0 and reports output otherwise', async () => {
    expect((await runProbe({ exec: { command: ['true'] } }, container, '127.0.0.1', launch)).result).toBe('success');
    expect(await runProbe({ exec: { command: ['sh', '-c', 'echo nope; exit 3'] } }, container, '127.0.0.1', launch)).toEqual({ result: 'failure', message: 'nope' });
  });
  test('exec: a container that is not running fails the probe; a command past its timeout is killed', async () => {
    const t0 = Date.now();
    expect(await runProbe({ exec: { command: ['true'] }, timeoutSeconds: 1 }, container, '127.0.0.1', async () => undefined)).toEqual({ result: 'failure', message: 'container is not running' });
    // It waited for the container within the probe's timeout, not past it.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(await runProbe({ exec: { command: ['sleep', '30'] }, timeoutSeconds: 1 }, container, '127.0.0.1', launch)).toEqual({ result: 'failure', message: 'command "sleep 30" timed out' });
  });
  test('exec: a container still on its way to its command is waited for within the timeout, and the command gets what is left of it', async () => {
    let looks = 0;
    const starting = async (command: string[]) => (++looks < 3 ? undefined : launch(command));
    expect(await runProbe({ exec: { command: ['true'] }, timeoutSeconds: 5 }, container, '127.0.0.1', starting)).toEqual({ result: 'success', message: '' });
    expect(looks).toBe(3);
    // The wait and the command share one timeout.
    looks = 0;
    const slow = async (command: string[]) => (++looks < 2 ? new Promise<undefined>((r) => setTimeout(() => r(undefined), 1800)) : launch(command));
    const t0 = Date.now();
    expect(await runProbe({ exec: { command: ['sleep', '30'] }, timeoutSeconds: 2 }, container, '127.0.0.1', slow)).toEqual({ result: 'failure', message: 'command "sleep 30" timed out' });
    // 2 s in all; a fresh 2 s for the command after the 1.8 s wait would be 3.8 s.
    expect(Date.now() - t0).toBeLessThan(3300);
  });
  test('exec: a timed-out probe ends at its timeout even when something outside its process group still holds its output open', async () => {
    // A launch slow to reach its command (nsenter on a loaded node) killed at the timeout, with a
    // process that escaped the group (its own session) keeping the pipes open: the probe ended
    // only when the pipes closed, so it never ran again (e2e pod-exec-probes saw one run in 90 s).
    const started = Date.now();
    const out = await runProbe({ exec: { command: ['sh', '-c', 'setsid sleep 20 & sleep 20'] }, timeoutSeconds: 1 }, container, '127.0.0.1', launch);
    expect(out).toEqual({ result: 'failure', message: 'command "sh -c setsid sleep 20 & sleep 20" timed out' });
    expect(Date.now() - started).toBeLessThan(5000);
    // One that exits on its own is judged by its exit code, whatever it left holding the output.
    const t1 = Date.now();
    expect((await runProbe({ exec: { command: ['sh', '-c', 'setsid sleep 20 & exit 0'] }, timeoutSeconds: 10 }, container, '127.0.0.1', launch)).result).toBe('success');
    expect(Date.now() - t1).toBeLessThan(5000);
    execFileSync('pkill', ['-f', '^sleep 20$']);
  });
});

describe('lifecycle hooks', () => {
  test('exec runs the command and reports its failure; sleep waits, bounded by the time given; tcpSocket is not run', async () => {
    expect(await runHook({ exec: { command: ['true'] } }, container, '127.0.0.1', launch, 5000)).toEqual({ result: 'success', message: '' });
    expect(await runHook({ exec: { command: ['sh', '-c', 'echo no; exit 1'] } }, container, '127.0.0.1', launch, 5000)).toEqual({ result: 'failure', message: 'no' });
    const t0 = Date.now();
    expect((await runHook({ sleep: { seconds: 30 } }, container, '127.0.0.1', launch, 300)).result).toBe('success');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await runHook({ tcpSocket: { port: 1 } }, container, '127.0.0.1', async () => undefined, 1000)).toEqual({ result: 'success', message: '' });
  });
});

describe('probe thresholds', () => {
  test('readiness starts failed and needs successThreshold successes', () => {
    const s = new ProbeState('readiness', { successThreshold: 2, failureThreshold: 1 });
    expect(s.result).toBe('failure');
    expect(s.observe('success')).toBe(false);
    expect(s.observe('success')).toBe(true);
    expect(s.result).toBe('success');
    expect(s.observe('failure')).toBe(true);
  });
  test('startup starts unknown: failureThreshold consecutive failures are a change (the container is restarted), as is a success', () => {
    const s = new ProbeState('startup', { failureThreshold: 2 });
    expect(s.result).toBe('unknown');
    expect(s.observe('failure')).toBe(false);
    expect(s.observe('failure')).toBe(true);
    expect(s.result).toBe('failure');
    const t = new ProbeState('startup', { failureThreshold: 2 });
    expect(t.observe('failure')).toBe(false);
    expect(t.observe('success')).toBe(true);
    expect(t.result).toBe('success');
  });
  test('liveness starts alive and dies only after failureThreshold consecutive failures', () => {
    const s = new ProbeState('liveness', { failureThreshold: 3 });
    expect(s.result).toBe('success');
    s.observe('failure');
    s.observe('failure');
    s.observe('success'); // the run is broken
    s.observe('failure');
    expect(s.observe('failure')).toBe(false);
    expect(s.observe('failure')).toBe(true);
    expect(s.result).toBe('failure');
  });
});
