// Compose driver: the HA docker-compose stack brought up by @keelson/compose; targets are compose
// services (`scheduler-1`, `etcd-2`...), hit with docker kill / restart / pause / network disconnect.
import { readFileSync } from 'node:fs';
import { up, type ComposeStack } from '@keelson/compose';
import { Api, parseKubeconfig, type ApiTarget } from './api';
import { kindOf, type BackendAccess, type ChaosDriver, type Target } from './driver';

export class ComposeDriver implements ChaosDriver {
  readonly name = 'compose' as const;
  private stack: ComposeStack | undefined;
  private target: ApiTarget | undefined;

  constructor(private readonly opts: { log: (line: string) => void; id?: string }) {}

  async start(): Promise<void> {
    this.stack = await up({ id: this.opts.id ?? 'chaos', log: this.opts.log });
    const kc = parseKubeconfig(readFileSync(this.stack.kubeconfig, 'utf8'));
    this.target = { urls: [this.stack.apiUrl], token: kc.token, caPem: kc.caPem };
  }

  private s(): ComposeStack {
    if (!this.stack) throw new Error('not started');
    return this.stack;
  }

  api(): ApiTarget {
    if (!this.target) throw new Error('not started');
    return this.target;
  }

  /** etcd and NATS are reachable inside the stack's network only: the relay check is not run on this driver. */
  backends(): BackendAccess {
    return {};
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

  /** Controllers' Leases name their holder by POD_NAME, which is the compose service name. */
  async leaderOf(service: string): Promise<string | undefined> {
    if (service === 'relay' || service === 'etcd') return undefined; // not visible from the host: a random replica is hit
    const lease = await new Api(this.api(), 3000).call<{ spec?: { holderIdentity?: string } }>('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${service}`).catch(() => undefined);
    return lease?.spec?.holderIdentity?.split('_')[0];
  }

  async stop(): Promise<void> {
    await this.stack?.down();
  }
}
