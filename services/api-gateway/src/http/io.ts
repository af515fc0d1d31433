// Request body reading (with the size limit) and response writing, Kubernetes-style.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, decodeKubernetesProtobuf, errors, isProtobufContentType } from '@keelson/api';
import { checkBodyMediaType } from './media-types';
import { checkNestingDepth, checkYamlFlowDepth } from './nesting-depth';

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? -1);
  if (declared > limit) {
    req.resume(); // drain so the connection can answer
    throw errors.tooLarge(`Request entity too large: limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw errors.tooLarge(`Request entity too large: limit is ${limit}`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
}

/** Decodes a JSON (or YAML) body; malformed input is a 400 like kube's decoder error. */
export function decodeBody(body: Buffer, contentType: string): unknown {
  checkBodyMediaType(contentType);
  const value = decodeBodyAs(body, contentType);
  checkNestingDepth(value);
  return value;
}

function decodeBodyAs(body: Buffer, contentType: string): unknown {
  // kubectl's typed commands (create namespace, create configmap, ...) send protobuf.
  if (isProtobufContentType(contentType)) return decodeKubernetesProtobuf(body);
  const text = body.toString('utf8');
  if (text.trim() === '') throw errors.badRequest('the request body is empty');
  if (contentType.endsWith('yaml')) {
    checkYamlFlowDepth(text);
    try {
      return parseYaml(text);
    } catch (e) {
      throw errors.badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`the body of the request was not valid JSON: ${(e as Error).message}`);
  }
}

const gone = new WeakSet<ServerResponse>();

/**
 * Marks `res` when its client goes away; call once, as the request arrives. Under HTTP/2 a client
 * that resets its stream leaves `res.destroyed` undefined and `req.destroyed` false, so handlers
 * that await (etcd, the watch cache) ask `clientGone(res)` afterwards instead.
 */
export function trackClientGone(res: ServerResponse): void {
  res.once('close', () => gone.add(res));
}

/** The response closed before the server ended it: nobody reads what would be written now. */
export function clientGone(res: ServerResponse): boolean {
  // writableEnded, not writableFinished: a reset HTTP/2 stream reports writableFinished true.
  return gone.has(res) && !res.writableEnded;
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const data = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data), 'Cache-Control': 'no-cache, private' });
  res.end(data);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const apiErr = err instanceof ApiError ? err : errors.internal(err instanceof Error ? err.message : String(err));
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, apiErr.code, apiErr.toStatus());
}

export type AcceptedForm = 'json' | 'table';

/** kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io,...,application/json`. */
export function negotiate(req: IncomingMessage): AcceptedForm {
  const accept = String(req.headers.accept ?? '');
  for (const part of accept.split(',')) {
    const params = part.split(';').map((p) => p.trim());
    if (params.includes('as=Table') && params.includes('g=meta.k8s.io') && (params.includes('v=v1') || params.includes('v=v1beta1'))) return 'table';
  }
  return 'json';
}
