// Content negotiation as kube-apiserver's negotiation package answers it: a body in a media
// type no decoder reads is 415, an Accept header no serializer satisfies is 406.
import type { IncomingMessage } from 'node:http';
import { ApiError, isProtobufContentType } from '@keelson/api';

/** What kube's resource endpoints decode and encode (runtime.NegotiatedSerializer). */
const SERVED = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/** A request body kube cannot decode: `text/plain`, a form post, ... */
export function checkBodyMediaType(contentType: string): void {
  if (contentType === 'application/json' || contentType.endsWith('yaml') || isProtobufContentType(contentType)) return;
  throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${SERVED.join(', ')}`);
}

/**
 * 406 unless one Accept entry (with q > 0) names a served type or a wildcard, as
 * negotiation.NegotiateOutputMediaType: `application/xml` alone is refused; `*∕*`,
 * `application/*` and JSON with parameters (`;as=Table;...`, `;stream=watch`) are served.
 */
export function checkAcceptable(req: IncomingMessage): void {
  const header = req.headers.accept;
  if (header === undefined || header.trim() === '') return;
  for (const entry of header.split(',')) {
    const [type, ...params] = entry.split(';').map((p) => p.trim().toLowerCase());
    if (params.some((p) => /^q=0(\.0*)?$/.test(p))) continue;
    if (type === '*/*' || type === 'application/*' || SERVED.includes(type)) return;
  }
  throw new ApiError(406, 'NotAcceptable', `only the following media types are accepted: ${SERVED.join(', ')}`);
}
