// What PersistentVolumes and PersistentVolumeClaims share: access modes (validated and
// printed as kubectl shows them), the storage class a claim or volume names, volume modes.
import { causes, type StatusCause } from '../../status';
import { arr, rec, str, type Json } from '../../validation/field-errors';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
export const VOLUME_MODES = ['Block', 'Filesystem'];
const SHORT: [string, string][] = [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']];

/** helper.GetAccessModesAsString: RWO,ROX,RWX,RWOP in that order, duplicates once. */
export function accessModesText(modes: unknown): string {
  const set = new Set(arr(modes).map(String));
  return SHORT.filter(([m]) => set.has(m)).map(([, s]) => s).join(',');
}

export function validateAccessModes(modes: unknown, field: string, requiredMessage = ''): StatusCause[] {
  const list = arr(modes);
  if (list.length === 0) return [causes.required(field, requiredMessage ? `Required value: ${requiredMessage}` : 'Required value')];
  const out: StatusCause[] = [];
  for (const m of list) if (!ACCESS_MODES.includes(String(m))) out.push(causes.notSupported(field, m, ACCESS_MODES));
  if (list.includes('ReadWriteOncePod') && list.length > 1) out.push(causes.forbidden(field, 'may not use ReadWriteOncePod with other access modes'));
  return out;
}

export function validateVolumeMode(mode: unknown, field: string): StatusCause[] {
  return mode !== undefined && !VOLUME_MODES.includes(String(mode)) ? [causes.notSupported(field, mode, VOLUME_MODES)] : [];
}

/** GetPersistentVolume(Claim)Class: the beta annotation wins over spec.storageClassName. */
export function storageClassOf(obj: { metadata?: { annotations?: Record<string, string> }; spec?: Json }): string {
  return obj.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? str(rec(obj.spec)?.storageClassName) ?? '';
}
