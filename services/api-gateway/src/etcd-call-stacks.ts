// grpc-js records the caller's stack for every unary call (`new Error()` in
// makeUnaryRequest) so that a failed call's error can show where it was made: ≈ 3.4 % of the
// gateway's CPU under create load (issue 14), spent on every etcd call though the stack is
// read only when one fails, and then shows grpc-js and etcd3 internals that say nothing the
// storage layer's own errors do not. The gateway's etcd calls run with Error.stackTraceLimit
// = 0 for their synchronous extent (the grpc call being set up and written): the error etcd3
// gets keeps its code and message (etcd's own words, which the storage layer maps to
// Kubernetes Status); only the caller-stack suffix is empty. KEELSON_ETCD_CALLER_STACKS=true
// keeps them.
//
// grpc-js binds makeUnaryRequest into each generated method when it loads, so the generated
// service classes etcd3 loaded once per process (KV, Lease, Cluster, …) are wrapped, found
// through a throwaway, never-connected client of etcd3's own Host.
import { createRequire } from 'node:module';
import { withoutStackCapture } from '@keelson/bus';

type Method = ((this: unknown, ...args: unknown[]) => unknown) & { keelsonNoStacks?: true };
interface EtcdHost {
  getServiceClient(name: string): object;
  close(): void;
}

const SERVICES = ['KV', 'Lease', 'Cluster', 'Maintenance', 'Auth'];

/** Turns off caller-stack capture in etcd3's unary calls for this process; returns the methods wrapped. */
export function skipEtcdCallerStacks(env: NodeJS.ProcessEnv = process.env): number {
  if (/^(1|true|yes|on)$/i.test(env.KEELSON_ETCD_CALLER_STACKS ?? '')) return 0;
  let host: EtcdHost | undefined;
  try {
    const fromEtcd3 = createRequire(require.resolve('etcd3'));
    const { Host } = fromEtcd3('etcd3/lib/connection-pool') as { Host: new (host: string, creds: unknown, opts: object) => EtcdHost };
    const grpc = fromEtcd3('@grpc/grpc-js') as { credentials: { createInsecure(): unknown } };
    host = new Host('127.0.0.1:1', grpc.credentials.createInsecure(), {});
    let wrapped = 0;
    for (const service of SERVICES) {
      const proto = Object.getPrototypeOf(host.getServiceClient(service)) as Record<string, unknown>;
      // The generated class's service definition says which methods are unary (streams keep their stacks: one per stream).
      const definition = (proto.constructor as { service?: Record<string, { requestStream: boolean; responseStream: boolean; originalName?: string }> }).service ?? {};
      for (const [name, def] of Object.entries(definition)) {
        if (def.requestStream || def.responseStream) continue;
        for (const alias of new Set([name, def.originalName ?? name])) {
          const m = proto[alias];
          if (typeof m !== 'function' || (m as Method).keelsonNoStacks) continue;
          proto[alias] = withoutStackCapture(m as Method);
          wrapped++;
        }
      }
    }
    return wrapped;
  } catch {
    return 0; // another etcd3 layout: calls keep their stacks
  } finally {
    host?.close();
  }
}
