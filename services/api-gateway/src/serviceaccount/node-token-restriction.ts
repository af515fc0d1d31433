// NodeRestriction on serviceaccounts/token (plugin/pkg/admission/noderestriction, admitServiceAccount):
// a kubelet asks for a token only on behalf of a pod bound to its own node, so a stolen node
// credential cannot mint tokens for service accounts of pods elsewhere. The token must be bound
// to that pod (by name and uid): it then dies with the pod.
import { ApiError, errors, isRecord, type KubeObject } from '@keelson/api';
import type { UserInfo } from '../http/auth';
import { nodeNameOf } from '../authz/node';

/** Throws kube's 403 when a node asks for a token it may not have; other users pass. */
export async function checkNodeTokenRequest(
  user: UserInfo,
  namespace: string,
  saName: string,
  body: unknown,
  getPod: (namespace: string, name: string) => Promise<KubeObject>,
): Promise<void> {
  const node = nodeNameOf(user);
  if (!node) return;
  const forbid = (why: string): ApiError => errors.forbidden(`serviceaccounts "${saName}" is forbidden: ${why}`, 'serviceaccounts', saName);
  const spec = isRecord(body) && isRecord(body.spec) ? body.spec : {};
  const ref = isRecord(spec.boundObjectRef) ? spec.boundObjectRef : undefined;
  if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || typeof ref.name !== 'string' || !ref.name) throw forbid('node requested token not bound to a pod');
  if (typeof ref.uid !== 'string' || !ref.uid) throw forbid('node requested token with a pod binding without a uid');
  const pod = await getPod(namespace, ref.name); // a missing pod is its 404, as upstream
  if (pod.metadata.uid !== ref.uid) {
    throw forbid(`the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  if ((pod.spec as Record<string, unknown> | undefined)?.nodeName !== node) throw forbid('node requested token bound to a pod scheduled on a different node');
}
