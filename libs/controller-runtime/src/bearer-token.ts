// The shared-token check of a service's own HTTP endpoints (the kubelet's log, stats and streaming
// servers, metrics-server): only the gateway, holding the token, may call them.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Whether the request carries `Authorization: Bearer <token>` (constant-time); no token configured admits every request. */
export function bearerTokenMatches(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const got = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer /, ''));
  const want = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}
