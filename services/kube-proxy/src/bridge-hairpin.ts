// Hairpin on the pod bridges' ports (kubelet's --hairpin-mode=hairpin-veth): a pod calling its
// own Service may be DNATed to itself; with br_netfilter the bridge then has to send the frame
// back out of the port it came in on, which a bridge port refuses unless hairpin_mode is on.
// Set on every port of the bridges whose names start with the prefix (the kubelet's pod
// bridges are `kb<hash>`), at each sync, so a new pod's port is covered before its endpoint is
// in the rules (both follow the same pod update).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const NET = '/sys/class/net';

/** Ports switched on (for logs); errors (no sysfs, not root) leave things as they are. */
export async function ensureHairpin(bridgePrefix: string): Promise<string[]> {
  if (!bridgePrefix) return [];
  const changed: string[] = [];
  let names: string[];
  try {
    names = await readdir(NET);
  } catch {
    return [];
  }
  for (const br of names.filter((n) => n.startsWith(bridgePrefix))) {
    let ports: string[];
    try {
      ports = await readdir(join(NET, br, 'brif'));
    } catch {
      continue; // not a bridge
    }
    for (const port of ports) {
      const file = join(NET, br, 'brif', port, 'hairpin_mode');
      try {
        if ((await readFile(file, 'utf8')).trim() === '1') continue;
        await writeFile(file, '1');
        changed.push(`${br}/${port}`);
      } catch {
        /* port went away, or no permission */
      }
    }
  }
  return changed;
}
