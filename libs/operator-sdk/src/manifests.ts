// Objects from YAML, created through the dynamic client: how envtest installs a project's CRDs,
// and how an operator may install its own CRD at start (waiting until it is Established, after
// which its resources are served).
import type { KubeObject } from '@keelson/api';
import { isAlreadyExists } from '@keelson/client';
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
  /** Replace objects that exist (PUT with their resourceVersion) instead of leaving them as they are. */
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
      const current = await rc.get(name);
      return opts.update ? rc.update({ ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion } }) : current;
    });
    out.push(stored);
    if (obj.kind === 'CustomResourceDefinition' && obj.apiVersion.startsWith('apiextensions.k8s.io/')) {
      await waitForEstablished(dynamic, name, opts.establishTimeoutMs ?? 30_000);
      dynamic.mapper.reset(); // its kind is served now
    }
  }
  return out;
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
