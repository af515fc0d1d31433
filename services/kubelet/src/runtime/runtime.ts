// The container runtime behind the pod workers (the kubelet's CRI, reduced to what a
// process or a simulation can do). One implementation per file in this folder.
import type { Container, ContainerStateTerminated, Pod } from '../types';

/** How a container ended. */
export interface ExitInfo {
  exitCode: number;
  signal?: number;
  /** `Completed`, `Error`, `ContainerStatusUnknown`… */
  reason: string;
  message?: string;
  finishedAt: string;
}

/** A started container. */
export interface ContainerHandle {
  /** `process://<pid>` or `simulated://<id>`. */
  containerID: string;
  startedAt: string;
  /** Resolves once, when the container has ended for any reason. */
  exited: Promise<ExitInfo>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has ended. */
  stop(graceMs: number): Promise<ExitInfo>;
}

/** A container found running from before a kubelet restart. */
export interface RecoveredContainer {
  name: string;
  restartCount: number;
  handle: ContainerHandle;
}

/** What a pod's containers keep across kubelet restarts (restart counts, last exits). */
export interface PersistedContainerState {
  restartCount: number;
  /** When the current attempt started (equal to lastTerminated.startedAt once it ended). */
  startedAt?: string;
  lastTerminated?: ContainerStateTerminated & { containerID?: string };
}

/** Raised by `pullImage`: reported as ErrImagePull, then ImagePullBackOff. */
export class ImagePullError extends Error {
  override readonly name = 'ImagePullError';
}

/** Raised by `startContainer` when the process cannot be created (CreateContainerError / CreateContainerConfigError / RunContainerError). */
export class StartContainerError extends Error {
  override readonly name = 'StartContainerError';
  constructor(readonly reason: 'CreateContainerError' | 'CreateContainerConfigError' | 'RunContainerError', message: string) {
    super(message);
  }
}

export interface Runtime {
  readonly name: 'process' | 'simulated';
  /** Whether probes run (a simulated container has nothing to probe). */
  readonly probes: boolean;
  /** The pod's IP as this runtime provides it. */
  podIP(pod: Pod): string;
  /**
   * The pod's network sandbox (runtime/network/): made on the first sync, found again after a
   * kubelet restart; its IPs. Absent: every pod has `podIP(pod)`.
   */
  setUpPodNetwork?(pod: Pod): Promise<{ podIP: string; hostIP: string }>;
  /** The "image pull" step: makes sure the container can be started. */
  pullImage(pod: Pod, container: Container): Promise<void>;
  /** `ips`: the pod's and the node's addresses (the downward API's status.podIP and status.hostIP). */
  startContainer(pod: Pod, container: Container, restartCount: number, ips: { podIP: string; hostIP: string }): Promise<ContainerHandle>;
  /** Containers of this pod still running from an earlier kubelet. */
  recover(pod: Pod): Promise<RecoveredContainer[]>;
  /** Pods (uids) with state on this node, for orphan clean-up after a restart. */
  knownPodUids(): Promise<string[]>;
  /** Stops whatever still runs for a pod that no longer exists, and removes its state. */
  removePod(uid: string, graceMs: number): Promise<void>;
  saveState(pod: Pod, name: string, state: PersistedContainerState): Promise<void>;
  loadState(pod: Pod, name: string): Promise<PersistedContainerState | undefined>;
  /** The log file of attempt `restartCount` (undefined when the runtime keeps no logs). */
  logPath(uid: string, container: string, restartCount: number): string | undefined;
}
