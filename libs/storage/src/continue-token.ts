// Kubernetes-compatible list continue tokens: base64url (no padding) of
// {"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key after the prefix>"}.
import { StorageError } from './errors';

const TOKEN_VERSION = 'meta.k8s.io/v1';

export interface ContinuePosition {
  /** The revision the first page was read at; later pages read at it too. */
  revision: number;
  /** Full etcd key to resume from (inclusive). */
  startKey: string;
}

export function encodeContinue(startKey: string, prefix: string, revision: number): string {
  if (!startKey.startsWith(prefix)) throw new Error(`continue key ${JSON.stringify(startKey)} is not under ${prefix}`);
  const json = JSON.stringify({ v: TOKEN_VERSION, rv: revision, start: startKey.slice(prefix.length) });
  return Buffer.from(json).toString('base64url');
}

/** Decodes a token for a list under `prefix`; InvalidContinue for anything malformed. */
export function decodeContinue(token: string, prefix: string): ContinuePosition {
  const invalid = (why: string): StorageError => new StorageError('InvalidContinue', prefix, `continue key is not valid: ${why}`);
  // kube writes unpadded base64url; accept padded/standard alphabets too.
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(token)) throw invalid('not base64');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid('not an object');
  const { v, rv, start } = parsed as Record<string, unknown>;
  if (v !== TOKEN_VERSION) throw invalid(`incorrect encoded start resourceVersion (version ${String(v)})`);
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv <= 0) throw invalid('incorrect encoded start resourceVersion');
  if (typeof start !== 'string' || start.length === 0) throw invalid('encoded start key empty');
  // Same guard as kube: the suffix must be a clean relative path, so a token cannot escape the prefix.
  const segments = start.split('/');
  if (start.startsWith('/') || segments.some((s) => s === '..' || s === '.')) throw invalid('path traversal attempt');
  return { revision: rv, startKey: prefix + start };
}
