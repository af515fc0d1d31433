// The pod-template-hash: Kubernetes' controller.ComputeHash is FNV-32a over the Go-printed
// (spew) template, then the collision count as 8 little-endian bytes, then SafeEncodeString
// of the decimal sum. The Go printer cannot be reproduced here, so the template is hashed
// as canonical JSON instead; the rest (FNV-32a, collision bytes, encoding) is Kubernetes'.
// Hashes therefore differ from a real cluster's but have the same form and stability.
import { canonicalJson } from './canonical-json';
import type { PodTemplateSpec } from './types';

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

export function fnv32a(bytes: Uint8Array, seed = FNV32_OFFSET): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV32_PRIME) >>> 0;
  }
  return h >>> 0;
}

// k8s.io/apimachinery/pkg/util/rand: no vowels (no words) and no 0/1/3 (look like letters).
const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += SAFE_ALPHANUMS[b % SAFE_ALPHANUMS.length];
  return out;
}

export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(Buffer.from(canonicalJson(template ?? {}), 'utf8'));
  if (collisionCount !== undefined) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}
