// `container`: under Docker (the compose stack), each new machine is a kubelet container, as
// compose's own node-1 and node-2 are: the Docker Engine API (a unix socket the autoscaler is
// given) is the autoscaler's cloud. A new container copies a template container — by default the
// compose service `nodes-sim` of the autoscaler's own project: same image, same network, the
// shared kubelet identity's credential volume, same settings — with the machine's own name
// (hostname and network alias, also the Node's InternalIP for the gateway's calls), the process
// runtime as root, and the pool's node shape. The Node is created first, as for `process`.
//
// Containers carry the compose project's label (so `docker-compose down --remove-orphans` takes
// them with the stack) and `autoscaling.keelson.dev/node`; they are restarted by Docker's policy
// when they die and outlive the autoscaler. The leader's sync removes a machine container whose
// Node is gone (the pool deleted, the garbage collector took its Nodes).
import { request } from 'node:http';
import { hostname } from 'node:os';
import { NODES, isNotFound, type DynamicClient, type Logger, type Node } from '@keelson/operator-sdk';
import { deleteNodeObject, machineName, machineOrphaned, nodeShapeEnv, poolNode, type NodeProvider } from './provider';
import { GROUP, POOL_LABEL, type NodePool } from './types';

export const CONTAINER_LABEL = `${GROUP}/node`;
export const CONTAINER_ANNOTATION = `${GROUP}/container-id`;
const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';

export interface ContainerProviderConfig {
  /** KEELSON_AUTOSCALER_DOCKER_SOCKET: the Docker Engine API's unix socket (the provider is off without it). */
  socket: string;
  /** KEELSON_AUTOSCALER_CONTAINER_TEMPLATE [nodes-sim]: a container name or id, or a compose service of the autoscaler's own project, to copy. */
  template: string;
  /** KEELSON_AUTOSCALER_CONTAINER_STOP_SECONDS [20]: how long a kubelet container gets to stop its pods. */
  stopSeconds: number;
}

/** The slice of `GET /containers/{id}/json` a machine is made from. */
export interface ContainerInfo {
  Id: string;
  Name: string;
  Config: { Image: string; Env?: string[]; Labels?: Record<string, string>; WorkingDir?: string; Entrypoint?: string[] | null; Cmd?: string[] | null };
  HostConfig: Record<string, unknown> & { NetworkMode?: string };
  NetworkSettings?: { Networks?: Record<string, unknown> };
  State?: { Running?: boolean };
}

/** A minimal Docker Engine API client over a unix socket. */
export class DockerApi {
  constructor(private readonly socket: string) {}

