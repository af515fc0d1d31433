// The shapes every core/v1 kind's schema repeats: the top-level object (TypeMeta, metadata,
// spec, status) and its `<Kind>List`, with upstream's descriptions.
import { arr, gvk, item, obj, ref, str, CORE, META } from '../../schema/dsl';
import type { SchemaNode } from '../../schema/types';
import { API_VERSION_DESCRIPTION, KIND_DESCRIPTION } from '../type-meta';

export const OBJECT_META_DOC = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_META_DOC = 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

/** apiVersion, kind and metadata, as every top-level kind has them. */
export const typeAndObjectMeta = (): Record<string, SchemaNode> => ({
  apiVersion: str(API_VERSION_DESCRIPTION),
  kind: str(KIND_DESCRIPTION),
  metadata: ref(META + 'ObjectMeta', OBJECT_META_DOC),
});

/** `<Kind>List` with `items` of the kind, as every upstream list type. */
export function listSchema(kind: string, description: string, itemsDoc: string): Record<string, SchemaNode> {
  return {
    [`${CORE}${kind}List`]: obj(description, {
      apiVersion: str(API_VERSION_DESCRIPTION),
      items: arr(item(CORE + kind), itemsDoc),
      kind: str(KIND_DESCRIPTION),
      metadata: ref(META + 'ListMeta', LIST_META_DOC),
    }, ['items'], gvk('', 'v1', `${kind}List`)),
  };
}

/** A top-level kind with `<Kind>Spec` and (when `statusDoc` is given) `<Kind>Status`. */
export function kindSchema(kind: string, description: string, specDoc: string, statusDoc: string | undefined): SchemaNode {
  const props: Record<string, SchemaNode> = { ...typeAndObjectMeta(), spec: ref(CORE + `${kind}Spec`, specDoc) };
  if (statusDoc) props.status = ref(CORE + `${kind}Status`, statusDoc);
  return obj(description, props, undefined, gvk('', 'v1', kind));
}
