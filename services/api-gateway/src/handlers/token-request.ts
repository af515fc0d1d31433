// POST …/serviceaccounts/<name>/token: kubectl create token (a protobuf or JSON TokenRequest).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeBody, mediaType, readBody, sendJson } from '../http/io';
import type { ResourceRequest } from '../http/request-info';
import type { ResourceStore } from '../registry/resource-store';
import { createToken, type ObjectLookup } from '../registry/token-request';
import type { ServiceAccountTokens } from '../serviceaccount/tokens';
import { checkNodeTokenRequest } from '../serviceaccount/node-token-restriction';
import type { UserInfo } from '../http/auth';

export async function handleTokenRequest(
  req: IncomingMessage,
  res: ServerResponse,
  rr: ResourceRequest,
  stores: Map<string, ResourceStore>,
  tokens: ServiceAccountTokens,
  maxRequestBytes: number,
  user?: UserInfo,
): Promise<void> {
  const body = decodeBody(await readBody(req, maxRequestBytes), mediaType(req));
  const lookup: ObjectLookup = (resource, namespace, name) => {
    const store = stores.get(`/${resource}`);
    if (!store) throw new Error(`no store for ${resource}`);
    return store.get(namespace, name);
  };
  if (user) await checkNodeTokenRequest(user, rr.namespace ?? '', rr.name ?? '', body, (ns, name) => lookup('pods', ns, name));
  sendJson(res, 201, await createToken(stores.get('/serviceaccounts')!, tokens, lookup, rr.namespace ?? '', rr.name ?? '', body));
}
