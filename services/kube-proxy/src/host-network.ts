// Kernel settings the data plane relies on, checked (and set when we may) at start:
// - br_netfilter with net.bridge.bridge-nf-call-iptables=1: two pods on one bridge talk at L2,
//   so the reply of a DNATed connection would bypass conntrack's reverse NAT unless bridged
//   frames pass through netfilter; without it every proxied connection is masqueraded instead;
// - net.ipv4.ip_forward=1: pod traffic to a VIP is routed through the host;
// - net.ipv4.conf.all.route_localnet=1 (only for localhost node ports, as kube-proxy's
//   iptables mode sets it): a connection to 127.0.0.1:<nodePort> DNATed to a pod leaves loopback.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface HostNetwork {
  brNetfilter: boolean;
  ipForward: boolean;
  routeLocalnet: boolean;
  notes: string[];
}

async function sysctl(path: string, want: string, notes: string[]): Promise<boolean> {
  try {
    if ((await readFile(path, 'utf8')).trim() === want) return true;
    await writeFile(path, want);
    notes.push(`set ${path.replace('/proc/sys/', '').replace(/\//g, '.')}=${want}`);
    return true;
  } catch (err) {
    notes.push(`cannot set ${path}: ${(err as Error).message}`);
    return false;
  }
}

export async function prepareHostNetwork(opts: { localhostNodePorts: boolean }): Promise<HostNetwork> {
  const notes: string[] = [];
  const bridgeCall = '/proc/sys/net/bridge/bridge-nf-call-iptables';
  if (!existsSync(bridgeCall)) {
    try {
      await run('modprobe', ['br_netfilter']);
      notes.push('loaded br_netfilter');
    } catch (err) {
      notes.push(`br_netfilter unavailable (${(err as Error).message.split('\n')[0]})`);
    }
  }
  const brNetfilter = existsSync(bridgeCall) && (await sysctl(bridgeCall, '1', notes));
  const ipForward = await sysctl('/proc/sys/net/ipv4/ip_forward', '1', notes);
  const routeLocalnet = opts.localhostNodePorts && (await sysctl('/proc/sys/net/ipv4/conf/all/route_localnet', '1', notes));
  return { brNetfilter, ipForward, routeLocalnet, notes };
}
