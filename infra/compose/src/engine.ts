// The Docker engine the stack runs on: one that already answers, or (as root) a dockerd this
// driver starts on its own socket and stops again. Tools missing on a Debian machine
// (docker.io, docker-compose, debootstrap) are installed with apt when root.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { must, run, sleep } from './run';

/** Where a driver-started engine keeps its images (kept across runs: the image cache). */
export const ENGINE_ROOT = process.env.KEELSON_COMPOSE_ROOT || '/var/lib/keelson-compose';
const EXEC_ROOT = '/run/keelson-compose';
const SOCKET = join(EXEC_ROOT, 'docker.sock');

export interface Engine {
  /** Environment for docker / docker-compose: DOCKER_HOST, the classic builder. */
  env: NodeJS.ProcessEnv;
  /** How to run compose: `docker-compose` (1.29) or `docker compose` (v2). */
  compose: string[];
  /** Pid of the dockerd this driver started (undefined: it was already running). */
  startedPid?: number;
  /** Stops the daemon if this driver started it (and checks it left no firewall rule behind). */
  stop(): Promise<void>;
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

async function have(cmd: string, args: string[]): Promise<boolean> {
  try {
    return (await run(cmd, args, { timeoutMs: 20_000 })).code === 0;
  } catch {
    return false;
  }
}

/** apt-get install, as root only; each package only if its command is missing. */
export async function aptInstall(packages: string[], log: (l: string) => void): Promise<void> {
  if (packages.length === 0) return;
  if (!isRoot()) throw new Error(`missing ${packages.join(', ')}: install them (apt-get install -y ${packages.join(' ')}) or run as root`);
  log(`installing ${packages.join(' ')} with apt`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await must('apt-get', ['update'], { env, timeoutMs: 300_000 });
  await must('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, timeoutMs: 600_000 });
}

/** The compose CLI: KEELSON_COMPOSE_CLI, else v2's plugin when present, else docker-compose 1.29. */
async function composeCommand(env: NodeJS.ProcessEnv): Promise<string[] | undefined> {
  const forced = process.env.KEELSON_COMPOSE_CLI;
  if (forced) return forced.split(' ').filter(Boolean);
  if (await have('docker', ['compose', 'version'])) return ['docker', 'compose'];
  if (await have('docker-compose', ['version'])) return ['docker-compose'];
  void env;
  return undefined;
}

async function answers(env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    return (await run('docker', ['info', '--format', '{{.ServerVersion}}'], { env, timeoutMs: 15_000 })).code === 0;
  } catch {
    return false;
  }
}

/** Firewall chains a Docker daemon makes (this driver's daemon runs with --iptables=false). */
export async function dockerFirewallChains(): Promise<string[]> {
  const out: string[] = [];
  for (const table of ['filter', 'nat']) {
    const r = await run('iptables', ['-t', table, '-S']).catch(() => undefined);
    for (const line of r?.stdout.split('\n') ?? []) if (/^-N DOCKER/.test(line)) out.push(`${table}:${line.slice(3)}`);
  }
  return out;
}

export async function ensureEngine(log: (l: string) => void): Promise<Engine> {
  // The classic builder: BuildKit would pull the `# syntax` image and is absent from Compose 1.29's path.
  const base: NodeJS.ProcessEnv = { ...process.env, DOCKER_BUILDKIT: '0', COMPOSE_DOCKER_CLI_BUILD: '0' };
  const missing: string[] = [];
  if (!(await have('docker', ['--version'])) || !existsSync('/usr/bin/dockerd') && !(await have('dockerd', ['--version']))) missing.push('docker.io');
  if (!(await composeCommand(base))) missing.push('docker-compose');
  await aptInstall(missing, log);
  const compose = await composeCommand(base);
  if (!compose) throw new Error('no compose CLI (docker compose or docker-compose) after installing docker-compose');

  // 1. An engine that already answers (DOCKER_HOST or the default socket): used, never stopped.
  if (await answers(base)) {
    log('using the running Docker engine');
    return { env: base, compose, stop: async () => undefined };
  }
  // 2. This driver's own engine, started by another run that is still going: shared, not stopped.
  const own = { ...base, DOCKER_HOST: `unix://${SOCKET}` };
  if (existsSync(SOCKET) && (await answers(own))) {
    log(`using the Docker engine at ${SOCKET} (started by another run)`);
    return { env: own, compose, stop: async () => undefined };
  }
  // 3. Start one (root only): its own socket, exec root and data root, so it sits beside any other
  // daemon; no firewall rules (--iptables=false: nothing for it to leave behind, and no FORWARD
  // DROP for other tests routing between namespaces), no default bridge (builds use the host's
  // network; the stack runs on its own compose network and publishes ports through docker-proxy).
  if (!isRoot()) throw new Error('no Docker engine answers and only root can start one (dockerd)');
  mkdirSync(EXEC_ROOT, { recursive: true });
  mkdirSync(ENGINE_ROOT, { recursive: true });
  const logFile = join(ENGINE_ROOT, 'dockerd.log');
  const fd = openSync(logFile, 'a');
  const child = spawn('dockerd', [
    '--data-root', join(ENGINE_ROOT, 'docker'),
    '--exec-root', EXEC_ROOT,
    '--pidfile', join(EXEC_ROOT, 'dockerd.pid'),
    '--host', `unix://${SOCKET}`,
    '--iptables=false', '--ip-masq=false', '--bridge=none',
  ], { stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('dockerd did not start');
  let exited: number | null | undefined;
  child.on('exit', (code) => { exited = code; });
  log(`started dockerd (pid ${pid}, data root ${join(ENGINE_ROOT, 'docker')}, log ${logFile})`);
  for (let i = 0; !(await answers(own)); i++) {
    if (exited !== undefined || i > 120) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      throw new Error(`dockerd did not answer (exit ${String(exited)}); see ${logFile}`);
    }
    await sleep(500);
  }
  const stop = async (): Promise<void> => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 60 && exited === undefined; i++) await sleep(500);
    if (exited === undefined) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      await sleep(500);
    }
    log(`stopped dockerd (pid ${pid})`);
  };
  return { env: own, compose, startedPid: pid, stop };
}
