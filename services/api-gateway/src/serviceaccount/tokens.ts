// Service account tokens: RS256 JWTs with the claims kube-apiserver puts in bound tokens
// (pkg/serviceaccount/claims.go), signed with one key all gateway replicas share.
//
// The key comes from KEELSON_SERVICE_ACCOUNT_KEY_FILE (a PEM private key, like kube-apiserver's
// --service-account-signing-key-file) or, without it, is generated on first start and kept in
// etcd (only the gateway reads etcd), created if absent so concurrent replicas agree on one key.
// `issue` signs a TokenRequest's token; `verify` is what an authenticator calls on a bearer token.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify as verifySignature, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Etcd3 } from 'etcd3';

/** kube-apiserver's default --service-account-issuer and --api-audiences. */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const SIGNING_KEY_ETCD_KEY = '/keelson/service-account-signing-key';

export interface ServiceAccountRef {
  namespace: string;
  name: string;
  uid: string;
}

/** The object a bound token lives no longer than (TokenRequest spec.boundObjectRef). */
export interface BoundObject {
  kind: 'Pod' | 'Secret' | 'Node';
  name: string;
  uid: string;
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
    secret?: { name: string; uid: string };
    node?: { name: string; uid: string };
  };
}

export interface IssuedToken {
  token: string;
  claims: TokenClaims;
}

export class TokenVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenVerificationError';
  }
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export class ServiceAccountTokens {
  readonly keyId: string;
  private readonly publicKey: KeyObject;

  constructor(
    private readonly privateKey: KeyObject,
    readonly issuer = DEFAULT_ISSUER,
  ) {
    this.publicKey = createPublicKey(privateKey);
    // As kube: the key id is the unpadded base64url SHA-256 of the DER public key.
    this.keyId = b64url(createHash('sha256').update(this.publicKey.export({ type: 'spki', format: 'der' })).digest());
  }

  /** From `keyFile` when given, else the key kept in etcd (generated on first use). */
  static async load(etcd: Etcd3, keyFile?: string): Promise<ServiceAccountTokens> {
    if (keyFile) return new ServiceAccountTokens(createPrivateKey(readFileSync(keyFile)));
    const existing = await etcd.get(SIGNING_KEY_ETCD_KEY).string();
    if (existing) return new ServiceAccountTokens(createPrivateKey(existing));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const res = await etcd.if(SIGNING_KEY_ETCD_KEY, 'Create', '==', 0).then(etcd.put(SIGNING_KEY_ETCD_KEY).value(pem)).else(etcd.get(SIGNING_KEY_ETCD_KEY)).commit();
    if (res.succeeded) return new ServiceAccountTokens(privateKey);
    // Another replica stored its key first: use that one.
    const winner = res.responses[0]?.response_range?.kvs[0]?.value.toString('utf8');
    if (!winner) throw new Error('service account signing key vanished while being created');
    return new ServiceAccountTokens(createPrivateKey(winner));
  }

  /** A token for `sa`, valid `expirationSeconds` from `now`, for `audiences`, optionally bound to objects. */
  issue(sa: ServiceAccountRef, audiences: string[], expirationSeconds: number, now = new Date(), bound?: BoundObject[]): IssuedToken {
    const iat = Math.floor(now.getTime() / 1000);
    const claims: TokenClaims = {
      aud: audiences,
      exp: iat + expirationSeconds,
      iat,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } },
      nbf: iat,
      sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
    };
    // Bound claims, as kube's Claims(): the bound object, and for a scheduled pod its node.
    for (const b of bound ?? []) claims['kubernetes.io'][b.kind === 'Pod' ? 'pod' : b.kind === 'Secret' ? 'secret' : 'node'] = { name: b.name, uid: b.uid };
    const signingInput = `${b64url(JSON.stringify({ alg: 'RS256', kid: this.keyId }))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), this.privateKey);
    return { token: `${signingInput}.${b64url(signature)}`, claims };
  }

  /**
   * Checks signature, issuer, time window and (when given) that one audience matches.
   * Whether the service account still exists with the token's uid is the caller's check.
   */
  verify(token: string, opts: { audiences?: string[]; now?: Date } = {}): TokenClaims {
    const parts = token.split('.');
    if (parts.length !== 3) throw new TokenVerificationError('not a JWT');
    let header: { alg?: string };
    let claims: TokenClaims;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: string };
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      throw new TokenVerificationError('malformed JWT');
    }
    if (header.alg !== 'RS256') throw new TokenVerificationError(`unexpected signing algorithm ${String(header.alg)}`);
    if (!verifySignature('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), this.publicKey, Buffer.from(parts[2], 'base64url'))) {
      throw new TokenVerificationError('invalid signature');
    }
    if (claims.iss !== this.issuer) throw new TokenVerificationError('token issuer is not trusted');
    const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
    if (typeof claims.exp !== 'number' || now >= claims.exp) throw new TokenVerificationError('token has expired');
    if (typeof claims.nbf === 'number' && now < claims.nbf) throw new TokenVerificationError('token is not valid yet');
    if (opts.audiences && !opts.audiences.some((a) => (claims.aud ?? []).includes(a))) throw new TokenVerificationError('token audiences do not match');
    if (!claims['kubernetes.io']?.serviceaccount?.name) throw new TokenVerificationError('not a service account token');
    return claims;
  }
}
