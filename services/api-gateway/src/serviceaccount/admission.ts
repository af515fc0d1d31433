// The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount) on pod creation:
// a pod runs as `spec.serviceAccountName` (default `default`), which must exist in its namespace,
// and unless the pod or its service account opt out (automountServiceAccountToken), every
// container and init container mounts a projected `kube-api-access-xxxxx` volume at
// /var/run/secrets/kubernetes.io/serviceaccount: a bound token the kubelet requests and renews,
// the cluster CA from the namespace's kube-root-ca.crt ConfigMap, and the namespace.
import { randomInt } from 'node:crypto';
import { errors, isRecord, type KubeObject, type ResourceInfo } from '@keelson/api';
import type { AdmissionCheck } from '../registry/resource-store';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const SERVICE_ACCOUNT_VOLUME_PREFIX = 'kube-api-access-';
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** kube's warnOnlyBoundTokenExpirationSeconds: 1 h plus 7 s, so a token can be told from a requested one. */
export const SERVICE_ACCOUNT_TOKEN_EXPIRATION_SECONDS = 3607;
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** Finds a service account; `ensureDefault` makes the namespace's `default` one when it is not there yet. */
export interface ServiceAccountSource {
  get(namespace: string, name: string): Promise<KubeObject | undefined>;
  /**
   * The serviceaccounts controller creates `default` right after its namespace; a pod created in
   * that instant would be refused in kube ("serviceaccount \"default\" not found", retried by its
   * controller). Here the admission asks the controller to create it at once instead.
   */
  ensureDefault(namespace: string): Promise<KubeObject | undefined>;
}

/** The projected volume kube's TokenVolumeSource() describes. */
export function tokenVolume(name: string): Record<string, unknown> {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: SERVICE_ACCOUNT_TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/** utilrand.String's alphabet: no vowels (no words), no look-alike characters. */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
const randomSuffix = (n = 5): string => Array.from({ length: n }, () => ALPHANUMS[randomInt(ALPHANUMS.length)]).join('');

/** shouldAutomount: the pod's own setting wins, then the service account's, else true. */
export function shouldAutomount(sa: KubeObject, pod: KubeObject): boolean {
  const podSetting = pod.spec?.automountServiceAccountToken;
  if (typeof podSetting === 'boolean') return podSetting;
  const saSetting = (sa as Record<string, unknown>).automountServiceAccountToken;
  if (typeof saSetting === 'boolean') return saSetting;
  return true;
}

/** mountServiceAccountToken: one volume, mounted read-only by every (init) container without a mount at the path. */
export function mountServiceAccountToken(pod: KubeObject): void {
  const spec = pod.spec as Record<string, unknown>;
  const volumes = Array.isArray(spec.volumes) ? (spec.volumes as unknown[]) : [];
  const existing = volumes.find((v) => isRecord(v) && typeof v.name === 'string' && v.name.startsWith(SERVICE_ACCOUNT_VOLUME_PREFIX)) as Record<string, unknown> | undefined;
  const taken = new Set(volumes.map((v) => (isRecord(v) ? v.name : undefined)));
  let volumeName = existing?.name as string | undefined;
  while (!volumeName || (!existing && taken.has(volumeName))) volumeName = SERVICE_ACCOUNT_VOLUME_PREFIX + randomSuffix();
  let needsVolume = false;
  for (const field of ['initContainers', 'containers']) {
    const list = Array.isArray(spec[field]) ? (spec[field] as unknown[]) : [];
    for (const c of list) {
      if (!isRecord(c)) continue;
      const mounts = Array.isArray(c.volumeMounts) ? (c.volumeMounts as unknown[]) : [];
      // An existing mount at the path (the user's own token, say) keeps the token out of that container.
      if (mounts.some((m) => isRecord(m) && m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
      c.volumeMounts = [...mounts, { name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
      needsVolume = true;
    }
  }
  if (!existing && needsVolume) spec.volumes = [...volumes, tokenVolume(volumeName)];
}

export function serviceAccountAdmission(accounts: ServiceAccountSource): AdmissionCheck {
  return async (obj: KubeObject, info: ResourceInfo) => {
    if (info.group !== '' || info.resource !== 'pods' || !isRecord(obj.spec)) return;
    const spec = obj.spec as Record<string, unknown>;
    // Mirror pods (static pods a kubelet reports) may not use service accounts at all.
    if (obj.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
    if (typeof spec.serviceAccountName !== 'string' || spec.serviceAccountName === '') {
      // The deprecated alias still names the account when it alone is set (v1 conversion).
      spec.serviceAccountName = typeof spec.serviceAccount === 'string' && spec.serviceAccount ? spec.serviceAccount : DEFAULT_SERVICE_ACCOUNT;
    }
    const saName = spec.serviceAccountName as string;
    spec.serviceAccount = saName; // v1 mirrors serviceAccountName into the deprecated field
    const namespace = obj.metadata.namespace ?? '';
    const sa = (await accounts.get(namespace, saName)) ?? (saName === DEFAULT_SERVICE_ACCOUNT ? await accounts.ensureDefault(namespace) : undefined);
    if (!sa) {
      const name = obj.metadata.name ?? obj.metadata.generateName ?? '';
      throw errors.forbidden(`pods "${name}" is forbidden: error looking up service account ${namespace}/${saName}: serviceaccount "${saName}" not found`, 'pods', name);
    }
    if (shouldAutomount(sa, obj)) mountServiceAccountToken(obj);
  };
}
