// ControllerRevisions (kube's pkg/controller/history): immutable snapshots of a StatefulSet's or
// DaemonSet's pod template, numbered by `revision`, named `<parent>-<hash>` and labelled with
// `controller-revision-hash`. `kubectl rollout history|undo sts|ds` read them and undo
// strategic-merge-patches the parent with a revision's `data`, so `data` has upstream's form:
// `{"spec":{"template":{...,"$patch":"replace"}}}`.
import { CONTROLLERREVISIONS, copyJson, type GroupVersionKind, type KubeObject, newControllerRef } from '@keelson/api';
import { isAlreadyExists, type KeelsonClient } from '@keelson/client';
import { fnv32, safeEncodeString } from './hash';

/** apps.ControllerRevisionHashLabelKey (also DefaultDaemonSetUniqueLabelKey). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';

export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision: number;
}

/** A parent's pod template as a revision stores it (getPatch in stateful_set_utils.go and daemon's update.go). */
export function templatePatch(template: unknown): { spec: { template: Record<string, unknown> } } {
  const t = (typeof template === 'object' && template !== null ? copyJson(template) : {}) as Record<string, unknown>;
  t.$patch = 'replace';
  return { spec: { template: t } };
}

/** The template a revision holds (what applying its patch to the parent gives). */
export function templateOf(revision: ControllerRevision): Record<string, unknown> {
  const spec = (revision.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec;
  const { $patch: _directive, ...template } = spec?.template ?? {};
  return copyJson(template);
}

/**
 * Go's json.Marshal of the unmarshalled map: keys sorted at every level, and <, > and & escaped
 * as \u003c, \u003e, \u0026. These are the bytes a revision's hash covers (Data.Raw upstream).
 */
export function goJson(v: unknown): string {
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort);
    if (x === null || typeof x !== 'object') return x;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x).sort()) if ((x as Record<string, unknown>)[k] !== undefined) out[k] = sort((x as Record<string, unknown>)[k]);
    return out;
  };
  return (JSON.stringify(sort(v)) ?? 'null').replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** HashControllerRevision: FNV-32 of the data's bytes, then the collision count in decimal. */
export function hashControllerRevision(data: unknown, collisionCount?: number): string {
  let h = fnv32(Buffer.from(goJson(data), 'utf8'));
  if (collisionCount !== undefined) h = fnv32(Buffer.from(String(collisionCount), 'utf8'), h);
  return safeEncodeString(String(h));
}

/** ControllerRevisionName: the prefix cut to leave room for the hash within a 253-character name. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/**
 * NewControllerRevision: owned by `parent`, labelled with the template's labels and the hash,
 * annotated with the parent's annotations (so `kubernetes.io/change-cause` shows in history).
 */
export function newControllerRevision(
  parent: KubeObject, parentKind: GroupVersionKind, templateLabels: Record<string, string> | undefined,
  data: unknown, revision: number, collisionCount: number | undefined, hash = hashControllerRevision(data, collisionCount),
): ControllerRevision {
  const annotations = parent.metadata.annotations ? { ...parent.metadata.annotations } : undefined;
  delete annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(parent.metadata.name!, hash),
      namespace: parent.metadata.namespace,
      labels: { ...(templateLabels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
      ownerReferences: [newControllerRef(parent, parentKind)],
    },
    data,
    revision,
  };
}

/** EqualRevision: the same data (hash labels are not numbers here, so only data decides, as upstream then). */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  return goJson(a.data) === goJson(b.data);
}

export function findEqualRevisions(revisions: readonly ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** SortControllerRevisions: by revision, then creation time, then name. */
export function sortControllerRevisions(revisions: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort((a, b) => (a.revision - b.revision)
    || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '')
    || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** The revision number after the highest of `revisions` (1 for none). */
export function nextRevision(revisions: readonly ControllerRevision[]): number {
  return revisions.reduce((m, r) => Math.max(m, r.revision), 0) + 1;
}

/** A collision this controller cannot resolve by itself (the caller bumps collisionCount and retries). */
export class RevisionCollisionError extends Error {
  constructor(readonly name_: string, readonly collisionCount: number) {
    super(`controller revision ${name_} collides with an existing one; collisionCount is now ${collisionCount}`);
    this.name = 'RevisionCollisionError';
  }
}

/**
 * realHistory.CreateControllerRevision: creates the revision named by its hash with the given
 * collision count; a namesake with the same data is the revision already; one with other data
 * is a hash collision, so the count goes up and the name changes. Returns the stored revision
 * and the collision count it ended at.
 */
export async function createControllerRevision(
  client: Pick<KeelsonClient, 'create' | 'get'>, parent: KubeObject, revision: ControllerRevision, collisionCount: number,
  rehash: (count: number) => string = (count) => hashControllerRevision(revision.data, count), signal?: AbortSignal,
): Promise<{ revision: ControllerRevision; collisionCount: number }> {
  for (let count = collisionCount; ; count++) {
    const hash = rehash(count);
    const candidate: ControllerRevision = copyJson(revision);
    candidate.metadata.name = controllerRevisionName(parent.metadata.name!, hash);
    candidate.metadata.labels = { ...(candidate.metadata.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash };
    try {
      return { revision: await client.create(CONTROLLERREVISIONS, candidate, { signal }), collisionCount: count };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await client.get<ControllerRevision>(CONTROLLERREVISIONS, parent.metadata.namespace, candidate.metadata.name, { signal });
      if (goJson(existing.data) === goJson(candidate.data)) return { revision: existing, collisionCount: count };
      if (count - collisionCount > 100) throw new RevisionCollisionError(candidate.metadata.name, count);
    }
  }
}
