// The status conditions kube's namespace controller writes on a terminating namespace, so
// `kubectl describe ns` says why a namespace is stuck. Pure: built from one cleanup pass.

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

/** What one pass over a namespace's content found (see content-deleter.ts). */
export interface ContentSummary {
  /** Discovery failed: nothing could be listed. */
  discoveryError?: string;
  /** Delete or list failures, one message per failure. */
  errors: string[];
  /** Objects still present, by resource (`pods`, `deployments.apps`). */
  remaining: Map<string, number>;
  /** Objects still present that carry a finalizer, by finalizer. */
  finalizersRemaining: Map<string, number>;
}

const TYPES = {
  discovery: 'NamespaceDeletionDiscoveryFailure',
  parsing: 'NamespaceDeletionGroupVersionParsingFailure',
  content: 'NamespaceDeletionContentFailure',
  remaining: 'NamespaceContentRemaining',
  finalizers: 'NamespaceFinalizersRemaining',
} as const;

const cond = (type: string, failed: boolean, reasons: [string, string], messages: [string, string]): NamespaceCondition => ({
  type, status: failed ? 'True' : 'False', reason: failed ? reasons[0] : reasons[1], message: failed ? messages[0] : messages[1],
});

const describe = (m: Map<string, number>, unit: (k: string, n: number) => string): string =>
  [...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => unit(k, n)).join(', ');

/** The five conditions, in kube's words. */
export function namespaceConditions(s: ContentSummary): NamespaceCondition[] {
  const remaining = [...s.remaining.values()].some((n) => n > 0);
  const finalizers = [...s.finalizersRemaining.values()].some((n) => n > 0);
  return [
    cond(TYPES.discovery, !!s.discoveryError, ['DiscoveryFailed', 'ResourcesDiscovered'], [`Discovery failed for some groups: ${s.discoveryError}`, 'All resources successfully discovered']),
    cond(TYPES.parsing, false, ['GroupVersionParsingFailed', 'ParsedGroupVersions'], ['', 'All legacy kube types successfully parsed']),
    cond(TYPES.content, s.errors.length > 0, ['ContentDeletionFailed', 'ContentDeleted'],
      [`Failed to delete all resource types, ${s.errors.length} remaining: ${s.errors.join(', ')}`, 'All content successfully deleted, may be waiting on finalization']),
    cond(TYPES.remaining, remaining, ['SomeResourcesRemain', 'ContentRemoved'],
      [`Some resources are remaining: ${describe(s.remaining, (r, n) => `${r} has ${n} resource instances`)}`, 'All content successfully removed']),
    cond(TYPES.finalizers, finalizers, ['SomeFinalizersRemain', 'ContentHasNoFinalizers'],
      [`Some content in the namespace has finalizers remaining: ${describe(s.finalizersRemaining, (f, n) => `${f} in ${n} resource instances`)}`, 'All content-preserving finalizers finished']),
  ];
}

/**
 * Merges fresh conditions into the existing ones: other condition types are kept, and
 * `lastTransitionTime` moves only when a condition's status changes (as in Kubernetes).
 * Returns undefined when nothing would change, so the caller can skip the write.
 */
export function mergeConditions(existing: NamespaceCondition[], fresh: NamespaceCondition[], now: string): NamespaceCondition[] | undefined {
  const byType = new Map(existing.map((c) => [c.type, c]));
  let changed = false;
  const merged = existing.filter((c) => !fresh.some((f) => f.type === c.type));
  for (const f of fresh) {
    const old = byType.get(f.type);
    if (old && old.status === f.status && old.reason === f.reason && old.message === f.message) {
      merged.push(old);
      continue;
    }
    changed = true;
    merged.push({ ...f, lastTransitionTime: old && old.status === f.status ? old.lastTransitionTime ?? now : now });
  }
  return changed ? merged : undefined;
}
