// Secret values never travel on the bus. Every service may subscribe to the events stream and
// NATS cannot scope that by resource, so a Secret's change is published as a reference (key,
// name, namespace, uid, revision; the fitter's reduced form): an informer GETs the Secret through
// the API, where RBAC decides who reads it, and applies a deletion to the state it holds. The
// object handed to the fitter carries no `data`/`stringData` either, as a second guard.
import type { KubeObject } from '@keelson/api';

const SECRETS_PREFIX = '/registry/core/secrets/';

export const isSecretChange = (key: string): boolean => key.startsWith(SECRETS_PREFIX);

export function withoutSecretData(key: string, obj: KubeObject): KubeObject {
  if (!isSecretChange(key)) return obj;
  const { data: _data, stringData: _stringData, ...rest } = obj as KubeObject & { data?: unknown; stringData?: unknown };
  return rest as KubeObject;
}
