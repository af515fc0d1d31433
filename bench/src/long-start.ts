// Starting a service for a benchmark on a loaded machine: as cp.startService runs it (its own
// token and NATS user), but with up to 10 minutes to become ready (startService allows 90 s, too
// short for a kubelet registering 500 Nodes or a controller syncing its caches of them), and
// started again if it exits while starting (a NATS dial that timed out is fatal to a service;
// `npm start`'s supervisor restarts it, and so does this).
import { join } from 'node:path';
import { freePort, serviceProcess, type ControlPlane, type ServiceProcess } from '@keelson/testing';

const ATTEMPTS = 3;
/**
 * KEELSON_BENCH_PROFILE_DIR: each service started here (and the gateway of a bench that passes
 * these args to startControlPlane) writes a V8 CPU profile there when it exits (`node
 * --cpu-prof`, which NODE_OPTIONS does not allow), to find where a bench's time goes.
 */
const PROFILE_DIR = process.env.KEELSON_BENCH_PROFILE_DIR;
export const profileNodeArgs: string[] = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
/**
 * Leader election stays on, with a lease that outlasts a loaded gateway: at load 30, with a GET
 * taking 4 s, the default 10 s renew deadline was missed every few minutes and each loss paused
 * the controller mid-reconcile (the job-controller aborted 110 reconciles in 10 minutes).
 */
export const LEASE = { KEELSON_LEASE_DURATION_MS: '60000', KEELSON_RENEW_DEADLINE_MS: '45000', KEELSON_RETRY_PERIOD_MS: '2000' };

export async function startLong(cp: ControlPlane, name: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  return (await startLongWithPort(cp, name, env)).proc;
}

/** startLong, with the health port (/readyz, /metrics) it gave the service. */
export async function startLongWithPort(cp: ControlPlane, name: string, env: Record<string, string> = {}): Promise<{ proc: ServiceProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const nats = cp.nats!.users[name];
    const proc = serviceProcess({
      name,
      main: join(__dirname, `../../services/${name}/dist/main.js`),
      nodeArgs: profileNodeArgs,
      env: {
        ...process.env, KEELSON_API_URL: cp.url, KEELSON_TOKEN: cp.creds.serviceTokens[name], KEELSON_CA_FILE: cp.creds.caFile,
        KEELSON_NATS_URL: cp.nats!.url, KEELSON_NATS_USER: nats.user, KEELSON_NATS_PASSWORD: nats.password, ...(cp.nats!.caFile ? { KEELSON_NATS_CA_FILE: cp.nats!.caFile } : {}),
        KEELSON_HEALTH_PORT: String(port), KEELSON_LOG_LEVEL: process.env.KEELSON_LOG_LEVEL ?? 'warn', OTEL_SERVICE_NAME: name, ...LEASE, ...env,
      },
      ready: () => fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200),
      readyTimeoutMs: 600_000,
    });
    try {
      await proc.start();
      return { proc, port };
    } catch (err) {
      await proc.kill('SIGKILL').catch(() => undefined);
      if (attempt >= ATTEMPTS) throw err;
      process.stderr.write(`${name} did not start (attempt ${attempt}/${ATTEMPTS}), starting it again: ${String(err).split('\n')[0]}\n`);
    }
  }
}
