// `kubectl get nodes`: STATUS from the Ready condition, ROLES from role labels.

import type { KubeObject } from '../types';
import type { Printer, PrintedRow } from '../table';
import { bool, rec, recs, str } from './access';
import { AGE_COLUMN, NAME_COLUMN, column } from './columns';
import { timestampSince } from './duration';

const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
const LEGACY_ROLE_LABEL = 'kubernetes.io/role';

/** Roles from `node-role.kubernetes.io/<role>` keys and a non-empty `kubernetes.io/role` value, sorted. */
export function nodeRoles(labels: Record<string, string> | undefined): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith(ROLE_LABEL_PREFIX)) {
      const role = k.slice(ROLE_LABEL_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === LEGACY_ROLE_LABEL && v) roles.add(v);
  }
  return [...roles].sort();
}

function printNode(obj: KubeObject, now: Date): PrintedRow {
  const spec = rec(obj, 'spec');
  const status = rec(obj, 'status');
  const info = rec(status, 'nodeInfo');
  // The last Ready condition wins, as in the map printNode builds.
  const ready = recs(status, 'conditions').filter((c) => str(c, 'type') === 'Ready').pop();
  const states = [ready ? (str(ready, 'status') === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (bool(spec, 'unschedulable')) states.push('SchedulingDisabled');
  const address = (type: string) => str(recs(status, 'addresses').find((a) => str(a, 'type') === type), 'address') || '<none>';
  return {
    cells: [
      obj.metadata?.name ?? '',
      states.join(','),
      nodeRoles(obj.metadata?.labels).join(',') || '<none>',
      timestampSince(obj.metadata?.creationTimestamp, now),
      str(info, 'kubeletVersion'),
      address('InternalIP'),
      address('ExternalIP'),
      str(info, 'osImage') || '<unknown>',
      str(info, 'kernelVersion') || '<unknown>',
      str(info, 'containerRuntimeVersion') || '<unknown>',
    ],
  };
}

export const nodePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    column('Version', 'string', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'string', 'List of addresses reachable to the node.', 1),
    column('External-IP', 'string', 'List of addresses reachable to the node.', 1),
    column('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    column('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    column('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  print: printNode,
};
