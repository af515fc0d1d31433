// The API from inside a pod's network namespace. Pods are told KUBERNETES_SERVICE_HOST/PORT =
// the gateway's address as the kubelet reaches it (volumes/pod-sandbox.ts), usually
// 127.0.0.1:<port>, which the serving certificate names — but a pod's 127.0.0.1 is its own.
// So, where the API listens on loopback:
//   - the kubelet relays TCP from <bridge address>:<port> to the API (ApiRelay: bytes only; TLS
//     stays end to end between the pod's client and the gateway, so the certificate still matches
//     127.0.0.1 and the client's token is checked by the gateway as ever);
//   - inside the pod's namespace, connections to 127.0.0.1:<port> are DNATed to the bridge address
//     (and SNATed to the pod IP), with route_localnet so the kernel lets 127.0.0.1 leave by eth0,
//     and kube-proxy's KUBE-FIREWALL guard: nothing from outside reaches the pod's 127/8 unless
//     it is the answer to such a connection.
//   - the `kubernetes` Service's cluster IP and port (what in-cluster clients that are not told
//     KUBERNETES_SERVICE_HOST use: https://kubernetes.default.svc, 10.96.0.1:443) are DNATed in
//     the pod's namespace to the same relay: kube-proxy would forward them to the gateway's
//     advertised address, where a gateway bound to loopback does not listen.
// Nothing else of the host's loopback (etcd, NATS) is reachable from pods.
import { createServer, connect, type Server } from 'node:net';
import type { Logger } from '@keelson/telemetry';

export interface ApiEndpoint {
  host: string;
  port: number;
}

/** The API endpoint to relay for pods, or undefined when pods reach it without help (not loopback). */
export function loopbackApi(url: string | undefined): ApiEndpoint | undefined {
  if (!url) return undefined;
  const u = new URL(url);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!(host.startsWith('127.') || host === 'localhost')) return undefined;
  return { host: host === 'localhost' ? '127.0.0.1' : host, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
}

/** TCP relay on the bridge address to the API on the host's loopback. */
export class ApiRelay {
  private server?: Server;

  constructor(private readonly api: ApiEndpoint, private readonly log: Logger) {}

  /** Listens on `address` (the bridge's); a second call for the same address is a no-op. */
  async listen(address: string): Promise<void> {
    if (this.server) return;
    const server = createServer((downstream) => {
      const upstream = connect(this.api.port, this.api.host);
      downstream.pipe(upstream).pipe(downstream);
      const end = (): void => {
        downstream.destroy();
        upstream.destroy();
      };
      downstream.on('error', end);
      upstream.on('error', end);
      downstream.on('close', end);
      upstream.on('close', end);
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(this.api.port, address, () => {
        server.off('error', fail);
        ok();
      });
    });
    server.on('error', (err) => this.log.warn('API relay for pods failed', { err: String(err) }));
    server.unref();
    this.server = server;
    this.log.info('pods reach the API through the bridge', { listen: `${address}:${this.api.port}`, api: `${this.api.host}:${this.api.port}` });
  }

  close(): void {
    this.server?.close();
    this.server = undefined;
  }
}

/**
 * The shell run inside a new pod namespace (nsenter --net) that points the pod's 127.0.0.1:<port>
 * at the relay; `iptables-restore` reads RULES on stdin. Args: none.
 */
export const POD_API_SCRIPT = 'for f in /proc/sys/net/ipv4/conf/*/route_localnet; do echo 1 > "$f"; done\nexec iptables-restore -w --noflush';

/**
 * iptables-restore input for a pod at `podIP` whose API traffic (to 127.0.0.1:`port`, and to the
 * `kubernetes` Service at `service` when known) goes to `gateway`:`port`.
 */
export function podApiRules(podIP: string, gateway: string, port: number, service?: ApiEndpoint): string {
  return [
    '*nat',
    `-A OUTPUT -d 127.0.0.1/32 -p tcp --dport ${port} -j DNAT --to-destination ${gateway}:${port}`,
    ...(service ? [`-A OUTPUT -d ${service.host}/32 -p tcp --dport ${service.port} -j DNAT --to-destination ${gateway}:${port}`] : []),
    `-A POSTROUTING -s 127.0.0.1/32 -o eth0 -j SNAT --to-source ${podIP}`,
    'COMMIT',
    '*filter',
    '-A INPUT ! -i lo -d 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    'COMMIT',
    '',
  ].join('\n');
}
