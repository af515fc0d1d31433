// Indexed Jobs (indexed_job_utils.go): a pod's completion index, the compressed interval list
// of status.completedIndexes ("1,3-5,7"), and which indexes still need a pod.
import { COMPLETION_INDEX_ANNOTATION, type Pod } from './types';

/** The pod's completion index, or undefined when it has none or it is not a plain non-negative integer. */
export function completionIndexOf(pod: Pod): number | undefined {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX_ANNOTATION] ?? pod.metadata.labels?.[COMPLETION_INDEX_ANNOTATION];
  if (v === undefined || !/^(0|[1-9][0-9]*)$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Parses "1,3-5,7"; indexes at or above `completions` are dropped (an elastic Job scaled down). */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  if (!text) return out;
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let i = from; i <= to && i < completions; i++) out.add(i);
  }
  return out;
}

/** Formats indexes as kube does: sorted, consecutive runs of 2+ as "a-b". */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The lowest `count` indexes below `completions` that neither succeeded nor have an active pod. */
export function indexesToCreate(count: number, completions: number, succeeded: Set<number>, active: Set<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!succeeded.has(i) && !active.has(i)) out.push(i);
  return out;
}

/**
 * Active pods an Indexed Job must delete whatever its parallelism: those without a valid index,
 * with an index that already succeeded, and all but one pod per index (the ready, then oldest, one stays).
 */
export function podsWithBadIndex(active: Pod[], completions: number, succeeded: Set<number>): Pod[] {
  const out: Pod[] = [];
  const byIndex = new Map<number, Pod[]>();
  for (const p of active) {
    const ix = completionIndexOf(p);
    if (ix === undefined || ix >= completions || succeeded.has(ix)) out.push(p);
    else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
  }
  for (const pods of byIndex.values()) {
    if (pods.length < 2) continue;
    const ready = (p: Pod): number => ((p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') ? 0 : 1);
    const sorted = [...pods].sort((a, b) => ready(a) - ready(b) || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    out.push(...sorted.slice(1));
  }
  return out;
}