  call<T>(method: string, path: string, body?: unknown, okStatuses = [200, 201, 204, 304]): Promise<T> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = request({ socketPath: this.socket, method, path, headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (!okStatuses.includes(res.statusCode ?? 0)) {
            const err = new Error(`docker ${method} ${path}: ${res.statusCode} ${text.trim().slice(0, 300)}`) as Error & { status?: number };
            err.status = res.statusCode;
            reject(err);
            return;
          }
          try {
            resolve((text ? JSON.parse(text) : undefined) as T);
          } catch {
            resolve(text as T);
          }
        });
        res.on('error', reject);
      });
      req.setTimeout(120_000, () => req.destroy(new Error(`docker ${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  inspect(idOrName: string): Promise<ContainerInfo | undefined> {
    return this.call<ContainerInfo>('GET', `/containers/${encodeURIComponent(idOrName)}/json`).catch((err: Error & { status?: number }) => {
      if (err.status === 404) return undefined;
      throw err;
    });
  }

  list(labels: string[]): Promise<Array<{ Id: string; Names: string[]; Labels: Record<string, string>; State: string }>> {
    return this.call('GET', `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ label: labels }))}`);
  }
}

const OWN_ENV = /^(NODE_NAME|NODE_COUNT|HOSTNAME|POD_NAME|KEELSON_KUBELET_RUNTIME|KEELSON_KUBELET_ADDRESS|KEELSON_KUBELET_ROOT|KEELSON_NODE_[A-Z_]+)=/;

/** What `docker create` gets for a machine `name` of `pool`, copied from `template`. */
export function machineContainer(template: ContainerInfo, pool: NodePool, name: string): Record<string, unknown> {
  const env = (template.Config.Env ?? []).filter((e) => !OWN_ENV.test(e));
  env.push(`NODE_NAME=${name}`, 'KEELSON_KUBELET_RUNTIME=process', `KEELSON_KUBELET_ADDRESS=${name}`, ...Object.entries(nodeShapeEnv(pool)).map(([k, v]) => `${k}=${v}`));
  const project = template.Config.Labels?.[PROJECT_LABEL];
  const networks = Object.keys(template.NetworkSettings?.Networks ?? {});
  const network = template.HostConfig.NetworkMode && !['default', 'bridge', 'host', 'none'].includes(template.HostConfig.NetworkMode) ? template.HostConfig.NetworkMode : networks[0];
  const host = template.HostConfig;
  return {
    Image: template.Config.Image,
    Env: env,
    // The process runtime makes pod users, cgroups and namespaces: root, as compose's node-1.
    User: '0:0',
    Hostname: name,
    WorkingDir: template.Config.WorkingDir,
    Entrypoint: template.Config.Entrypoint ?? undefined,
    Cmd: template.Config.Cmd ?? undefined,
    Labels: {
      // oneoff False: compose's own mark of a service container, which `down --remove-orphans` looks for.
      ...(project ? { [PROJECT_LABEL]: project, [SERVICE_LABEL]: `nodepool-${String(pool.metadata.name)}`, 'com.docker.compose.oneoff': 'False' } : {}),
      [CONTAINER_LABEL]: name,
      [POOL_LABEL]: String(pool.metadata.name),
    },
    HostConfig: {
      Binds: host.Binds, Mounts: host.Mounts, CapAdd: host.CapAdd, Privileged: host.Privileged, SecurityOpt: host.SecurityOpt,
      NetworkMode: network,
      Init: true, // reaps orphaned grandchildren of pod commands
      RestartPolicy: { Name: 'unless-stopped' },
    },
    NetworkingConfig: network ? { EndpointsConfig: { [network]: { Aliases: [name] } } } : undefined,
  };
}

export class ContainerProvider implements NodeProvider {
  readonly name = 'container';
  private readonly docker: DockerApi;
  private templateInfo?: ContainerInfo;
  private readonly busy = new Set<string>();

  constructor(private readonly client: DynamicClient, private readonly cfg: ContainerProviderConfig, private readonly log: Logger, docker?: DockerApi) {
    this.docker = docker ?? new DockerApi(cfg.socket);
  }

  /** The template container: by name or id, else the compose service of that name in the autoscaler's own project. */
  private async template(): Promise<ContainerInfo> {
    if (this.templateInfo) return this.templateInfo;
    let found = await this.docker.inspect(this.cfg.template);
    if (!found) {
      const self = await this.docker.inspect(hostname());
      const project = self?.Config.Labels?.[PROJECT_LABEL];
      if (!project) throw new Error(`no container ${this.cfg.template}, and this autoscaler is not in a compose project to look for the service in`);
      const [c] = await this.docker.list([`${PROJECT_LABEL}=${project}`, `${SERVICE_LABEL}=${this.cfg.template}`]);
      if (!c) throw new Error(`no container of compose service ${this.cfg.template} in project ${project}`);
      found = await this.docker.inspect(c.Id);
    }
    if (!found) throw new Error(`template container ${this.cfg.template} disappeared`);
    this.templateInfo = found;
    return found;
  }

  async createNodes(pool: NodePool, count: number): Promise<string[]> {
    return Promise.all(Array.from({ length: count }, () => this.createNode(pool)));
  }

  private async createNode(pool: NodePool): Promise<string> {
    const name = machineName(pool);
    const template = await this.template();
    this.busy.add(name);
    try {
      await this.client.resource<Node>(NODES).create(poolNode(pool, name, 'container'), { fieldManager: 'cluster-autoscaler' });
      const project = template.Config.Labels?.[PROJECT_LABEL];
      const containerName = project ? `${project}-${name}` : `keelson-${name}`;
      const created = await this.docker.call<{ Id: string }>('POST', `/containers/create?name=${encodeURIComponent(containerName)}`, machineContainer(template, pool, name));
      await this.docker.call('POST', `/containers/${created.Id}/start`);
      this.log.info('kubelet container started', { node: name, container: containerName, id: created.Id.slice(0, 12) });
      await this.client.resource(NODES).patch(name, { metadata: { annotations: { [CONTAINER_ANNOTATION]: created.Id } } }).catch((err: unknown) => {
        if (!isNotFound(err)) this.log.warn('could not annotate the node with its container', { node: name, err: String(err) });
      });
      return name;
    } finally {
      this.busy.delete(name);
    }
  }

  deleteNode(_pool: NodePool, node: string): Promise<void> {
    return this.removeMachine(node);
  }

  /** Its containers stopped (the kubelet stops its pods within stopSeconds) and removed, then its Node deleted. */
  private async removeMachine(node: string): Promise<void> {
    this.busy.add(node);
    try {
      for (const c of await this.machineContainers(`${CONTAINER_LABEL}=${node}`)) {
        await this.docker.call('POST', `/containers/${c.Id}/stop?t=${this.cfg.stopSeconds}`).catch((err: Error & { status?: number }) => {
          if (err.status !== 404) throw err;
        });
        await this.docker.call('DELETE', `/containers/${c.Id}?force=1&v=1`).catch((err: Error & { status?: number }) => {
          if (err.status !== 404) throw err;
        });
        this.log.info('kubelet container removed', { node, id: c.Id.slice(0, 12) });
      }
      await deleteNodeObject(this.client, node);
    } finally {
      this.busy.delete(node);
    }
  }

  /** This cluster's machine containers matching `label` (another stack on the same engine has its own). */
  private async machineContainers(label: string): Promise<Array<{ Id: string; Labels: Record<string, string> }>> {
    const project = (await this.template()).Config.Labels?.[PROJECT_LABEL];
    return this.docker.list(project ? [label, `${PROJECT_LABEL}=${project}`] : [label]);
  }

  /**
   * Each loop on the leader: a machine container whose NodePool or Node is gone (the API says
   * NotFound) is removed with its Node (a running kubelet registers a deleted Node again).
   */
  async sync(pools: Map<string, NodePool>, nodes: Node[]): Promise<void> {
    const byName = new Map(nodes.map((n) => [String(n.metadata.name), n]));
    for (const c of await this.machineContainers(CONTAINER_LABEL)) {
      const node = c.Labels[CONTAINER_LABEL];
      if (!node || this.busy.has(node)) continue;
      const why = await machineOrphaned(this.client, pools, byName, c.Labels[POOL_LABEL], node);
      if (!why) continue;
      this.log.info(`removing a machine container: ${why}`, { node, id: c.Id.slice(0, 12) });
      await this.removeMachine(node);
    }
  }
}
