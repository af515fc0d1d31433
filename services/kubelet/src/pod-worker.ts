// One pod's worker (kubelet's pod_workers + kuberuntime SyncPod): level-based syncs,
// serialized per pod, that pull, start, restart (with back-off), probe and stop its
// containers, then hand the resulting status to the status writer.
import type { Logger } from '@keelson/telemetry';
import { formatDuration, type Backoff } from './backoff';
import { PodStartTrace } from './pod-start-trace';
import { incompleteInit, isSidecar } from './init-containers';
import { computePodStatus } from './pod-status';
import { ProbeWorker, runHook, runProbe, type ProbeKind, type ProbeResult } from './prober';
import { launchInContainer } from './streaming/container-process';
import { ImagePullError, StartContainerError, type ContainerHandle, type ExitInfo, type Runtime } from './runtime/runtime';
import { allContainers, type Container, type ContainerState, type ContainerStateTerminated, type ContainerStatus, type Pod, type PodCondition, type PodStatus, type Probe } from './types';

export interface PodWorkerDeps {
  runtime: Runtime;
  crashBackoff: Backoff;
  pullBackoff: Backoff;
  hostIP: string;
  log: Logger;
  /** Writes the pod's status (coalescing, retrying). */
  writeStatus(pod: Pod, status: PodStatus): void;
  /** Removes the pod for good (DELETE with gracePeriodSeconds 0). */
  confirmDeletion(pod: Pod): Promise<void>;
  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** Each probe run's raw outcome, before thresholds (prober_probe_total). */
  probed?(kind: ProbeKind, result: ProbeResult): void;
}

/** What the worker knows about one container. */
interface ContainerRun {
  spec: Container;
  restartCount: number;
  /** An init container (init-containers.ts): runs to success before the app containers. */
  init?: boolean;
  /** An ephemeral container (kubectl debug): started once, never restarted, outside the pod's phase and readiness. */
  ephemeral?: boolean;
  handle?: ContainerHandle;
  /** Set while stopping on purpose (liveness failure, pod deletion). */
  stopping?: boolean;
  waiting?: { reason: string; message?: string };
  /** The last exit (kept for lastState, and as state when not restarted). */
  terminated?: ContainerStateTerminated & { containerID?: string };
  /** True once it may restart no more (restartPolicy). */
  done?: boolean;
  imagePulled: boolean;
  pullFailedAt?: number;
  /** The last pull's error, which the back-off's waiting message repeats (once). */
  pullError?: string;
  started: boolean;
  ready: boolean;
  probes: ProbeWorker[];
}

export class PodWorker {
  private pod: Pod;
  private readonly runs = new Map<string, ContainerRun>();
  private syncing?: Promise<void>;
  private again = false;
  private timer?: NodeJS.Timeout;
  private readonly startTime = new Date().toISOString();
  private initialized?: Promise<void>;
  private terminated = false;
  /**
   * The conditions this worker last computed: the base for the next computation's transition
   * times (kube's status manager keeps its own copy too). The pod as the informer shows it lags
   * our writes; computed from it, every publish before the echo arrived stamped a changed
   * condition with a new lastTransitionTime, each a new write, and under load the writes and
   * their echoes kept each other going (~19 pods/status writes per Job pod instead of ~2).
   */
  private conditions?: PodCondition[];
  /** Empty until the pod network is set up (runtime.setUpPodNetwork); the node's address for a pod status until then. */
  private podIP: string;
  private hostIP: string;
  private networkUp: boolean;

  constructor(pod: Pod, private readonly deps: PodWorkerDeps, private readonly startTrace = new PodStartTrace(pod, '', { background: true })) {
    this.pod = pod;
    this.networkUp = !deps.runtime.setUpPodNetwork;
    this.podIP = this.networkUp ? deps.runtime.podIP(pod) : '';
    this.hostIP = deps.hostIP;
  }

  get uid(): string {
    return this.pod.metadata.uid ?? '';
  }

  /** The current restart count of a container (log lookups). */
  restartCount(name: string): number | undefined {
    return this.runs.get(name)?.restartCount;
  }

  /** Whether a container has produced an attempt yet (for log requests). */
  containerState(name: string): { running: boolean; waiting?: string; exists: boolean } {
    const r = this.runs.get(name);
    if (!r) return { running: false, exists: false };
    return { running: !!r.handle, waiting: r.handle || r.terminated ? undefined : r.waiting?.reason ?? 'ContainerCreating', exists: true };
  }

