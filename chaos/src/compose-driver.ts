// Compose driver: the HA docker-compose stack brought up by @keelson/compose; targets are compose
// services (`scheduler-1`, `etcd-2`...), hit with docker kill / restart / pause / network disconnect.
// The stack is started with its etcd and NATS client ports published on loopback (a test-only
// override), so the relay check reads etcd's history and the events stream as on the local
// driver, with the gateway's own client credentials read out of its container.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { up, type ComposeStack } from '@keelson/compose';
import { Etcd3 } from 'etcd3';
import { Api, parseKubeconfig, type ApiTarget } from './api';
import { kindOf, RELAY_LEADER_KEY, type BackendAccess, type ChaosDriver, type Target } from './driver';

export class ComposeDriver implements ChaosDriver {
  readonly name = 'compose' as const;
  private stack: ComposeStack | undefined;
  private target: ApiTarget | undefined;
  private credsDir: string | undefined;
  private access: BackendAccess = {};
  private etcdClient: Etcd3 | undefined;
  /** The gateway's etcd client credentials, read once. */
  private etcdCredentials: { rootCertificate: Buffer; certChain: Buffer; privateKey: Buffer } | undefined;

  /** `stack`: drive a stack someone else brought up (with `exposeBackends`) and leave it running at stop(). */
  constructor(private readonly opts: { log: (line: string) => void; id?: string; stack?: ComposeStack }) {
    this.stack = opts.stack;
  }

  async start(): Promise<void> {
    this.stack ??= await up({ id: this.opts.id ?? 'chaos', log: this.opts.log, exposeBackends: true });
    const kc = parseKubeconfig(readFileSync(this.stack.kubeconfig, 'utf8'));
    this.target = { urls: [this.stack.apiUrl], token: kc.token, caPem: kc.caPem };
    if (this.stack.backends) await this.readBackendCredentials(this.stack);
    else this.opts.log('the stack does not publish etcd/NATS ports: the relay check cannot run');
  }

  /** The gateway's etcd client certificate and NATS password, copied out of its container (0600, removed at stop). */
  private async readBackendCredentials(stack: ComposeStack): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'keelson-chaos-creds-'));
    this.credsDir = dir;
    const copy = async (path: string, file: string): Promise<string> => {
      const r = await stack.exec('api-gateway-1', ['cat', path]);
      if (r.code !== 0) throw new Error(`reading ${path} in api-gateway-1: ${r.stderr.trim()}`);
      writeFileSync(join(dir, file), r.stdout, { mode: 0o600 });
      return join(dir, file);
    };
    const caFile = await copy('/var/lib/keelson/pki/ca.crt', 'ca.crt');
    const certFile = await copy('/var/lib/keelson/pki/etcd-client.crt', 'etcd-client.crt');
    const keyFile = await copy('/var/lib/keelson/pki/etcd-client.key', 'etcd-client.key');
    const password = readFileSync(await copy('/var/lib/keelson/nats/api-gateway.password', 'nats.password'), 'utf8').trim();
    const b = stack.backends!;
    this.access = {
      etcd: { endpoints: b.etcd, caFile, certFile, keyFile },
      nats: { servers: b.nats, caFile, user: 'api-gateway', password, inboxPrefix: '_INBOX_api-gateway' },
    };
    this.etcdCredentials = { rootCertificate: readFileSync(caFile), certChain: readFileSync(certFile), privateKey: readFileSync(keyFile) };
    this.etcdClient = new Etcd3({ hosts: b.etcd, credentials: this.etcdCredentials, dialTimeout: 3000 });
  }

  private s(): ComposeStack {
    if (!this.stack) throw new Error('not started');
    return this.stack;
  }

  api(): ApiTarget {
    if (!this.target) throw new Error('not started');
    return this.target;
  }

  backends(): BackendAccess {
    return this.access;
  }

  /** Every api-gateway-N container running and healthy (its health check is /readyz), and the load balancer answering. */
  async gatewaysReady(api: Api): Promise<boolean> {
    const gateways = (await this.s().ps()).filter((c) => /^api-gateway-\d+$/.test(c.service));
    return gateways.length > 0 && gateways.every((c) => c.status === 'running' && c.health === 'healthy') && (await api.allReady());
  }

  leaseDurationMs(): number {
    return 15_000;
  }

  async targets(): Promise<Target[]> {
    const out: Target[] = [];
    for (const svc of await this.s().services()) {
      if (svc === 'api-gateway') continue; // the load balancer is not a target
      const k = kindOf(svc === 'nodes-sim' ? 'kubelet-sim' : /^node-\d$/.test(svc) ? `kubelet-${svc}` : svc);
      if (k) out.push({ name: svc, ...k });
    }
    return out;
  }

  kill(target: string): Promise<void> {
    return this.s().kill(target);
  }

  restart(target: string): Promise<void> {
    return this.s().restart(target);
  }

  /** Alternates the two partition kinds: a frozen container, and one cut off the network. */
  private partitions = 0;
  async pause(target: string, ms: number): Promise<void> {
    const s = this.s();
    const frozen = this.partitions++ % 2 === 0;
    if (frozen) await s.pause(target); else await s.disconnect(target);
    await new Promise((r) => setTimeout(r, ms));
    if (frozen) await s.unpause(target); else await s.connect(target);
  }

  /**
   * etcd: the member whose status names itself leader (its published port gives its index).
   * relay: the gateway whose hostname (its container's short id) holds the relay's etcd key.
   * Controllers' Leases name their holder by POD_NAME, which is the compose service name.
   */
  async leaderOf(service: string): Promise<string | undefined> {
    const etcd = this.etcdClient;
    if (service === 'etcd') {
      if (!etcd) return undefined;
      const b = this.s().backends!;
      for (let i = 0; i < b.etcd.length; i++) {
        const one = new Etcd3({ hosts: [b.etcd[i]], credentials: this.etcdCredentials, dialTimeout: 2000 });
        try {
          const st = await one.maintenance.status();
          if (st.leader === st.header.member_id) return `etcd-${i + 1}`;
        } catch {
          // that member is down: look at the next
        } finally {
          one.close();
        }
      }
      return undefined;
    }
    if (service === 'relay') {
      const holder = await etcd?.get(RELAY_LEADER_KEY).string().catch(() => null);
      const host = holder?.split('/')[0];
      if (!host) return undefined;
      for (const svc of ['api-gateway-1', 'api-gateway-2']) {
        const id = await this.s().containerOf(svc).catch(() => '');
        if (id && (id.startsWith(host) || host.startsWith(id))) return svc;
      }
      return undefined;
    }
    const lease = await new Api(this.api(), 3000).call<{ spec?: { holderIdentity?: string } }>('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${service}`).catch(() => undefined);
    return lease?.spec?.holderIdentity?.split('_')[0];
  }

  async stop(): Promise<void> {
    this.etcdClient?.close();
    if (this.credsDir) rmSync(this.credsDir, { recursive: true, force: true });
    if (!this.opts.stack) await this.stack?.down();
  }
}
