// Projected volumes (kubelet's projected volume plugin and token manager): before a pod's
// containers start, each `projected` volume is written into the pod's directory —
//   <root>/pods/<uid>/volumes/kubernetes.io~projected/<volume>/<path>
// from its sources: a serviceAccountToken (a TokenRequest bound to the pod, so the API refuses
// it once the pod is gone), configMap and secret keys, and downwardAPI fields. This is what the
// ServiceAccount admission's kube-api-access-xxxxx volume needs (token, ca.crt, namespace).
// Tokens are renewed at 80% of their lifetime, as kube's token manager does, and files are
// replaced atomically (write, then rename) so a reader never sees half a token.
//
// Permissions: `volumes/` is 0700 and owned by the kubelet, so no pod reaches another pod's
// volumes through the host path; a pod sees its own only through the bind mount its sandbox
// makes (runtime/mount-sandbox.ts). Where the runtime cannot mount, `volumes/` is handed to the
// pod's identity instead (see `exposeToPod`). Token files are 0600 and owned by the pod's identity.
import { isNotFound, type KeelsonClient } from '@keelson/client';
import type { KubeObject } from '@keelson/api';
import type { Logger } from '@keelson/telemetry';
import { chmod, chown, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import type { PodIdentity } from '../runtime/pod-identity';
import { resourceFieldValue, type ResourceFieldSelector } from '../runtime/sandbox/resource-field';
import type { Pod } from '../types';
import { planVolume, type VolumePlan } from './volume-kinds';

/** What the volumes need from the API (a kubelet's node identity may do exactly this). */
export interface VolumeSourceApi {
  /** POST serviceaccounts/<name>/token; returns the token and when it expires. */
  requestToken(namespace: string, serviceAccount: string, spec: Record<string, unknown>): Promise<{ token: string; expirationTimestamp: string }>;
  /** The object, or undefined when it does not exist (404). */
  get(resource: 'configmaps' | 'secrets', namespace: string, name: string): Promise<KubeObject | undefined>;
}

export function volumeSourceApi(client: KeelsonClient): VolumeSourceApi {
  return {
    async requestToken(namespace, serviceAccount, spec) {
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`;
      const tr = await client.raw<{ status?: { token?: string; expirationTimestamp?: string } }>('POST', path, { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec } });
      if (!tr.status?.token || !tr.status.expirationTimestamp) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);
      return { token: tr.status.token, expirationTimestamp: tr.status.expirationTimestamp };
    },
    async get(resource, namespace, name) {
      try {
        return await client.get({ group: '', version: 'v1', resource }, namespace, name);
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
  };
}

/** A projected volume could not be set up (reported as the container's CreateContainerError). */
export class VolumeSetupError extends Error {
  override readonly name = 'VolumeSetupError';
}

type Json = Record<string, unknown>;
const rec = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map((x) => rec(x) ?? {}) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** kube's default TokenRequest lifetime when a projection names none. */
const DEFAULT_EXPIRATION_SECONDS = 3600;
/** Renew once 80% of the lifetime has passed (kube's token manager). */
const RENEW_AT = 0.8;
const RETRY_MS = 5_000;

interface TokenLease {
  timer?: NodeJS.Timeout;
}

export interface ProjectedVolumesOptions {
  /** The kubelet root (pod directories live in `<root>/pods/<uid>`). */
  root: string;
  api: VolumeSourceApi;
  log: Logger;
  /** Who pod processes run as (undefined: the kubelet's own user). */
  identity?: PodIdentity;
  /** Renewal timers (tests pass fake ones). */
  setTimer?: (fn: () => void, ms: number) => NodeJS.Timeout;
  now?: () => number;
}

export class ProjectedVolumes {
  /** Volumes written, by pod uid (volume name → host directory). */
  private readonly ready = new Map<string, Map<string, string>>();
  private readonly leases = new Map<string, TokenLease[]>();

  constructor(private readonly opts: ProjectedVolumesOptions) {}

  /** Where a pod's projected volume lives on the host. */
  dir(uid: string, volume: string): string {
    return join(this.volumesRoot(uid), 'kubernetes.io~projected', volume);
  }

  /** The pod's projected volumes by name, written once (tokens then renew on their own). */
  async setUp(pod: Pod): Promise<Map<string, string>> {
    const uid = pod.metadata.uid ?? '';
    const done = this.ready.get(uid);
    if (done) return done;
    const out = new Map<string, string>();
    // Every kind served as files (volume-kinds.ts): configMap, secret, downwardAPI, emptyDir, hostPath too.
    const volumes = list(pod.spec.volumes).map(planVolume).filter((v): v is VolumePlan => !!v);
    if (volumes.length === 0) return out;
    await mkdir(this.volumesRoot(uid), { recursive: true, mode: 0o700 });
    await chmod(this.volumesRoot(uid), 0o700);
    const leases: TokenLease[] = [];
    try {
      for (const v of volumes) {
        if (v.kind === 'hostPath') {
          out.set(v.name, await hostPathDir(v.path, v.type));
          continue;
        }
        const dir = join(this.volumesRoot(uid), `kubernetes.io~${v.plugin}`, v.name);
        if (v.kind === 'emptyDir') {
          await mkdir(dir, { recursive: true, mode: 0o777 });
          await chmod(dir, 0o777); // kube's emptyDir: any container user may write
        } else {
          await mkdir(dir, { recursive: true, mode: 0o755 });
          for (const source of v.sources) await this.project(pod, v.name, dir, source, v.defaultMode, leases);
        }
        out.set(v.name, dir);
      }
    } catch (e) {
      leases.forEach((l) => clearTimeout(l.timer));
      throw e instanceof VolumeSetupError ? e : new VolumeSetupError(e instanceof Error ? e.message : String(e));
    }
    this.ready.set(uid, out);
    this.leases.set(uid, leases);
    return out;
  }

  /**
   * For a runtime that cannot mount: the pod's own identity gets its volumes directory, so the
   * pod reads them by their host path (pods sharing that identity could too).
   */
  async exposeToPod(uid: string): Promise<void> {
    if (this.opts.identity) await chown(this.volumesRoot(uid), this.opts.identity.uid, this.opts.identity.gid);
  }

  /** The pod is gone: stop renewing its tokens (its directory goes with the pod's). */
  release(uid: string): void {
    for (const l of this.leases.get(uid) ?? []) clearTimeout(l.timer);
    this.leases.delete(uid);
    this.ready.delete(uid);
  }

  /** Stops every renewal (the kubelet is stopping). */
  close(): void {
    for (const uid of [...this.leases.keys()]) this.release(uid);
  }

  private volumesRoot(uid: string): string {
    return join(this.opts.root, 'pods', uid, 'volumes');
  }

  private async project(pod: Pod, volume: string, dir: string, source: Json, defaultMode: number, leases: TokenLease[]): Promise<void> {
    const ns = pod.metadata.namespace ?? 'default';
    const token = rec(source.serviceAccountToken);
    if (token) {
      const lease: TokenLease = {};
      leases.push(lease);
      await this.writeToken(pod, volume, dir, token, lease);
      return;
    }
    const cm = rec(source.configMap);
    const secret = rec(source.secret);
    if (cm || secret) {
      const resource = cm ? 'configmaps' : 'secrets';
      const ref = (cm ?? secret)!;
      const name = str(ref.name) ?? '';
      const obj = await this.opts.api.get(resource, ns, name);
      if (!obj) {
        if (ref.optional === true) return;
        throw new VolumeSetupError(`${resource === 'configmaps' ? 'configmap' : 'secret'} "${name}" not found`);
      }
      const data = keyedData(obj, resource === 'secrets');
      const items = list(ref.items);
      const wanted: Json[] = items.length ? items : Object.keys(data).map((key) => ({ key, path: key }));
      for (const item of wanted) {
        const key = str(item.key) ?? '';
        if (!Object.hasOwn(data, key)) {
          if (ref.optional === true) continue;
          throw new VolumeSetupError(`configmap references non-existent config key: ${key}`.replace('configmap', resource === 'secrets' ? 'secret' : 'configmap'));
        }
        await this.writeFileIn(dir, str(item.path) ?? key, data[key], typeof item.mode === 'number' ? item.mode : defaultMode);
      }
      return;
    }
    const downward = rec(source.downwardAPI);
    if (downward) {
      for (const item of list(downward.items)) {
        const fieldPath = str(rec(item.fieldRef)?.fieldPath);
        const resourceRef = rec(item.resourceFieldRef);
        const value = fieldPath ? downwardValue(pod, fieldPath) : resourceRef ? resourceFieldValue(pod, resourceRef as ResourceFieldSelector) : undefined;
        if (value === undefined) continue;
        await this.writeFileIn(dir, str(item.path) ?? '', Buffer.from(value), typeof item.mode === 'number' ? item.mode : defaultMode);
      }
    }
    // clusterTrustBundle and podCertificate sources are not served by this API: nothing to write.
  }

  /** Requests the token, writes it, and schedules its renewal at 80% of its lifetime. */
  private async writeToken(pod: Pod, volume: string, dir: string, source: Json, lease: TokenLease): Promise<void> {
    const ns = pod.metadata.namespace ?? 'default';
    const sa = str(pod.spec.serviceAccountName) || 'default';
    const expirationSeconds = typeof source.expirationSeconds === 'number' ? source.expirationSeconds : DEFAULT_EXPIRATION_SECONDS;
    const audience = str(source.audience);
    const now = this.opts.now ?? Date.now;
    const requestedAt = now();
    const { token, expirationTimestamp } = await this.opts.api.requestToken(ns, sa, {
      audiences: audience ? [audience] : [],
      expirationSeconds,
      boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
    });
    await this.writeFileIn(dir, str(source.path) ?? 'token', Buffer.from(token), 0o600, true);
    const lifetimeMs = Math.max(0, (Date.parse(expirationTimestamp) || requestedAt + expirationSeconds * 1000) - requestedAt);
    const renew = (inMs: number): void => {
      const set = this.opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms).unref());
      lease.timer = set(() => {
        if (!this.ready.has(pod.metadata.uid ?? '')) return; // released: the pod is gone
        void this.writeToken(pod, volume, dir, source, lease).then(
          () => this.opts.log.info('renewed service account token', { pod: `${ns}/${pod.metadata.name}`, volume }),
          (e: unknown) => {
            if (!this.ready.has(pod.metadata.uid ?? '')) return; // released meanwhile
            this.opts.log.warn('renewing service account token failed; retrying', { pod: `${ns}/${pod.metadata.name}`, volume, err: e instanceof Error ? e.message : String(e) });
            renew(RETRY_MS);
          },
        );
      }, inMs);
    };
    renew(Math.floor(lifetimeMs * RENEW_AT));
  }

  /** Writes `rel` under `dir` atomically; refuses paths leaving the volume. */
  private async writeFileIn(dir: string, rel: string, data: Buffer, mode: number, podOwned = false): Promise<void> {
    const clean = normalize(rel);
    if (!rel || isAbsolute(rel) || clean === '..' || clean.startsWith(`..${sep}`)) throw new VolumeSetupError(`invalid path ${JSON.stringify(rel)} in a projected volume`);
    const target = join(dir, clean);
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    const tmp = join(dirname(target), `..${process.pid}.${Date.now()}.tmp`);
    await writeFile(tmp, data, { mode: mode & 0o777 });
    await chmod(tmp, mode & 0o777);
    if (podOwned && this.opts.identity) await chown(tmp, this.opts.identity.uid, this.opts.identity.gid);
    await rename(tmp, target).catch(async (e: unknown) => {
      await rm(tmp, { force: true });
      throw e;
    });
  }
}

/** A hostPath volume's directory (DirectoryOrCreate makes it; Directory and the default need it there). */
async function hostPathDir(path: string, type: string): Promise<string> {
  if (type === 'DirectoryOrCreate') await mkdir(path, { recursive: true, mode: 0o755 });
  else if (type && type !== 'Directory') throw new VolumeSetupError(`hostPath type ${type} is not supported by the process runtime`);
  if (!(await stat(path).then((s) => s.isDirectory(), () => false))) throw new VolumeSetupError(`hostPath type check failed: ${path} is not a directory`);
  return path;
}

/** data (and binaryData) of a ConfigMap, or a Secret's base64 data, as bytes by key. */
function keyedData(obj: KubeObject, base64: boolean): Record<string, Buffer> {
  const o = obj as Json;
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(rec(o.data) ?? {})) if (typeof v === 'string') out[k] = base64 ? Buffer.from(v, 'base64') : Buffer.from(v);
  for (const [k, v] of Object.entries(rec(o.binaryData) ?? {})) if (typeof v === 'string') out[k] = Buffer.from(v, 'base64');
  return out;
}

/** The downward API's fieldRef values (labels and annotations as `key="value"` lines, sorted). */
export function downwardValue(pod: Pod, fieldPath: string): string {
  const lines = (m: Record<string, string> | undefined): string =>
    Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'metadata.labels': return lines(pod.metadata.labels);
    case 'metadata.annotations': return lines(pod.metadata.annotations);
    case 'spec.nodeName': return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName': return str(pod.spec.serviceAccountName) ?? '';
    default: {
      const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
      return m ? (pod.metadata[m[1] as 'labels' | 'annotations']?.[m[2]] ?? '') : '';
    }
  }
}
