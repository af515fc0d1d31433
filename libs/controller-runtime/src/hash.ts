// The hashing kube's controllers name things with: FNV-32 (hash/fnv New32, ControllerRevisions'
// HashControllerRevision) and FNV-32a (New32a, controller.ComputeHash's pod-template-hash), and
// apimachinery's rand.SafeEncodeString that turns the decimal sum into a label-safe suffix.

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** Go's hash/fnv New32 (FNV-1: multiply, then xor), continuing from `seed`. */
export function fnv32(bytes: Uint8Array, seed = FNV32_OFFSET): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h = Math.imul(h, FNV32_PRIME) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h >>> 0;
}

/** Go's hash/fnv New32a (FNV-1a: xor, then multiply), continuing from `seed`. */
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

/** rand.SafeEncodeString: each byte mapped onto SAFE_ALPHANUMS. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += SAFE_ALPHANUMS[b % SAFE_ALPHANUMS.length];
  return out;
}