  /** The pod as last seen, and a running container's ID (`process://<pid>`): for exec/attach (streaming/). */
  get current(): Pod {
    return this.pod;
  }

  containerID(name: string): string | undefined {
    return this.runs.get(name)?.handle?.containerID;
  }

  /** A newer copy of the pod arrived; sync against it. */
  update(pod: Pod): void {
    this.pod = pod;
    this.sync();
  }

  /** Queues a sync; syncs never overlap. */
  sync(): void {
    if (this.terminated) return;
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = this.loop().finally(() => (this.syncing = undefined));
  }

  /** The pod is gone from the API (force-deleted): stop its containers, drop its state. */
  async remove(): Promise<void> {
    this.terminated = true;
    this.startTrace.end('pod removed');
    clearTimeout(this.timer);
    await Promise.all([...this.runs.values()].map((r) => {
      r.probes.forEach((p) => p.stop());
      return this.stopContainer(r, this.graceMs());
    }));
    await this.deps.runtime.removePod(this.uid, 0);
    this.deps.crashBackoff.forgetPrefix(`${this.uid}/`);
    this.deps.pullBackoff.forgetPrefix(`${this.uid}/`);
  }

  /** The kubelet is stopping: stop probing, leave processes running. */
  detach(): void {
    this.terminated = true;
    this.startTrace.end('kubelet stopping');
    clearTimeout(this.timer);
    for (const r of this.runs.values()) r.probes.forEach((p) => p.stop());
  }

