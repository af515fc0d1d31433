// Kubernetes' version ordering (apimachinery's CompareKubeAwareVersionStrings): GA before
// beta before alpha, higher numbers first, anything else last alphabetically. Discovery lists
// a custom group's versions in this order and its first is the preferred version.
const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

function rank(v: string): [number, number, number] {
  const m = KUBE_VERSION.exec(v);
  if (!m) return [0, 0, 0];
  const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return [stability, Number(m[1]), m[3] === undefined ? 0 : Number(m[3])];
}

/** Negative when `a` has the higher priority. */
export function compareKubeVersions(a: string, b: string): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra[0] === 0 && rb[0] === 0) return a.localeCompare(b);
  return rb[0] - ra[0] || rb[1] - ra[1] || rb[2] - ra[2];
}
