// Parses a request path into Kubernetes RequestInfo (apiserver's RequestInfoFactory):
// /api/v1/namespaces/ns/pods/name/status → group '', version v1, namespace ns, ...

import { errors, isPathSegmentName } from '@keelson/api';
import { booleanParamOf } from '../handlers/params';

export type RequestVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRequest {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  verb: RequestVerb;
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * kube's NamespaceKeyFunc: a name (or namespace) that is `.`, `..` or holds `/` or `%` once
 * decoded could address another key, so it is a 400 before any storage is touched.
 */
function checkPathSegmentName(what: 'Name' | 'Namespace', value: string | undefined): void {
  if (value === undefined) return;
  const msgs = isPathSegmentName(value);
  if (msgs.length > 0) throw errors.badRequest(`${what} parameter invalid: ${JSON.stringify(value)}: ${msgs.join(';')}`);
}

/** Decodes one `/`-separated segment of the raw path, once (an encoded `/` stays inside it). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw errors.badRequest(`invalid URL escape in path segment ${JSON.stringify(segment)}`);
  }
}

/**
 * Returns undefined for paths that are not resource paths (discovery, health, ...);
 * a malformed percent-escape is a 400 BadRequest.
 */
export function parseResourcePath(method: string, path: string, query: URLSearchParams): ResourceRequest | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeSegment);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  // `/namespaces/x` alone is the namespace object itself, `/namespaces/x/status|finalize` its
  // subresources (kube's namespaceSubresources); any other `/namespaces/x/<resource>` is scoped.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !NAMESPACE_SUBRESOURCES.has(rest[2])) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (!resource || extra.length > 0) return undefined;
  checkPathSegmentName('Namespace', namespace);
  checkPathSegmentName('Name', name);
  const watch = booleanParamOf(query, 'watch') === true;
  let verb: RequestVerb;
  switch (method) {
    case 'GET':
    case 'HEAD':
      // kube's RequestInfoFactory: `watch` makes a watch only of a GET without a name; a named
      // GET is a get whatever its query (its route is the get handler).
      verb = name ? 'get' : watch ? 'watch' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      return undefined;
  }
  return { group, version, namespace, resource, name, subresource, verb };
}
