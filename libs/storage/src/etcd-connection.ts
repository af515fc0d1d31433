// How the gateway reaches etcd: endpoints plus, when etcd requires client certificates
// (`--client-cert-auth`), the CA that signed etcd's serving certificate and the gateway's own
// client certificate and key. Read once at start; the files must stay private to the gateway.
import { readFileSync } from 'node:fs';
import type { IOptions } from 'etcd3';
import { etcdFaultHandling } from './etcd-fault-handling';
import type { GroupCommitOptions, WriteRetry } from './group-commit';
import { EtcdEndpoints } from './etcd-endpoints';

export interface EtcdConnection {
  endpoints: string[];
  /** `KEELSON_ETCD_CA_FILE`: CA of etcd's serving certificate (https endpoints). */
  caFile?: string;
  /** `KEELSON_ETCD_CERT_FILE` / `KEELSON_ETCD_KEY_FILE`: the client certificate etcd authenticates. */
  certFile?: string;
  keyFile?: string;
  /**
   * `KEELSON_ETCD_GROUP_COMMIT` (true): concurrent writes of different keys share one etcd txn
   * (group-commit.ts); `false` sends every write alone. `KEELSON_ETCD_GROUP_COMMIT_MAX_IN_FLIGHT`
   * (2): groups at etcd at once.
   */
  groupCommit?: false | GroupCommitOptions;
  /**
   * `KEELSON_ETCD_WRITE_ATTEMPT_TIMEOUT_MS` (2000; 0: none): a write attempt without an answer by
   * then is sent again (a compare-and-swap applies once), for up to 15 s: a killed etcd leader
   * otherwise holds writes for etcd's whole request timeout (group-commit.ts).
   */
  writeRetry?: WriteRetry;
}

export function etcdConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): EtcdConnection {
  return {
    endpoints: (env.KEELSON_ETCD_ENDPOINTS ?? 'http://127.0.0.1:2379').split(',').map((s) => s.trim()).filter(Boolean),
    caFile: env.KEELSON_ETCD_CA_FILE || undefined,
    certFile: env.KEELSON_ETCD_CERT_FILE || undefined,
    keyFile: env.KEELSON_ETCD_KEY_FILE || undefined,
    groupCommit: groupCommitFromEnv(env),
    writeRetry: { attemptTimeoutMs: nonNegativeInteger(env, 'KEELSON_ETCD_WRITE_ATTEMPT_TIMEOUT_MS') },
  };
}

function nonNegativeInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, not ${JSON.stringify(raw)}`);
  return n;
}

function groupCommitFromEnv(env: NodeJS.ProcessEnv): false | GroupCommitOptions {
  const on = (env.KEELSON_ETCD_GROUP_COMMIT ?? 'true').trim().toLowerCase();
  if (on !== 'true' && on !== 'false') throw new Error(`KEELSON_ETCD_GROUP_COMMIT must be true or false, not ${JSON.stringify(on)}`);
  if (on === 'false') return false;
  const raw = env.KEELSON_ETCD_GROUP_COMMIT_MAX_IN_FLIGHT?.trim();
  if (!raw) return {};
  const maxInFlight = Number(raw);
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new Error(`KEELSON_ETCD_GROUP_COMMIT_MAX_IN_FLIGHT must be a positive integer, not ${JSON.stringify(raw)}`);
  return { maxInFlight };
}

/**
 * The largest gRPC message the client accepts. A watch that falls behind (a busy gateway stops
 * reading, etcd parks the watcher as a victim, then "unsynced") catches up in ONE response of up
 * to 1,000 revisions, each up to a group-committed txn of 128 objects with their previous
 * values: easily tens of MiB. grpc-js refuses anything over 4 MiB by default; the watch stream
 * then fails, etcd3 reconnects from the same revision and gets the same response again, for
 * good: the watch cache stops while its bookmarks keep going (test/watch-backlog.int.test.ts).
 * etcd's Go client accepts up to 2 GiB - 1 (MaxCallRecvMsgSize = math.MaxInt32) for this reason.
 */
export const ETCD_MAX_RECEIVE_MESSAGE_BYTES = 2 ** 31 - 1;

/**
 * gRPC keepalive: a member that stops answering (frozen, partitioned, its container gone without
 * a FIN) otherwise holds a watch stream open and silent for good. etcd refuses pings more often
 * than its `--grpc-keepalive-min-time` (5 s by default), and pings on a connection without calls
 * (no PermitWithoutStream), with GOAWAY: so every 10 s, 5 s to answer, only while calls are open.
 */
const KEEPALIVE_TIME_MS = 10_000;
const KEEPALIVE_TIMEOUT_MS = 5_000;

/**
 * HTTP/2 flow-control window of the gRPC connection to etcd, per stream and for the connection
 * (grpc-js's one option sets both). At HTTP/2's default 64 KiB every KV call and watch shares one
 * 64 KiB connection window: twenty LISTs of 500 Nodes (400 KB each) took 125 WINDOW_UPDATE round
 * trips through a busy event loop, and every write's answer queued behind them (the scale bench:
 * etcd LIST nodes 2.4 s mean, Lease PUTs 500 ms). grpc-go grows its window to 16 MiB by BDP
 * estimation; grpc-js has none, so it starts there.
 */
export const ETCD_FLOW_CONTROL_WINDOW_BYTES = 16 << 20;

const grpcOptions = {
  'grpc.max_receive_message_length': ETCD_MAX_RECEIVE_MESSAGE_BYTES,
  'grpc-node.flow_control_window': ETCD_FLOW_CONTROL_WINDOW_BYTES,
  'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
  'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
};

/** etcd3 client options; TLS (and a client certificate) when a CA file is given. */
export function etcdClientOptions(c: EtcdConnection): IOptions {
  if (!c.caFile) {
    if (c.certFile || c.keyFile) throw new Error('KEELSON_ETCD_CERT_FILE/KEELSON_ETCD_KEY_FILE need KEELSON_ETCD_CA_FILE');
    return { hosts: c.endpoints, faultHandling: etcdFaultHandling(), grpcOptions };
  }
  if (!!c.certFile !== !!c.keyFile) throw new Error('KEELSON_ETCD_CERT_FILE and KEELSON_ETCD_KEY_FILE go together');
  const plain = c.endpoints.filter((e) => e.startsWith('http://'));
  if (plain.length) throw new Error(`etcd TLS is configured but endpoints are plain http: ${plain.join(', ')}`);
  return {
    hosts: c.endpoints,
    faultHandling: etcdFaultHandling(), // only unavailability opens the breaker, not a bad request
    grpcOptions,
    credentials: {
      rootCertificate: readFileSync(c.caFile),
      ...(c.certFile && c.keyFile ? { certChain: readFileSync(c.certFile), privateKey: readFileSync(c.keyFile) } : {}),
    },
  };
}

/**
 * The store's reads and writes, one client per member (etcd-endpoints.ts); a member that leaves a
 * call unanswered as long as a write attempt's deadline is passed over.
 */
export function etcdEndpoints(c: EtcdConnection): EtcdEndpoints {
  const attemptTimeoutMs = c.writeRetry?.attemptTimeoutMs || undefined; // 0 (no write deadline): the default here
  return new EtcdEndpoints(c.endpoints, (endpoint) => etcdClientOptions({ ...c, endpoints: [endpoint] }), { attemptTimeoutMs });
}
