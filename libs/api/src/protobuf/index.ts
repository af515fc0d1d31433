// Decodes `application/vnd.kubernetes.protobuf` request bodies into the equivalent JSON object.
// Envelope: magic `k8s\0` + runtime.Unknown{typeMeta=1{apiVersion=1,kind=2}, raw=2, contentEncoding=3, contentType=4}.

import { ApiError, errors } from '../status';
import { TokenRequest } from './authentication';
import * as authz from './authorization';
import { registeredStrategies, strategyForGroupVersionKind } from '../strategy';
import * as core from './core';
import { decodeMessage, type Descriptor, type JsonObject } from './decode';
import { DeleteOptions } from './meta';
import { PodTemplate } from './pod';
import { Reader, WireError, WireType } from './wire';
import * as wl from './workloads';
import { Eviction } from '../kinds/policy/protobuf';

// The wire format itself, for other protobuf speakers of the project (the relay's etcd watch).
export { Reader as WireReader, WireError, WireType } from './wire';
export { Writer as WireWriter } from './writer';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

/**
 * apiVersion → kind → descriptor, for bodies of kinds without a strategy of their own: subresource
 * requests (pods/binding, scale, serviceaccounts/token, pods/eviction) and kinds not served as
 * resources here. Every served kind's descriptor comes with its strategy (kinds/).
 */
const KINDS_WITHOUT_STRATEGY: Readonly<Record<string, Readonly<Record<string, Descriptor>>>> = {
  v1: {
    PodTemplate,
    Binding: core.Binding,
  },
  'autoscaling/v1': { Scale: wl.Scale },
  'authentication.k8s.io/v1': { TokenRequest, SelfSubjectReview: authz.SelfSubjectReview, TokenReview: authz.TokenReview },
  'authorization.k8s.io/v1': { SelfSubjectAccessReview: authz.SelfSubjectAccessReview, SelfSubjectRulesReview: authz.SelfSubjectRulesReview, SubjectAccessReview: authz.SubjectAccessReview },
  'policy/v1': { Eviction },
};

/** Kinds registered in every group version (meta/v1 options types). */
const ANY_VERSION_KINDS: Readonly<Record<string, Descriptor>> = { DeleteOptions };

/** `apiVersion/Kind` strings this decoder understands (for docs and tests). */
export function supportedProtobufKinds(): string[] {
  const out: string[] = [];
  for (const [gv, kinds] of Object.entries(KINDS_WITHOUT_STRATEGY)) for (const k of Object.keys(kinds)) out.push(`${gv}/${k}`);
  for (const s of registeredStrategies()) if (s.protobuf) out.push(`${s.info.group ? `${s.info.group}/` : ''}${s.info.version}/${s.info.kind}`);
  for (const k of Object.keys(ANY_VERSION_KINDS)) out.push(`*/${k}`);
  return out;
}

export function isProtobufContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === PROTOBUF_CONTENT_TYPE;
}

interface Unknown {
  apiVersion: string;
  kind: string;
  raw: Buffer;
  contentEncoding: string;
}

function readUnknown(r: Reader): Unknown {
  const u: Unknown = { apiVersion: '', kind: '', raw: Buffer.alloc(0), contentEncoding: '' };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (wire !== WireType.LengthDelimited) {
      r.skip(wire, field);
      continue;
    }
    if (field === 1) {
      const tm = r.sub();
      while (!tm.done()) {
        const t = tm.tag();
        if (t.field === 1 && t.wire === WireType.LengthDelimited) u.apiVersion = tm.string();
        else if (t.field === 2 && t.wire === WireType.LengthDelimited) u.kind = tm.string();
        else tm.skip(t.wire, t.field);
      }
    } else if (field === 2) u.raw = r.bytes();
    else if (field === 3) u.contentEncoding = r.string();
    else r.skip(wire, field);
  }
  return u;
}

/**
 * Decodes a Kubernetes protobuf body into its JSON form with `apiVersion` and `kind` set.
 * Throws ApiError 400 for malformed bodies and 415 for kinds without a descriptor.
 */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw errors.badRequest('invalid protobuf body: missing "k8s\\0" magic prefix');
  }
  let u: Unknown;
  try {
    u = readUnknown(new Reader(body, MAGIC.length));
  } catch (e) {
    throw wrap(e, 'envelope');
  }
  if (!u.kind || !u.apiVersion) throw errors.badRequest('invalid protobuf body: Object kind or apiVersion not set');
  if (u.contentEncoding) throw errors.badRequest(`invalid protobuf body: unsupported content encoding "${u.contentEncoding}"`);
  const desc = strategyForGroupVersionKind(u.apiVersion, u.kind)?.protobuf ?? ownEntry(ownEntry(KINDS_WITHOUT_STRATEGY, u.apiVersion), u.kind) ?? ownEntry(ANY_VERSION_KINDS, u.kind);
  if (!desc) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `protobuf decoding of ${u.kind} (${u.apiVersion}) is not supported by this server; send the request as application/json`,
    );
  }
  let obj: JsonObject;
  try {
    obj = decodeMessage(new Reader(u.raw), desc);
  } catch (e) {
    throw wrap(e, `${u.apiVersion}/${u.kind}`);
  }
  return { apiVersion: u.apiVersion, kind: u.kind, ...obj };
}

function wrap(e: unknown, what: string): Error {
  if (e instanceof WireError) return errors.badRequest(`invalid protobuf body (${what}): ${e.message}`);
  if (e instanceof ApiError) return e;
  return errors.badRequest(`invalid protobuf body (${what}): ${e instanceof Error ? e.message : String(e)}`);
}

/** `table[key]` for own keys only: the kind and apiVersion come from the request body, and `constructor` is no descriptor. */
function ownEntry<T>(table: Record<string, T> | undefined, key: string): T | undefined {
  return table && Object.hasOwn(table, key) ? table[key] : undefined;
}
