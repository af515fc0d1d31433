// Secret values never travel on the bus. Every service may subscribe to the events stream and
// NATS cannot scope that by resource, so a Secret's event carries its metadata (what the
// garbage collector and namespace controller act on) without `data` and `stringData`; a
// controller that needs a Secret's values GETs it through the API, where RBAC decides.
import type { KubeObject } from '@keelson/api';

const SECRETS_PREFIX = '/registry/core/secrets/';

export function withoutSecretData(key: string, obj: KubeObject): KubeObject {
  if (!key.startsWith(SECRETS_PREFIX)) return obj;
  const { data: _data, stringData: _stringData, ...rest } = obj as KubeObject & { data?: unknown; stringData?: unknown };
  return rest as KubeObject;
}
