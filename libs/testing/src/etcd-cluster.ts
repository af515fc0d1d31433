// A real etcd cluster of several members for tests (the local binary; plain http on loopback):
// what a member that dies or freezes does to its clients can only be seen with others to take
// over. Each member can be frozen (SIGSTOP: its connections stay open and nothing is answered,
// as a paused container or a partition does) or killed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, ManagedProcess, removeNow, removeOnExit } from './managed-process';
import { freePorts, waitForHttp } from './ports';

export interface EtcdMember {
  name: string;
  /** `http://127.0.0.1:P` */
  endpoint: string;
  freeze(frozen: boolean): void;
  kill(): Promise<void>;
}

export interface EtcdCluster {
  members: EtcdMember[];
  endpoints: string[];
  /** The member that is leader now (asked over each member's /v3 status); undefined: none answers as leader. */
  leader(): Promise<EtcdMember | undefined>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

export async function startEtcdCluster(size = 3): Promise<EtcdCluster> {
  const binary = findBinary('etcd', ['/usr/bin/etcd', '/usr/local/bin/etcd']);
  if (!binary) throw new Error('etcd binary not found: install it with `apt-get install etcd-server`');
  const specs: { name: string; client: number; peer: number; dataDir: string }[] = [];
  const ports = await freePorts(2 * size);
  for (let i = 0; i < size; i++) specs.push({ name: `m${i + 1}`, client: ports[2 * i], peer: ports[2 * i + 1], dataDir: mkdtempSync(join(tmpdir(), 'keelson-etcd-member-')) });
  for (const s of specs) removeOnExit(s.dataDir);
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(',');
  const procs = specs.map((s) => new ManagedProcess(binary, [
    '--name', s.name, '--data-dir', s.dataDir,
    '--listen-client-urls', `http://127.0.0.1:${s.client}`, '--advertise-client-urls', `http://127.0.0.1:${s.client}`,
    '--listen-peer-urls', `http://127.0.0.1:${s.peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${s.peer}`,
    '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', `keelson-${specs[0].client}`,
    '--log-level', 'warn', '--logger', 'zap',
  ]));
  const stopAll = async (): Promise<void> => {
    for (const p of procs) if (p.pid && !p.exited) process.kill(p.pid, 'SIGCONT');
    await Promise.all(procs.map((p) => p.stop()));
    for (const s of specs) removeNow(s.dataDir);
  };
  try {
    // /health answers ok once the member sees a leader.
    await Promise.all(specs.map((s, i) => waitForHttp(`http://127.0.0.1:${s.client}/health`, READY_TIMEOUT_MS,
      () => `etcd member ${s.name} did not become healthy. stderr: ${procs[i].stderr() || '(empty)'}`, () => procs[i].exited)));
  } catch (e) {
    await stopAll();
    throw e;
  }
  const members: EtcdMember[] = specs.map((s, i) => ({
    name: s.name,
    endpoint: `http://127.0.0.1:${s.client}`,
    freeze: (frozen) => { if (procs[i].pid && !procs[i].exited) process.kill(procs[i].pid!, frozen ? 'SIGSTOP' : 'SIGCONT'); },
    kill: () => procs[i].kill(),
  }));
  return {
    members,
    endpoints: members.map((m) => m.endpoint),
    async leader() {
      for (const m of members) {
        try {
          // etcd's gRPC gateway: POST /v3/maintenance/status; leader and member_id are decimal strings.
          const res = await fetch(`${m.endpoint}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(1000) });
          const st = (await res.json()) as { leader?: string; header?: { member_id?: string } };
          if (st.leader && st.leader === st.header?.member_id) return m;
        } catch {
          // frozen or dead: ask the next
        }
      }
      return undefined;
    },
    stop: stopAll,
  };
}
