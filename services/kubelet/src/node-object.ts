// The Node object a kubelet registers, and the status it keeps fresh (kubelet_node_status.go).
import { readFileSync } from 'node:fs';
import { arch, release } from 'node:os';
import type { Node, NodeCondition, Taint } from './types';

export const KUBELET_VERSION = 'v1.32.0-keelson';

export interface NodeIdentity {
  name: string;
  address: string;
  kubeletPort: number;
  runtime: 'process' | 'simulated';
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  labels: Record<string, string>;
  taints: Taint[];
  /** Conditions the node reports beyond the kubelet's own (NetworkUnavailable from the pod network). */
  extraConditions?: () => Array<{ type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string }>;
}

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

function osImage(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

function readId(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().replace(/-/g, '');
  } catch {
    return '';
  }
}

export function nodeLabels(id: NodeIdentity): Record<string, string> {
  const goarch = GOARCH[arch()] ?? arch();
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': goarch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': goarch,
    'kubernetes.io/hostname': id.name,
    'kubernetes.io/os': 'linux',
    'keelson.dev/runtime': id.runtime,
  };
  if (id.runtime === 'simulated') labels.type = 'kwok'; // what KWOK nodes carry
  return { ...labels, ...id.labels };
}

/** The conditions of a healthy kubelet; transition times kept from `previous` when unchanged. */
export function nodeConditions(now: string, previous: NodeCondition[] = [], extra: NonNullable<NodeIdentity['extraConditions']> = () => []): NodeCondition[] {
  const want: Array<[string, 'True' | 'False' | 'Unknown', string, string]> = [
    ...extra().map((c): [string, 'True' | 'False' | 'Unknown', string, string] => [c.type, c.status, c.reason, c.message]),
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
  ];
  return want.map(([type, status, reason, message]) => {
    const prev = previous.find((c) => c.type === type);
    return { type, status, lastHeartbeatTime: now, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now, reason, message };
  });
}

export function nodeStatus(id: NodeIdentity, now: string, previous?: NodeCondition[]): Record<string, unknown> {
  const machineID = readId('/etc/machine-id');
  return {
    capacity: id.capacity,
    allocatable: id.allocatable,
    conditions: nodeConditions(now, previous, id.extraConditions),
    addresses: [{ type: 'InternalIP', address: id.address }, { type: 'Hostname', address: id.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: id.kubeletPort } },
    nodeInfo: {
      machineID,
      systemUUID: machineID,
      bootID: readId('/proc/sys/kernel/random/boot_id'),
      kernelVersion: release(),
      osImage: osImage(),
      containerRuntimeVersion: `${id.runtime}://0.1.0`,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: GOARCH[arch()] ?? arch(),
    },
  };
}

export function newNode(id: NodeIdentity, now: string): Node {
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: id.name, labels: nodeLabels(id), annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } },
    spec: id.taints.length ? { taints: id.taints } : {},
    status: nodeStatus(id, now),
  };
  return node;
}
