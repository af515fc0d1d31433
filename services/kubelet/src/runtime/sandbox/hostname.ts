// A pod's hostname and /etc/hosts as the kubelet makes them (kubelet_pods.go GeneratePodHostNameAndDomain,
// managedHostsFileContent): spec.hostname or the pod's name (cut to 63 characters), the FQDN
// <hostname>.<subdomain>.<namespace>.svc.<cluster domain> when a subdomain is set, and the FQDN
// itself as the hostname with setHostnameAsFQDN.
import type { Pod } from '../../types';

const CLUSTER_DOMAIN = process.env.KEELSON_CLUSTER_DOMAIN || 'cluster.local';
const MAX_HOSTNAME = 63;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The short hostname (kube truncates a long pod name and trims a trailing '-' or '.'). */
export function shortHostname(pod: Pod): string {
  const name = str(pod.spec.hostname) ?? pod.metadata.name ?? '';
  return name.length > MAX_HOSTNAME ? name.slice(0, MAX_HOSTNAME).replace(/[-.]+$/, '') : name;
}

export function podFqdn(pod: Pod): string | undefined {
  const sub = str(pod.spec.subdomain);
  return sub ? `${shortHostname(pod)}.${sub}.${pod.metadata.namespace ?? 'default'}.svc.${CLUSTER_DOMAIN}` : undefined;
}

/** What `hostname` prints inside the pod. */
export function podHostname(pod: Pod): string {
  const fqdn = podFqdn(pod);
  return pod.spec.setHostnameAsFQDN === true && fqdn ? fqdn : shortHostname(pod);
}

/** The kubelet-managed /etc/hosts: localhost entries, the pod's own name, then hostAliases. */
export function hostsFile(pod: Pod, podIP: string): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const fqdn = podFqdn(pod);
  lines.push(`${podIP}\t${fqdn ? `${fqdn}\t` : ''}${shortHostname(pod)}`);
  const aliases = Array.isArray(pod.spec.hostAliases) ? (pod.spec.hostAliases as { ip?: string; hostnames?: string[] }[]) : [];
  if (aliases.length) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of aliases) if (a.ip && a.hostnames?.length) lines.push(`${a.ip}\t${a.hostnames.join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}
