// Authentication with its audit line (kube's WithAuthentication + WithFailedAuthenticationAudit):
// a request whose credentials are refused is audited too, so probing with stolen or guessed
// tokens leaves a trace, not only the requests that got in.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '@keelson/api';
import type { AuditLog } from './audit';
import type { UserInfo } from './auth';
import type { ResourceRequest } from './request-info';

export interface Authenticator {
  authenticate(req: IncomingMessage): UserInfo;
}

/** The request's user (or the authenticator's 401, audited); audits the request either way. */
export function authenticateAudited(
  req: IncomingMessage,
  res: ServerResponse,
  rr: ResourceRequest | undefined,
  url: URL,
  authenticator: Authenticator,
  audit: AuditLog | undefined,
): UserInfo {
  let user: UserInfo;
  try {
    user = authenticator.authenticate(req);
  } catch (e) {
    if (e instanceof ApiError && e.code === 401) audit?.recordFailedAuthentication(req, res, rr, url);
    throw e;
  }
  audit?.record(req, res, user, rr, url);
  return user;
}
