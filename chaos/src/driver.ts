// The chaos drivers' common interface: what can be hit, and how. The local driver hits OS
// processes run by infra/local's supervisor; the compose driver hits containers.
import type { Api, ApiTarget } from './api';

/** The etcd key the relay's leader holds (services/api-gateway/src/relay/index.ts): `<hostname>/<pid>/<id>`. */
export const RELAY_LEADER_KEY = '/keelson/leader/relay';

/** What a target is, for picking one of each kind and for the per-kind figures. */
export type TargetKind = 'gateway' | 'controller' | 'scheduler' | 'kubelet' | 'nats' | 'etcd';

export interface Target {
  /** Process (supervisor tag) or compose service name, e.g. `scheduler/1`, `etcd-2`. */
  name: string;
  kind: TargetKind;
  /** The leader-elected service it is a replica of (`relay`, `scheduler`, `deployment-controller`...). */
  service: string;
}

/** Where the checks reach etcd (for the relay's revision window) and the events stream. */
export interface BackendAccess {
  etcd?: { endpoints: string[]; caFile: string; certFile: string; keyFile: string };
  nats?: { servers: string[]; caFile: string; user: string; password: string; inboxPrefix: string };
}

export interface ChaosDriver {
  readonly name: 'local' | 'compose';
  start(): Promise<void>;
  api(): ApiTarget;
  backends(): BackendAccess;
  targets(): Promise<Target[]>;
  /** SIGKILL (or docker kill); the supervisor / restart policy brings it back. */
  kill(target: string): Promise<void>;
  restart(target: string): Promise<void>;
  /** A partition: the target stops answering but keeps its connections (SIGSTOP / docker pause) for `ms`. */
  pause(target: string, ms: number): Promise<void>;
  /** The target currently leading `service` (`relay`, `etcd`, a controller's Lease name), if known. */
  leaderOf(service: string): Promise<string | undefined>;
  /**
   * Every gateway replica is up and ready (not just the address clients use: under compose that
   * is the load balancer, which answers while one replica is still restarting).
   */
  gatewaysReady(api: Api): Promise<boolean>;
  /** Lease duration of the controllers, for the convergence bound (2 × this). */
  leaseDurationMs(): number;
  stop(): Promise<void>;
}

export function kindOf(name: string): { kind: TargetKind; service: string } | undefined {
  const base = name.replace(/[/-]\d+$/, '').replace(/\/.*$/, '');
  if (base.startsWith('etcd')) return { kind: 'etcd', service: 'etcd' };
  if (base.startsWith('nats')) return { kind: 'nats', service: 'nats' };
  if (base.startsWith('api-gateway')) return { kind: 'gateway', service: 'relay' };
  if (base.startsWith('kubelet')) return { kind: 'kubelet', service: 'kubelet' };
  if (base === 'scheduler') return { kind: 'scheduler', service: 'scheduler' };
  if (base.endsWith('-controller') || base === 'garbage-collector') return { kind: 'controller', service: base };
  return undefined;
}
