// Objects from YAML, created through the dynamic client: how envtest installs a project's CRDs,
// and how an operator may install its own CRD at start (waiting until it is Established, after
// which its resources are served).
import type { KubeObject } from '@keelson/api';
import { isAlreadyExists, isConflict } from '@keelson/client';
import { parseAllDocuments } from 'yaml';
import type { DynamicClient } from './dynamic-client';
import { CUSTOMRESOURCEDEFINITIONS } from './resources';

/** Every object of a (multi-document) YAML or JSON text; empty documents are skipped. */
export function parseManifests(text: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const d of parseAllDocuments(text)) {
    if (d.errors.length) throw new Error(`invalid YAML: ${d.errors[0].message}`);
    const obj = d.toJS() as KubeObject | null;
    if (obj) out.push(obj);
  }
  return out;
}

export interface CreateManifestsOptions {
  /** How long to wait for each CRD's Established condition; default 30 s. */
  establishTimeoutMs?: number;
  /**
   * Bring objects that exist to these definitions (PUT with their resourceVersion, read again on
   * a 409 Conflict; nothing is sent when they already hold them) instead of leaving them as they are.
   */
  update?: boolean;
}

/**
 * Creates each object (kept as it is if it exists, or updated with `update`); a
 * CustomResourceDefinition is waited on until Established. Returns the stored objects.
 */
export async function createManifests(dynamic: DynamicClient, objects: KubeObject[], opts: CreateManifestsOptions = {}): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const obj of objects) {
    const rc = await dynamic.forObject(obj);
    const name = obj.metadata.name;
    if (!name) throw new TypeError(`${obj.kind} without metadata.name`);
    const stored = await rc.create(obj).catch(async (err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
      // Several replicas of an operator may install the same CRD at once: an update that lost
      // the race (409) reads again; one that would change nothing is not sent.
      for (;;) {
        const current = await rc.get(name);
        if (!opts.update || holds(current, obj)) return current;
        try {
          return await rc.update({ ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion } });
        } catch (e) {
          if (!isConflict(e)) throw e;
        }
      }
    });
    out.push(stored);
    if (obj.kind === 'CustomResourceDefinition' && obj.apiVersion.startsWith('apiextensions.k8s.io/')) {
      await waitForEstablished(dynamic, name, opts.establishTimeoutMs ?? 30_000);
      dynamic.mapper.reset(); // its kind is served now
    }
  }
  return out;
}

/**
 * Whether `current` already has what `want` says besides metadata: each top-level field of
 * `want` (spec, data…) whose own top-level fields equal the current ones (what the server
 * defaulted beyond them does not count), and `want`'s labels and annotations.
 */
function holds(current: KubeObject, want: KubeObject): boolean {
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  for (const [k, v] of Object.entries(want)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata' || k === 'status') continue;
    const cur = current[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) {
      if (!same(cur, { ...(cur as object), ...(v as object) })) return false;
    } else if (!same(cur, v)) return false;
  }
  const sub = (a: Record<string, string> = {}, b: Record<string, string> = {}): boolean => Object.entries(a).every(([k, v]) => b[k] === v);
  return sub(want.metadata.labels, current.metadata.labels) && sub(want.metadata.annotations, current.metadata.annotations);
}

/** Resolves once the CRD's Established condition is True. */
export async function waitForEstablished(dynamic: DynamicClient, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const crd = await dynamic.resource(CUSTOMRESOURCEDEFINITIONS).get(name);
    const conds = (crd.status?.conditions ?? []) as { type: string; status: string }[];
    if (conds.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline) throw new Error(`CustomResourceDefinition ${name} not Established after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
