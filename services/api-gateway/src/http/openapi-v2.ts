// GET /openapi/v2: the Swagger 2.0 document in the form the Accept header asks for, as
// kube-openapi's handler serves it: JSON, or gnostic protobuf (what client-go's discovery,
// hence kubectl's Validator and helm, requests); an ETag per form and 304 on If-None-Match.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, OPENAPI_V2_PROTOBUF, openApiV2Serialized, type ResourceRegistry } from '@keelson/api';

type Form = 'json' | 'protobuf';

// Clients ask with '@' (client-go) or '.'; the answer names the '.' form, as kube-openapi's
// handler does: Go's mime.ParseMediaType rejects '@', so client-go fails on a Content-Type with it.
const PROTOBUF_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const PROTOBUF_TYPES = new Set([OPENAPI_V2_PROTOBUF, PROTOBUF_CONTENT_TYPE]);

/** The form the Accept header prefers (highest q first, JSON for wildcards), or undefined. */
export function negotiateOpenApiV2(accept: string | undefined): Form | undefined {
  if (!accept || !accept.trim()) return 'json';
  const ranges = accept
    .split(',')
    .map((part, i) => {
      const [type, ...params] = part.split(';').map((p) => p.trim());
      const q = params.find((p) => p.startsWith('q='));
      return { type: type.toLowerCase(), q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((r) => r.type && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    if (r.type === 'application/json' || r.type === 'application/*' || r.type === '*/*') return 'json';
    if (PROTOBUF_TYPES.has(r.type)) return 'protobuf';
  }
  return undefined;
}

export function handleOpenApiV2(req: IncomingMessage, res: ServerResponse, registry: ResourceRegistry): void {
  const form = negotiateOpenApiV2(req.headers.accept);
  if (!form) throw errors.notAcceptable(`only the following media types are accepted: application/json, ${OPENAPI_V2_PROTOBUF}`);
  const doc = openApiV2Serialized(registry, form);
  const headers = {
    'Content-Type': form === 'json' ? 'application/json' : PROTOBUF_CONTENT_TYPE,
    ETag: doc.etag,
    Vary: 'Accept',
  };
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === doc.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': doc.body.length });
  res.end(req.method === 'HEAD' ? undefined : doc.body);
}
