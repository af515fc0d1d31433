// The DefaultIngressClass admission plugin: an Ingress created without a class (neither
// spec.ingressClassName nor the legacy kubernetes.io/ingress.class annotation) gets the
// IngressClass annotated ingressclass.kubernetes.io/is-default-class=true; of several, the
// newest (then the first by name), as upstream picks.
import { isRecord, type KubeObject, type ResourceInfo } from '@keelson/api';
import { prefixFor, type EtcdStore } from '@keelson/storage';
import type { AdmissionCheck } from './resource-store';

const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export function defaultIngressClassAdmission(store: EtcdStore, ingressClasses: Pick<ResourceInfo, 'group' | 'resource' | 'namespaced'>): AdmissionCheck {
  return async (obj: KubeObject, info: ResourceInfo) => {
    if (info.group !== 'networking.k8s.io' || info.resource !== 'ingresses') return;
    const spec = isRecord(obj.spec) ? obj.spec : (obj.spec = {});
    if (spec.ingressClassName !== undefined && spec.ingressClassName !== null) return;
    if (obj.metadata.annotations?.[LEGACY_CLASS_ANNOTATION] !== undefined) return;
    const { items } = await store.list(prefixFor(ingressClasses));
    const defaults = items
      .filter((ic) => ic.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true')
      .sort((a, b) => {
        const byAge = Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? '');
        return byAge !== 0 ? byAge : (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
      });
    if (defaults.length > 0) spec.ingressClassName = defaults[0].metadata.name;
  };
}
