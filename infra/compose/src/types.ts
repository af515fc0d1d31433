// The compose driver's contract: what a test or the chaos suite may do to a running stack.
// Everything is addressed by compose *service* name (`api-gateway-1`, `etcd-2`, `scheduler-1`...),
// never by container id, so callers need not know the project prefix.

export interface ComposeUpOptions {
  /** Project suffix: the stack runs as compose project `keelson-<id>` (default: a random id). */
  id?: string;
  /** Extra variables for docker-compose.yml (e.g. KEELSON_API_PORT); merged over the stand-in image names. */
  env?: Record<string, string>;
  /** Rebuild the project's images even when they exist (default false: built once, then cached). */
  rebuild?: boolean;
  /** How long to wait for every service to be healthy (default 600 s). */
  healthTimeoutMs?: number;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /**
   * Also publish each etcd member's and NATS server's client port on 127.0.0.1 (the compose file
   * keeps them inside the stack's network): the chaos suite reads etcd's history and the events
   * stream to check the relay, and finds the etcd leader. Done with an extra compose file
   * (infra/compose/backends.yml), never in docker-compose.yml itself.
   */
  exposeBackends?: boolean;
  /**
   * Also give the cluster autoscalers the engine's socket (infra/compose/container-nodes.yml), so
   * NodePools with `provider: container` grow by kubelet containers; scale-down delays from
   * `env` (KEELSON_AUTOSCALER_SCALE_DOWN_UNNEEDED_TIME_MS / _DELAY_AFTER_ADD_MS).
   */
  containerNodes?: boolean;
}

/** Host addresses of the backends when `exposeBackends` was set. */
export interface BackendPorts {
  /** `https://127.0.0.1:<port>` of etcd-1, etcd-2, etcd-3. */
  etcd: string[];
  /** `tls://127.0.0.1:<port>` of nats-1, nats-2, nats-3. */
  nats: string[];
}

/** One container of the stack, as `docker inspect` reports it. */
export interface ServiceState {
  service: string;
  container: string;
  /** running, exited, paused, restarting, created, dead. */
  status: string;
  /** healthy, unhealthy, starting, or none (no health check). */
  health: 'healthy' | 'unhealthy' | 'starting' | 'none';
  exitCode: number;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Phases of `up`, in milliseconds, for the closing report. */
export interface UpTimings {
  engineMs: number;
  imagesMs: number;
  /** `docker-compose up -d` until every service is healthy (or its one-shot exited 0). */
  healthyMs: number;
  /** Whether base and project images were already in the engine's cache. */
  cachedImages: boolean;
}

export interface ComposeStack {
  /** The compose project name, `keelson-<id>`. */
  readonly project: string;
  /** Admin kubeconfig on the host (server: the load balancer's published port). */
  readonly kubeconfig: string;
  /** The load balancer's URL on the host: one address for kubectl. */
  readonly apiUrl: string;
  /** Jaeger's UI / query API on the host (the stand-in receiver answers its /api/traces). */
  readonly jaegerUrl: string;
  readonly timings: UpTimings;
  /** Published backend ports (only with `exposeBackends`). */
  readonly backends?: BackendPorts;
  /** The short container id of a service, which is also its hostname inside the container. */
  containerOf(service: string): Promise<string>;
  /** Every compose service of the stack (one-shots included). */
  services(): Promise<string[]>;
  /** Every container's state. */
  ps(): Promise<ServiceState[]>;
  /** Runs argv in the service's container (`docker exec`). */
  exec(service: string, argv: string[], opts?: { user?: string; timeoutMs?: number }): Promise<ExecResult>;
  /** Signals the container's main process (default SIGKILL) as a crash: the restart policy brings it back. */
  kill(service: string, signal?: string): Promise<void>;
  /** `docker restart` (SIGTERM, then start). */
  restart(service: string): Promise<void>;
  stop(service: string): Promise<void>;
  start(service: string): Promise<void>;
  /** Freezes every process of the container (a partition that keeps its TCP connections open). */
  pause(service: string): Promise<void>;
  unpause(service: string): Promise<void>;
  /** Takes the container off the stack's network (a partition with connections broken), and back. */
  disconnect(service: string): Promise<void>;
  connect(service: string): Promise<void>;
  /** Waits until these services (default: all) are running and healthy. */
  waitHealthy(services?: string[], timeoutMs?: number): Promise<void>;
  /** The last lines of a service's log. */
  logs(service: string, tail?: number): Promise<string>;
  /** Runs a command with this stack's compose project and file (`docker-compose -p ... <args>`). */
  compose(args: string[], opts?: { timeoutMs?: number }): Promise<ExecResult>;
  /** Removes containers, volumes, networks, the kubeconfig dir, and the engine if this driver started it. */
  down(): Promise<void>;
}
