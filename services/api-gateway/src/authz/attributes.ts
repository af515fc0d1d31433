// Request attributes the authorizers decide on (apiserver's authorizer.Attributes), built from
// the parsed request path: resource requests carry verb, apiGroup, resource, subresource,
// namespace and name; everything else is a non-resource request on its path with the HTTP
// method as verb (get, post, put, patch, delete; HEAD is get).
import type { UserInfo } from '../http/auth';
import type { ResourceRequest } from '../http/request-info';

export interface Attributes {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** Non-resource requests: the URL path. */
  path: string;
}

export function attributesFor(user: UserInfo, method: string, path: string, rr: ResourceRequest | undefined): Attributes {
  if (rr) {
    return {
      user,
      verb: rr.verb,
      resourceRequest: true,
      apiGroup: rr.group,
      apiVersion: rr.version,
      resource: rr.resource,
      subresource: rr.subresource ?? '',
      namespace: rr.namespace ?? '',
      name: rr.name ?? '',
      path,
    };
  }
  const verb = method === 'HEAD' ? 'get' : method.toLowerCase();
  return { user, verb, resourceRequest: false, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '', path };
}

/** `pods/status` or `pods`: the resource as rules name it. */
export const resourceWithSub = (a: Pick<Attributes, 'resource' | 'subresource'>): string => (a.subresource ? `${a.resource}/${a.subresource}` : a.resource);

/**
 * kube-apiserver's forbidden message (apiserver/pkg/endpoints/handlers/responsewriters.forbiddenMessage):
 * `configmaps is forbidden: User "x" cannot list resource "configmaps" in API group "" in the namespace "default"`.
 */
export function forbiddenMessage(a: Attributes, reason: string): string {
  const who = `User ${JSON.stringify(a.user.name)}`;
  let msg: string;
  if (!a.resourceRequest) {
    msg = `forbidden: ${who} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  } else {
    const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
    const named = a.name ? `${qualified} ${JSON.stringify(a.name)}` : qualified;
    const what = `${who} cannot ${a.verb} resource ${JSON.stringify(resourceWithSub(a))} in API group ${JSON.stringify(a.apiGroup)}`;
    const where = a.namespace ? ` in the namespace ${JSON.stringify(a.namespace)}` : ' at the cluster scope';
    msg = `${named} is forbidden: ${what}${where}`;
  }
  return reason ? `${msg}: ${reason}` : msg;
}
