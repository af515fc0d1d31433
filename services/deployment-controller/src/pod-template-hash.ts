// The pod-template-hash: Kubernetes' controller.ComputeHash is FNV-32a over the Go-printed
// (spew) template, then the collision count as 8 little-endian bytes, then SafeEncodeString
// of the decimal sum. The Go printer cannot be reproduced here, so the template is hashed
// as canonical JSON instead; the rest (FNV-32a, collision bytes, encoding) is Kubernetes'.
// Hashes therefore differ from a real cluster's but have the same form and stability. The FNV
// and encoding helpers are controller-runtime's, shared with ControllerRevisions' hash.
import { fnv32a, safeEncodeString } from '@keelson/controller-runtime';
import { canonicalJson } from './canonical-json';
import type { PodTemplateSpec } from './types';

export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(Buffer.from(canonicalJson(template ?? {}), 'utf8'));
  if (collisionCount !== undefined) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}
