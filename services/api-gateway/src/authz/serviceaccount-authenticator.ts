// Authentication of ServiceAccount tokens (kube's serviceaccount JWT authenticator with the
// legacy=false validator): a bearer token the gateway signed through serviceaccounts/token is
// the user `system:serviceaccount:<ns>:<name>` in system:serviceaccounts,
// system:serviceaccounts:<ns> and system:authenticated, while it has not expired, names one of
// the API's audiences, and its service account (and bound pod or secret) still exist with the
// uids in the token. Objects are read from the watch caches.
import type { IncomingMessage } from 'node:http';
import { errors, type KubeObject } from '@keelson/api';
import type { TokenAuthenticator, UserInfo } from '../http/auth';
import { TokenVerificationError, type ServiceAccountTokens } from '../serviceaccount/tokens';

export interface ObjectGetter {
  /** The cached core/v1 object, if any. */
  get(resource: 'serviceaccounts' | 'pods' | 'secrets', namespace: string, name: string): KubeObject | undefined;
}

export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
/** go-jose's jwt.DefaultLeeway, which kube's validator allows past a deletionTimestamp. */
const DELETION_LEEWAY_MS = 60_000;
const deletedBefore = (obj: KubeObject, before: number): boolean => {
  const at = obj.metadata.deletionTimestamp;
  return !!at && Date.parse(at) < before;
};

export function serviceAccountUser(namespace: string, name: string, uid: string, extra?: { podName?: string; podUid?: string }): UserInfo & { extra?: Record<string, string[]> } {
  const user: UserInfo & { extra?: Record<string, string[]> } = {
    name: `system:serviceaccount:${namespace}:${name}`,
    uid,
    groups: [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`, 'system:authenticated'],
  };
  if (extra?.podName) user.extra = { 'authentication.kubernetes.io/pod-name': [extra.podName], 'authentication.kubernetes.io/pod-uid': [extra.podUid ?? ''] };
  return user;
}

export class ServiceAccountTokenAuthenticator {
  constructor(
    private readonly tokens: ServiceAccountTokens,
    private readonly objects: ObjectGetter,
    private readonly audiences: string[] = [tokens.issuer],
  ) {}

  /** The user a JWT stands for; throws TokenVerificationError when it does not (any more). */
  authenticateToken(token: string, audiences = this.audiences): UserInfo {
    const claims = this.tokens.verify(token, { audiences });
    // As kube's validator: an object deleted (deletionTimestamp: the request plus its grace
    // period) more than a leeway ago no longer vouches for the token, so a pod shutting down
    // gracefully can still reach the API; once it is removed, its token is refused at once.
    const invalidIfDeletedBefore = Date.now() - DELETION_LEEWAY_MS;
    const k = claims['kubernetes.io'];
    const ns = k.namespace;
    const sa = this.objects.get('serviceaccounts', ns, k.serviceaccount.name);
    if (!sa || deletedBefore(sa, invalidIfDeletedBefore)) throw new TokenVerificationError(`service account ${ns}/${k.serviceaccount.name} has been deleted`);
    if (sa.metadata.uid !== k.serviceaccount.uid) throw new TokenVerificationError(`service account UID (${k.serviceaccount.uid}) does not match its current UID (${sa.metadata.uid ?? ''})`);
    if (k.pod) {
      const pod = this.objects.get('pods', ns, k.pod.name);
      if (!pod) throw new TokenVerificationError(`pod ${ns}/${k.pod.name} has been deleted`);
      if (pod.metadata.uid !== k.pod.uid) throw new TokenVerificationError(`pod UID (${k.pod.uid}) does not match its current UID (${pod.metadata.uid ?? ''})`);
      if (deletedBefore(pod, invalidIfDeletedBefore)) throw new TokenVerificationError(`pod ${ns}/${k.pod.name} has been deleted`);
    }
    if (k.secret) {
      const secret = this.objects.get('secrets', ns, k.secret.name);
      if (!secret || deletedBefore(secret, invalidIfDeletedBefore) || secret.metadata.uid !== k.secret.uid) throw new TokenVerificationError(`secret ${ns}/${k.secret.name} has been deleted`);
    }
    return serviceAccountUser(ns, k.serviceaccount.name, k.serviceaccount.uid, k.pod ? { podName: k.pod.name, podUid: k.pod.uid } : undefined);
  }
}

const bearerOf = (req: IncomingMessage): string | undefined => {
  const header = req.headers.authorization;
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1];
};

/** Static tokens first, then ServiceAccount JWTs (kube's union authenticator); 401 otherwise. */
export class UnionAuthenticator {
  constructor(
    private readonly staticTokens: TokenAuthenticator,
    private readonly serviceAccounts?: ServiceAccountTokenAuthenticator,
  ) {}

  authenticate(req: IncomingMessage): UserInfo {
    try {
      return this.staticTokens.authenticate(req);
    } catch (e) {
      const token = bearerOf(req);
      if (!this.serviceAccounts || !token || token.split('.').length !== 3) throw e;
      try {
        return this.serviceAccounts.authenticateToken(token);
      } catch (err) {
        if (err instanceof TokenVerificationError) throw errors.unauthorized();
        throw err;
      }
    }
  }

  /** TokenReview: the user a token stands for, or why not. */
  review(token: string, audiences?: string[]): { user?: UserInfo; error?: string; audiences?: string[] } {
    const fake = { headers: { authorization: `Bearer ${token}` } } as unknown as IncomingMessage;
    try {
      return { user: this.staticTokens.authenticate(fake) };
    } catch {
      if (!this.serviceAccounts) return { error: 'invalid bearer token' };
      try {
        return { user: this.serviceAccounts.authenticateToken(token, audiences && audiences.length ? audiences : undefined), audiences };
      } catch (err) {
        return { error: err instanceof Error ? `[invalid bearer token, ${err.message}]` : 'invalid bearer token' };
      }
    }
  }
}
