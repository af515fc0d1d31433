// POST …/serviceaccounts/<name>/token: kubectl create token (a protobuf or JSON TokenRequest).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeBody, mediaType, readBody, sendJson } from '../http/io';
import type { ResourceRequest } from '../http/request-info';
import type { ResourceStore } from '../registry/resource-store';
import { createToken } from '../registry/token-request';
import type { ServiceAccountTokens } from '../serviceaccount/tokens';

export async function handleTokenRequest(
  req: IncomingMessage,
  res: ServerResponse,
  rr: ResourceRequest,
  serviceAccounts: ResourceStore,
  tokens: ServiceAccountTokens,
  maxRequestBytes: number,
): Promise<void> {
  const body = decodeBody(await readBody(req, maxRequestBytes), mediaType(req));
  sendJson(res, 201, await createToken(serviceAccounts, tokens, rr.namespace ?? '', rr.name ?? '', body));
}
