// Strict decoding as kube-apiserver's JSON decoder does it (sigs.k8s.io/json UnmarshalStrict):
// fields the kind does not declare and fields given twice are "strict decoding errors". Under
// fieldValidation=Strict they refuse the request with 400 BadRequest — for a create or update
// `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown
// field "spec.foo", duplicate field "spec.replicas"`, for a patch the bare `strict decoding
// error: …` — in the order the fields appear in the body; under Warn each is a warning.
// JSON.parse keeps the last of duplicate keys without a word, so duplicates are found by
// scanning the raw body once, before it is parsed into an object.
import { errors, type ApiError, type ResourceInfo, type StatusCause } from '@keelson/api';

/** What the scan of a create/update body found (RequestContext.bodyFields). */
export interface BodyFields {
  /** Field paths given more than once, with the offset of each repeat. */
  duplicates: { path: string; offset: number }[];
  /** Offset of the first occurrence of every field path, to report in document order. */
  firstOffset: Map<string, number>;
}

type Frame = { kind: 'object'; path: string; seen: Set<string>; key?: string } | { kind: 'array'; path: string; index: number };

const childPath = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/**
 * Walks a JSON text (iteratively: nesting depth is bounded elsewhere, never by the stack) and
 * records every object key's path, as the schema validator names them (`a.b[0].c`). Stops
 * quietly at malformed input: the parser that runs next reports it.
 */
export function scanBodyFields(text: string): BodyFields {
  const duplicates: BodyFields['duplicates'] = [];
  const firstOffset = new Map<string, number>();
  const stack: Frame[] = [];
  /** Path of the value that starts at the current position. */
  const valuePath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    return top.kind === 'array' ? `${top.path}[${top.index}]` : childPath(top.path, top.key ?? '');
  };
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === ':') continue;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) break;
      const top = stack[stack.length - 1];
      if (expectKey && top?.kind === 'object') {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          break;
        }
        const path = childPath(top.path, key);
        if (top.seen.has(key)) duplicates.push({ path, offset: i });
        else {
          top.seen.add(key);
          if (!firstOffset.has(path)) firstOffset.set(path, i);
        }
        top.key = key;
        expectKey = false;
      }
      i = j;
      continue;
    }
    if (c === '{' || c === '[') {
      const path = valuePath();
      stack.push(c === '{' ? { kind: 'object', path, seen: new Set() } : { kind: 'array', path, index: 0 });
      expectKey = c === '{';
      continue;
    }
    if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false; // a ',' in the enclosing object announces its next key
      continue;
    }
    if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'array') top.index++;
      else expectKey = true;
    }
    // Numbers, true, false, null: nothing to record.
  }
  return { duplicates, firstOffset };
}

/** Unknown fields (paths dropUnknownFields found) and duplicates, as kube words them, in body order. */
export function strictDecodingErrors(unknown: string[], body: BodyFields | undefined): string[] {
  const found = [
    ...unknown.map((path) => ({ offset: body?.firstOffset.get(path) ?? Number.MAX_SAFE_INTEGER, text: `unknown field "${path}"` })),
    ...(body?.duplicates ?? []).map((d) => ({ offset: d.offset, text: `duplicate field "${d.path}"` })),
  ];
  return found.sort((a, b) => a.offset - b.offset).map((f) => f.text);
}

/**
 * The 400 for strict decoding errors: a create or update body names its kind and version (kube's
 * transformDecodeError); a patch result is reported bare (kube's patcher).
 */
export function strictDecodingError(info: ResourceInfo, errs: string[], body: BodyFields | undefined): ApiError {
  const detail = `strict decoding error: ${errs.join(', ')}`;
  return errors.badRequest(body ? `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: ${detail}` : detail);
}

/**
 * The fields of a create/update body. JSON is scanned (unless fieldValidation=Ignore); other
 * encodings report no duplicates, but still mark the request as one with a body of its kind.
 */
export function bodyFieldsOf(raw: Buffer, mediaType: string, policy: 'Strict' | 'Warn' | 'Ignore'): BodyFields {
  const json = mediaType === 'application/json' || mediaType.endsWith('+json');
  return policy !== 'Ignore' && json ? scanBodyFields(raw.toString('utf8')) : { duplicates: [], firstOffset: new Map() };
}

/** The paths of `unknown field "…"` causes (custom resources' pruning reports them as causes). */
export function unknownFieldsOf(causes: StatusCause[]): string[] {
  return causes.filter((c) => c.field && c.message === `unknown field "${c.field}"`).map((c) => c.field!);
}
