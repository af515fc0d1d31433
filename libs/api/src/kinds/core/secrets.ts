// core/v1 Secret (pkg/registry/core/secret): typed secrets with their required keys,
// `stringData` folded into `data` as the v1 → internal conversion does, `immutable`.
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { size, str as strAt } from '../../printers/access';
import { timestampSince } from '../../printers/duration';
import { bytesMap, bool as pbBool, str as pbStr, strMap as pbStrMap, msg as pbMsg } from '../../protobuf/decode';
import { ObjectMeta as ObjectMetaPb } from '../../protobuf/meta';
import { bool, gvk, map, obj, str, strMap, CORE } from '../../schema/dsl';
import { listSchema, typeAndObjectMeta } from './object-schemas';
import type { SchemaNode } from '../../schema/types';
import { ApiError, causes, type StatusCause } from '../../status';
import { resourceInfo, type KindStrategy } from '../../strategy';
import type { KubeObject } from '../../types';
import { isRecord } from '../../types';
import { isConfigMapKey } from '../../validation/names';
import { IMMUTABLE_MSG, jsonEqual, rec, tooLong } from '../../validation/field-errors';

export const SECRET_TYPES = {
  opaque: 'Opaque',
  serviceAccountToken: 'kubernetes.io/service-account-token',
  dockercfg: 'kubernetes.io/dockercfg',
  dockerConfigJson: 'kubernetes.io/dockerconfigjson',
  basicAuth: 'kubernetes.io/basic-auth',
  sshAuth: 'kubernetes.io/ssh-auth',
  tls: 'kubernetes.io/tls',
  bootstrapToken: 'bootstrap.kubernetes.io/token',
} as const;

/** corev1.MaxSecretSize: the decoded values of `data` together. */
export const MAX_SECRET_SIZE = 1024 * 1024;
export const IMMUTABLE_WHEN_SET_MSG = 'field is immutable when `immutable` is set';

const schemas: Record<string, SchemaNode> = {
  [CORE + 'Secret']: obj('Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.', {
    ...typeAndObjectMeta(),
    data: map({ type: 'string', format: 'byte' }, "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
    immutable: bool('Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.'),
    stringData: strMap('stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values. The stringData field is never output when reading from the API.'),
    type: str('Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
  }, undefined, gvk('', 'v1', 'Secret')),
  ...listSchema('Secret', 'SecretList is a list of Secret.', 'Items is a list of secret objects. More info: https://kubernetes.io/docs/concepts/configuration/secret'),
};

/** Offset of the first byte Go's base64.StdEncoding rejects (CorruptInputError), or -1 when `v` decodes. */
export function invalidBase64At(v: string): number {
  const s = v.replace(/[\r\n]/g, ''); // the decoder skips line breaks
  for (let i = 0; i < s.length; i++) {
    if (/[A-Za-z0-9+/]/.test(s[i])) continue;
    if (s[i] !== '=' || i % 4 < 2) return i;
    // Padding must close the last quantum: `xx==` or `xxx=`, then nothing.
    const want = 4 - (i % 4);
    const rest = s.slice(i);
    if (rest === '='.repeat(want)) return -1;
    const pads = /^=*/.exec(rest)![0].length;
    return i + Math.min(pads, want);
  }
  return s.length % 4 === 0 ? -1 : s.length - (s.length % 4);
}

/**
 * The v1 → internal conversion: `stringData` overwrites `data` keys (base64 of its UTF-8), then
 * disappears. Values of `data` that are not base64 fail the decode as kube's JSON decoder does (400).
 */
function foldStringData(o: KubeObject): void {
  const data = isRecord(o.data) ? { ...o.data } : {};
  for (const v of Object.values(data)) {
    if (typeof v !== 'string') continue;
    const at = invalidBase64At(v);
    if (at >= 0) throw new ApiError(400, 'BadRequest', `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte ${at}`);
  }
  const stringData = rec(o.stringData);
  if (stringData) for (const [k, v] of Object.entries(stringData)) if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
  delete o.stringData;
  if (Object.keys(data).length > 0 || o.data !== undefined) o.data = data;
}

const decodedLength = (v: unknown): number => (typeof v === 'string' ? Buffer.from(v, 'base64').length : 0);

/** The keys each secret type requires (ValidateSecret's switch). */
function validateType(s: KubeObject, data: Record<string, unknown>): StatusCause[] {
  const key = (k: string) => `data[${k}]`;
  const required = (...keys: string[]) => keys.filter((k) => !(k in data)).map((k) => causes.required(key(k)));
  const json = (k: string): StatusCause[] => {
    if (!(k in data)) return [causes.required(key(k))];
    try {
      JSON.parse(Buffer.from(String(data[k]), 'base64').toString('utf8'));
      return [];
    } catch (e) {
      return [{ reason: 'FieldValueInvalid', field: key(k), message: `Invalid value: "<secret contents redacted>": ${(e as Error).message}` }];
    }
  };
  switch (s.type) {
    case SECRET_TYPES.serviceAccountToken:
      return s.metadata.annotations?.['kubernetes.io/service-account.name'] ? [] : [causes.required('metadata.annotations[kubernetes.io/service-account.name]')];
    case SECRET_TYPES.dockercfg:
      return json('.dockercfg');
    case SECRET_TYPES.dockerConfigJson:
      return json('.dockerconfigjson');
    case SECRET_TYPES.basicAuth:
      // Either key will do; with neither, both are reported.
      return 'username' in data || 'password' in data ? [] : required('username', 'password');
    case SECRET_TYPES.sshAuth:
      return required('ssh-privatekey');
    case SECRET_TYPES.tls:
      return required('tls.crt', 'tls.key');
    default:
      return [];
  }
}

export function validateSecret(s: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const data = rec(s.data) ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) out.push(causes.invalid(`data[${k}]`, k, m));
    total += decodedLength(v);
  }
  if (total > MAX_SECRET_SIZE) out.push(tooLong('data', MAX_SECRET_SIZE));
  out.push(...validateType(s, data));
  if (old) {
    if ((s.type ?? '') !== (old.type ?? '')) out.push(causes.invalid('type', s.type ?? '', IMMUTABLE_MSG));
    if (old.immutable === true) {
      if (s.immutable !== true) out.push(causes.forbidden('immutable', IMMUTABLE_WHEN_SET_MSG));
      if (!jsonEqual(s.data, old.data)) out.push(causes.forbidden('data', IMMUTABLE_WHEN_SET_MSG));
    }
  }
  return out;
}

const SecretPb = {
  1: pbMsg('metadata', () => ObjectMetaPb),
  2: bytesMap('data'),
  3: pbStr('type'),
  4: pbStrMap('stringData'),
  5: pbBool('immutable', true),
};

export const secretStrategy: KindStrategy = {
  info: resourceInfo({ group: '', version: 'v1', resource: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true, schemaRef: CORE + 'Secret' }),
  schemas,
  defaults(o) {
    foldStringData(o);
    if (!o.type) o.type = SECRET_TYPES.opaque;
  },
  validate: validateSecret,
  printer: {
    columns: [
      NAME_COLUMN,
      column('Type', 'string', schemas[CORE + 'Secret'].properties!.type.description!),
      column('Data', 'string', schemas[CORE + 'Secret'].properties!.data.description!),
      AGE_COLUMN,
    ],
    print: (o, now) => ({ cells: [o.metadata?.name ?? '', strAt(o, 'type'), size(o, 'data'), timestampSince(o.metadata?.creationTimestamp, now)] }),
  },
  protobuf: SecretPb,
};
