// Who a container runs as, from its securityContext merged over the pod's as kube merges them
// (securitycontext.DetermineEffectiveSecurityContext: the container's runAsUser, runAsGroup and
// runAsNonRoot win over the pod's; supplementalGroups and fsGroup come from the pod). With no
// runAsUser the "image user" is the node's unprivileged pod identity (runtime/pod-identity.ts).
import type { Container, Pod } from '../../types';
import type { PodIdentity } from '../pod-identity';

export interface ContainerUser {
  uid: number;
  gid: number;
  groups: number[];
}

interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  supplementalGroups?: number[];
  fsGroup?: number;
}

const sc = (v: unknown): SecurityContext => (v && typeof v === 'object' && !Array.isArray(v) ? (v as SecurityContext) : {});
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

/** A container's settings refuse to start it (kube's CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';
}

/**
 * The user a container runs as; undefined when the kubelet is not root (it cannot switch users:
 * its own). Throws ContainerConfigError where kube's verifyRunAsNonRoot refuses the container.
 */
export function containerUser(pod: Pod, c: Container, fallback: PodIdentity | undefined): ContainerUser | undefined {
  const podSc = sc(pod.spec.securityContext);
  const cSc = sc((c as { securityContext?: unknown }).securityContext);
  const runAsUser = int(cSc.runAsUser) ?? int(podSc.runAsUser);
  const runAsGroup = int(cSc.runAsGroup) ?? int(podSc.runAsGroup);
  const nonRoot = cSc.runAsNonRoot ?? podSc.runAsNonRoot;
  const who = `pod: "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})", container: ${c.name}`;
  if (nonRoot === true) {
    if (runAsUser === 0) throw new ContainerConfigError(`container's runAsUser breaks non-root policy (${who})`);
    if (runAsUser === undefined && !fallback && process.getuid?.() === 0) throw new ContainerConfigError(`container has runAsNonRoot and image will run as root (${who})`);
  }
  if (!fallback) return undefined;
  const groups = [...(Array.isArray(podSc.supplementalGroups) ? podSc.supplementalGroups.map(int).filter((g): g is number => g !== undefined) : [])];
  const fsGroup = int(podSc.fsGroup);
  if (fsGroup !== undefined && !groups.includes(fsGroup)) groups.push(fsGroup);
  return { uid: runAsUser ?? fallback.uid, gid: runAsGroup ?? fallback.gid, groups };
}
