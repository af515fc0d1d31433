// The volume kinds the process runtime materialises as files, each in kube's plugin directory
//   <root>/pods/<uid>/volumes/kubernetes.io~<plugin>/<volume>/
// configMap, secret and downwardAPI volumes are written exactly as a projected volume with one
// source of that kind would be (same items, modes and optional rules — kube's plugins share that
// code too), emptyDir is an empty world-writable directory, hostPath names a host directory.
type Json = Record<string, unknown>;
const rec = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);

export type VolumePlan =
  | { kind: 'files'; name: string; plugin: string; defaultMode: number; sources: Json[] }
  | { kind: 'emptyDir'; name: string; plugin: string }
  | { kind: 'hostPath'; name: string; path: string; type: string };

const mode = (v: unknown, dflt: number): number => (typeof v === 'number' ? v : dflt);

/** What to make for one `spec.volumes[]` entry; undefined for kinds this runtime does not serve. */
export function planVolume(v: Json): VolumePlan | undefined {
  const name = typeof v.name === 'string' ? v.name : '';
  if (!name) return undefined;
  const projected = rec(v.projected);
  if (projected) return { kind: 'files', name, plugin: 'projected', defaultMode: mode(projected.defaultMode, 0o644), sources: Array.isArray(projected.sources) ? projected.sources.map((s) => rec(s) ?? {}) : [] };
  const cm = rec(v.configMap);
  if (cm) return { kind: 'files', name, plugin: 'configmap', defaultMode: mode(cm.defaultMode, 0o644), sources: [{ configMap: { name: cm.name, items: cm.items, optional: cm.optional } }] };
  const secret = rec(v.secret);
  if (secret) return { kind: 'files', name, plugin: 'secret', defaultMode: mode(secret.defaultMode, 0o644), sources: [{ secret: { name: secret.secretName, items: secret.items, optional: secret.optional } }] };
  const downward = rec(v.downwardAPI);
  if (downward) return { kind: 'files', name, plugin: 'downward-api', defaultMode: mode(downward.defaultMode, 0o644), sources: [{ downwardAPI: { items: downward.items } }] };
  if (rec(v.emptyDir)) return { kind: 'emptyDir', name, plugin: 'empty-dir' };
  const hostPath = rec(v.hostPath);
  if (hostPath && typeof hostPath.path === 'string') return { kind: 'hostPath', name, path: hostPath.path, type: typeof hostPath.type === 'string' ? hostPath.type : '' };
  return undefined;
}