  /**
   * The kubelet stops gracefully: each running container gets SIGTERM, then SIGKILL after its
   * grace period (at most `maxGraceMs`), and its exit is saved, so the next kubelet restarts it
   * (restartPolicy and back-off apply) instead of finding a process nobody watched end.
   */
  async shutdown(maxGraceMs: number): Promise<void> {
    this.terminated = true;
    this.startTrace.end('kubelet stopping');
    clearTimeout(this.timer);
    await Promise.all([...this.runs.values()].map(async (r) => {
      r.probes.forEach((p) => p.stop());
      const h = r.handle;
      if (!h) return;
      const exit = await h.stop(Math.min(this.graceMs(), maxGraceMs));
      const lastTerminated = { exitCode: exit.exitCode, reason: exit.reason, startedAt: h.startedAt, finishedAt: exit.finishedAt, containerID: h.containerID };
      await this.deps.runtime.saveState(this.pod, r.spec.name, { restartCount: r.restartCount, startedAt: h.startedAt, lastTerminated }).catch((err: unknown) => {
        this.deps.log.warn('saving container state failed', { pod: this.name(), err: String(err) });
      });
    }));
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        // The network first: probes of adopted containers and every container's env need the pod IP.
        if (!this.networkUp && !this.pod.metadata.deletionTimestamp) await this.startTrace.step('pod network', { 'k8s.pod.uid': this.uid }, () => this.setUpNetwork());
        this.initialized ??= this.startTrace.step('sandbox', { 'k8s.pod.uid': this.uid }, () => this.recover());
        await this.initialized;
        await this.syncOnce();
      } catch (err) {
        this.startTrace.end('sync failed');
        this.deps.log.error('pod sync failed', { pod: this.name(), err: err instanceof Error ? err.message : String(err) });
        this.retryIn(1000);
      }
    } while (this.again && !this.terminated);
  }

  /** The pod's network sandbox (kube's RunPodSandbox): its IP before any container starts; retried on failure. */
  private async setUpNetwork(): Promise<void> {
    try {
      const addrs = await this.deps.runtime.setUpPodNetwork!(this.pod);
      this.podIP = addrs.podIP;
      this.hostIP = addrs.hostIP;
      this.networkUp = true;
    } catch (err) {
      this.deps.event(this.pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  }

  /** Adopts containers still running from an earlier kubelet; restores restart counts. */
  private async recover(): Promise<void> {
    const recovered = await this.deps.runtime.recover(this.pod);
    const init = new Set(this.pod.spec.initContainers ?? []);
    const ephemeral = new Set(this.pod.spec.ephemeralContainers ?? []);
    for (const c of allContainers(this.pod)) {
      const saved = await this.deps.runtime.loadState(this.pod, c.name);
      const run = this.newRun(c, saved?.restartCount ?? 0);
      if (init.has(c)) run.init = true;
      if (ephemeral.has(c)) run.ephemeral = true;
      if (saved?.lastTerminated) {
        // It ran and ended before: keep that as its last state, and whether it may restart.
        run.terminated = { ...saved.lastTerminated };
        run.imagePulled = true;
        this.afterExit(run);
      }
      const found = recovered.find((x) => x.name === c.name);
      if (found) {
        this.deps.log.info('adopted a running container', { pod: this.name(), container: c.name, id: found.handle.containerID });
        run.imagePulled = true;
        this.watch(run, found.handle);
      } else if (saved?.startedAt && saved.startedAt !== saved.lastTerminated?.startedAt) {
        // It ran, and is gone without anyone seeing it end: say so rather than guess.
        run.imagePulled = true;
        run.terminated = { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the kubelet restarted', finishedAt: new Date().toISOString() };
        this.afterExit(run);
      }
      this.runs.set(c.name, run);
    }
  }

  private newRun(spec: Container, restartCount: number): ContainerRun {
    return { spec, restartCount, imagePulled: false, started: false, ready: false, probes: [] };
  }

  private async syncOnce(): Promise<void> {
    if (this.pod.metadata.deletionTimestamp) return this.terminate();
    let wakeIn = Infinity;
    const initialized = await this.syncInit((ms) => (wakeIn = Math.min(wakeIn, ms)));
    // Ephemeral containers (kubectl debug) start whenever they appear, once the pod has started.
    const ephemeral = new Set(this.pod.spec.ephemeralContainers ?? []);
    for (const c of initialized ? [...this.pod.spec.containers, ...ephemeral] : []) {
      const run = this.runs.get(c.name) ?? { ...this.newRun(c, 0), ephemeral: ephemeral.has(c) };
      this.runs.set(c.name, run);
      if (run.handle || run.done) continue;
      const wait = await this.attempt(run);
      if (wait > 0) wakeIn = Math.min(wakeIn, wait);
    }
    if (wakeIn < Infinity) this.retryIn(wakeIn);
    this.publish();
  }

  /**
   * Init containers, in order: the first one not complete is (re)started or waited for; true once
   * all are complete (sidecars: started) and the app containers may start.
   */
  private async syncInit(wake: (ms: number) => void): Promise<boolean> {
    for (const c of this.pod.spec.initContainers ?? []) {
      const run = this.runs.get(c.name) ?? { ...this.newRun(c, 0), init: true };
      this.runs.set(c.name, run);
      if (isSidecar(c) && run.handle) {
        if (!run.started) return false;
        continue;
      }
      if (run.handle) return false;
      if (run.done) {
        if (run.terminated?.exitCode === 0) continue;
        return false; // failed for good (restartPolicy Never): the pod has failed
      }
      const wait = await this.attempt(run);
      if (wait > 0) wake(wait);
      if (!(isSidecar(c) && run.handle && run.started)) return false;
    }
    return true;
  }

  /** One try to (re)start a container; returns ms until the next try (0 = none needed). */
  private async attempt(run: ContainerRun): Promise<number> {
    const c = run.spec;
    const key = `${this.uid}/${c.name}`;
    const rt = this.deps.runtime;
    if (!run.imagePulled) {
      const left = run.pullFailedAt ? this.deps.pullBackoff.remainingSince(key, run.pullFailedAt) : 0;
      if (left > 0) {
        // Built from the pull's own error, not the last message: the same on every sync, so a sync
        // in back-off writes nothing (appending to the previous message grew it on each sync, and
        // each write's event brought the next sync: a status write loop).
        run.waiting = { reason: 'ImagePullBackOff', message: `Back-off pulling image ${JSON.stringify(c.image ?? '')}: ${run.pullError ?? ''}`.trim() };
        return left;
      }
      try {
        await this.startTrace.step('pull image', { 'k8s.container.name': c.name, 'container.image.name': c.image ?? '' }, () => rt.pullImage(this.pod, c));
        run.imagePulled = true;
        this.deps.pullBackoff.reset(key);
      } catch (err) {
        if (!(err instanceof ImagePullError)) throw err;
        run.pullFailedAt = Date.now();
        run.pullError = err.message;
        const delay = this.deps.pullBackoff.next(key);
        run.waiting = { reason: 'ErrImagePull', message: err.message };
        this.deps.event(this.pod, 'Warning', 'Failed', `Failed to pull image ${JSON.stringify(c.image ?? '')}: ${err.message}`);
        return delay;
      }
    }
    if (run.terminated) {
      const failedAt = Date.parse(run.terminated.finishedAt ?? '') || Date.now();
      const left = this.deps.crashBackoff.remainingSince(key, failedAt);
      if (left > 0) {
        run.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${formatDuration(this.deps.crashBackoff.current(key))} restarting failed container=${c.name} pod=${this.pod.metadata.name}_${this.pod.metadata.namespace}(${this.uid})` };
        return left;
      }
      this.deps.crashBackoff.next(key);
    }
    const restartCount = run.terminated ? run.restartCount + 1 : run.restartCount;
    try {
      const handle = await this.startTrace.step('start process', { 'k8s.container.name': c.name, 'k8s.container.restart_count': restartCount }, () => rt.startContainer(this.pod, c, restartCount, { podIP: this.podIP, hostIP: this.hostIP }));
      run.restartCount = restartCount;
      run.waiting = undefined;
      this.deps.event(this.pod, 'Normal', 'Started', `Started container ${c.name}`);
      this.watch(run, handle);
    } catch (err) {
      if (!(err instanceof StartContainerError)) throw err;
      if (err.reason === 'CreateContainerConfigError') {
        // Nothing was created: kube keeps the container waiting (no restart, no exit) and retries.
        run.waiting = { reason: err.reason, message: err.message };
        this.deps.event(this.pod, 'Warning', 'Failed', `Error: ${err.message}`);
        return this.deps.crashBackoff.next(`${key}/config`);
      }
      run.restartCount = restartCount;
      run.terminated = { exitCode: 128, reason: 'StartError', message: err.message, finishedAt: new Date().toISOString() };
      run.waiting = { reason: err.reason, message: err.message };
      this.deps.event(this.pod, 'Warning', 'Failed', `Error: ${err.message}`);
      return this.afterExit(run) ? Math.max(1, this.deps.crashBackoff.remainingSince(key, Date.now()) || 1) : 0;
    }
    return 0;
  }

  /** Tracks a started container: probes, and what happens when it ends. */
  private watch(run: ContainerRun, handle: ContainerHandle): void {
    run.handle = handle;
    run.done = false;
    const hasStartup = !!run.spec.startupProbe && this.deps.runtime.probes;
    run.started = !hasStartup;
    run.ready = !run.spec.readinessProbe || !this.deps.runtime.probes ? run.started : false;
    if (this.deps.runtime.probes) {
      if (hasStartup) this.addProbe(run, 'startup');
      else this.startMainProbes(run);
    }
    this.startTrace.processStarted(run.spec.name, hasStartup ? 'startup' : run.ready ? 'none' : 'readiness');
    if (run.ready) this.startTrace.ready(run.spec.name);
    void handle.exited.then((exit) => {
      if (run.handle !== handle) return;
      this.onExit(run, handle, exit);
    });
  }

  private startMainProbes(run: ContainerRun): void {
    if (run.spec.livenessProbe) this.addProbe(run, 'liveness');
    if (run.spec.readinessProbe) this.addProbe(run, 'readiness');
  }

  private addProbe(run: ContainerRun, kind: ProbeKind): void {
    const probe = kind === 'liveness' ? run.spec.livenessProbe! : kind === 'readiness' ? run.spec.readinessProbe! : run.spec.startupProbe!;
    const probeOnce = () => runProbe(probe, run.spec, this.podIP, this.launcher(run)).then((o) => {
      this.deps.probed?.(kind, o.result);
      return o;
    });
    const w = new ProbeWorker(kind, probe, probeOnce, (result, message) => {
      if (kind === 'readiness') {
        run.ready = result === 'success';
        if (run.ready) this.startTrace.ready(run.spec.name);
        if (!run.ready) this.deps.event(this.pod, 'Warning', 'Unhealthy', `Readiness probe failed: ${message}`);
        this.publish();
      } else if (kind === 'startup' && result === 'success') {
        w.stop(); // its job is done: kube probes startup only until the container has started
        run.started = true;
        run.ready = !run.spec.readinessProbe;
        if (run.ready) this.startTrace.ready(run.spec.name);
        this.startMainProbes(run);
        this.publish();
      } else if (result === 'failure') {
        const what = kind === 'liveness' ? 'liveness' : 'startup';
        this.deps.event(this.pod, 'Warning', 'Unhealthy', `${what === 'liveness' ? 'Liveness' : 'Startup'} probe failed: ${message}`);
        this.deps.event(this.pod, 'Normal', 'Killing', `Container ${run.spec.name} failed ${what} probe, will be restarted`);
        void this.stopContainer(run, this.graceMs(probe));
      }
    });
    run.probes.push(w);
    w.start();
  }

  private onExit(run: ContainerRun, handle: ContainerHandle, exit: ExitInfo): void {
    run.handle = undefined;
    this.startTrace.end(`container ${run.spec.name} exited before it was ready`);
    run.probes.forEach((p) => p.stop());
    run.probes = [];
    run.started = false;
    run.ready = false;
    run.terminated = { exitCode: exit.exitCode, reason: exit.reason, message: exit.message, startedAt: handle.startedAt, finishedAt: exit.finishedAt, containerID: handle.containerID };
    if (exit.signal !== undefined) run.terminated.signal = exit.signal;
    if (!this.terminated) void this.deps.runtime.saveState(this.pod, run.spec.name, { restartCount: run.restartCount, lastTerminated: run.terminated }).catch((err: unknown) => {
      this.deps.log.warn('saving container state failed', { pod: this.name(), err: String(err) });
    });
    if (!this.pod.metadata.deletionTimestamp) this.afterExit(run);
    this.sync();
  }

  /** Applies restartPolicy to an exit; true when the container will be restarted. */
  private afterExit(run: ContainerRun): boolean {
    const policy = this.pod.spec.restartPolicy ?? 'Always';
    const code = run.terminated?.exitCode ?? 0;
    if (run.ephemeral) run.done = true; // never restarted
    else if (run.init) run.done = isSidecar(run.spec) ? false : code === 0 || policy === 'Never'; // a failed init container restarts unless Never
    else run.done = policy === 'Never' || (policy === 'OnFailure' && code === 0);
    return !run.done;
  }

  private async stopContainer(run: ContainerRun, graceMs: number): Promise<void> {
    const h = run.handle;
    if (!h || run.stopping) return;
    run.stopping = true;
    try {
      await h.stop(await this.preStop(run, graceMs));
    } finally {
      run.stopping = false;
    }
  }

  /** How exec probes and hooks run in the container: as `kubectl exec` does (its cgroups, namespaces, user, environment). */
  private launcher(run: ContainerRun): (command: string[]) => ReturnType<typeof launchInContainer> {
    return (command) => launchInContainer(run.handle?.containerID, command);
  }

  /**
   * Runs the container's preStop hook before its stop (kube's executePreStopHook): within the grace
   * period, a failure is a FailedPreStopHook event, and the stop keeps what is left of the grace
   * period, at least 2 s. Returns the grace period for the signal that follows.
   */
  private async preStop(run: ContainerRun, graceMs: number): Promise<number> {
    const hook = run.spec.lifecycle?.preStop;
    if (!hook || graceMs <= 0 || !this.deps.runtime.probes) return graceMs;
    const began = Date.now();
    const out = await runHook(hook, run.spec, this.podIP, this.launcher(run), graceMs);
    if (out.result === 'failure') {
      const what = hook.exec ? `Exec lifecycle hook ([${(hook.exec.command ?? []).join(' ')}])` : 'HTTP lifecycle hook';
      this.deps.event(this.pod, 'Warning', 'FailedPreStopHook', `${what} for Container ${JSON.stringify(run.spec.name)} in Pod ${JSON.stringify(`${this.pod.metadata.name}_${this.pod.metadata.namespace}(${this.uid})`)} failed - error: ${out.message}`);
    }
    return Math.max(2000, graceMs - (Date.now() - began));
  }

  /**
   * A stop's grace period (kube's setTerminationGracePeriod): the deletion's, else for a kill a
   * liveness or startup probe caused the probe's own terminationGracePeriodSeconds, else the pod's.
   */
  private graceMs(probe?: Probe): number {
    const p = this.pod;
    const secs = p.metadata.deletionGracePeriodSeconds ?? probe?.terminationGracePeriodSeconds ?? p.spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, secs) * 1000;
  }

  /** Deletion: stop every container gracefully, then remove the pod from the API. */
  private async terminate(): Promise<void> {
    clearTimeout(this.timer);
    this.startTrace.end('pod deleted');
    const grace = this.graceMs();
    const stops = [...this.runs.values()].filter((r) => r.handle).map((r) => {
      this.deps.event(this.pod, 'Normal', 'Killing', `Stopping container ${r.spec.name}`);
      return this.stopContainer(r, grace);
    });
    await Promise.all(stops);
    for (const r of this.runs.values()) {
      r.probes.forEach((p) => p.stop());
      r.done = true;
    }
    await this.deps.confirmDeletion(this.pod);
    this.terminated = true;
    await this.deps.runtime.removePod(this.uid, 0);
    this.deps.crashBackoff.forgetPrefix(`${this.uid}/`);
    this.deps.pullBackoff.forgetPrefix(`${this.uid}/`);
  }

  private retryIn(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.sync(), Math.max(10, ms));
  }

  /** Computes the status from what the worker knows and hands it to the writer. */
  private publish(): void {
    if (this.terminated) return;
    const init = this.pod.spec.initContainers ?? [];
    const initStatuses: ContainerStatus[] = init.map((c) => {
      const r = this.runs.get(c.name);
      return r ? this.containerStatus(r) : waitingStatus(c, 'PodInitializing');
    });
    const initializing = incompleteInit(this.pod, initStatuses).length > 0;
    const statuses: ContainerStatus[] = this.pod.spec.containers.map((c) => {
      const r = this.runs.get(c.name);
      if (initializing && !r?.handle && !r?.terminated && !r?.waiting) return waitingStatus(c, 'PodInitializing');
      return r ? this.containerStatus(r) : waitingStatus(c, 'ContainerCreating');
    });
    const now = new Date().toISOString();
    const previous = this.conditions ?? (Array.isArray(this.pod.status?.conditions) ? this.pod.status.conditions : undefined);
    const startTime = typeof this.pod.status?.startTime === 'string' ? this.pod.status.startTime : this.startTime;
    const status = computePodStatus(this.pod, statuses, { hostIP: this.hostIP, podIP: this.podIP, startTime, now, previous, initStatuses });
    const ephemeral = this.pod.spec.ephemeralContainers ?? [];
    if (ephemeral.length) {
      status.ephemeralContainerStatuses = ephemeral.map((c) => {
        const r = this.runs.get(c.name);
        return r ? this.containerStatus(r) : waitingStatus(c, 'ContainerCreating');
      });
    }
    this.conditions = status.conditions;
    this.deps.writeStatus(this.pod, status);
  }

  private containerStatus(r: ContainerRun): ContainerStatus {
    const image = r.spec.image ?? '';
    const last: ContainerState = {};
    let state: ContainerState;
    const term = r.terminated ? stripId(r.terminated) : undefined;
    if (r.handle) {
      state = { running: { startedAt: r.handle.startedAt } };
      if (term) last.terminated = term;
    } else if (r.done && term) {
      state = { terminated: term };
    } else {
      state = { waiting: r.waiting ?? { reason: 'ContainerCreating' } };
      if (term) last.terminated = term;
    }
    const s: ContainerStatus = { name: r.spec.name, state, lastState: last, ready: !!r.handle && r.ready, restartCount: r.restartCount, image, imageID: '', started: !!r.handle && r.started };
    const id = r.handle?.containerID ?? r.terminated?.containerID;
    if (id) s.containerID = id;
    return s;
  }

  private name(): string {
    return `${this.pod.metadata.namespace}/${this.pod.metadata.name}`;
  }
}

function stripId(t: ContainerStateTerminated & { containerID?: string }): ContainerStateTerminated {
  const { containerID, ...rest } = t;
  void containerID;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as unknown as ContainerStateTerminated;
}

function waitingStatus(c: Container, reason: string): ContainerStatus {
  return { name: c.name, state: { waiting: { reason } }, lastState: {}, ready: false, restartCount: 0, image: c.image ?? '', imageID: '', started: false };
}
