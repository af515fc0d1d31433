// HTTP binding of the resource verbs: decode, call the registry, encode (JSON or Table).
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ApiError,
  applyJsonMergePatch,
  applyJsonPatch,
  applyStrategicMergePatch,
  errors,
  groupVersion,
  isRecord,
  resolveSchema,
  toTable,
  type KubeObject,
  type ResourceInfo,
} from '@keelson/api';
import type { ResourceRequest } from '../http/request-info';
import { decodeBody, mediaType, negotiate, readBody, sendJson } from '../http/io';
import { parseResourceVersion } from '../registry/errors';
import { deleteObject, deleteResponse, parseDeleteOptions } from '../registry/deletion';
import type { RequestContext } from '../registry/request-context';
import { bodyFieldsOf } from '../registry/strict-decoding';
import type { ResourceStore } from '../registry/resource-store';
import { CustomResourceStore } from '../registry/custom-resource-store';
import { bindPod, finalizeNamespace, toScale, updateScale } from '../registry/subresources';
import { prepareFieldManagement, serverSideApply } from '../registry/field-tracking';
import { includeObjectOf, limitOf, selectorFilterOf } from './params';
import { validateListOptions } from './list-options';
import { ownBody } from '../registry/owned-body';

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

export interface HandlerDeps {
  maxRequestBytes: number;
}

export async function handleResource(
  req: IncomingMessage,
  res: ServerResponse,
  rr: ResourceRequest,
  rs: ResourceStore,
  ctx: RequestContext,
  query: URLSearchParams,
  deps: HandlerDeps,
): Promise<void> {
  const info = rs.info;
  const sub = rr.subresource;
  if (sub && !info.subresources.some((s) => s.name === sub)) throw errors.notFoundPath();
  const ns = rr.namespace;
  const name = rr.name;
  const send = (code: number, obj: KubeObject): void => {
    // Warnings (e.g. unknown fields under fieldValidation=Warn) travel as RFC 7234 Warning headers.
    if (ctx.warnings.length) res.setHeader('Warning', ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`));
    sendObject(req, res, code, info, obj, query);
  };
  const body = async (): Promise<unknown> => {
    const raw = await readBody(req, deps.maxRequestBytes);
    const decoded = decodeBody(raw, mediaType(req));
    ctx.bodyFields = bodyFieldsOf(raw, mediaType(req), ctx.fieldValidation); // duplicate fields: JSON.parse keeps the last silently
    return decoded;
  };
  // DELETE bodies are optional DeleteOptions (JSON, or protobuf from typed clients).
  const deleteOptions = async () => {
    const raw = await readBody(req, deps.maxRequestBytes);
    return parseDeleteOptions(raw.length ? decodeBody(raw, mediaType(req)) : undefined, query);
  };

  // kube registers PUT and PATCH on an object's path only: on a collection they are 405 (was 500, found by npm run fuzz).
  if ((rr.verb === 'update' || rr.verb === 'patch') && !name) throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
  prepareFieldManagement(ctx, rr.verb, sub, query, { userAgent: req.headers['user-agent'], contentType: mediaType(req) });
  switch (rr.verb) {
    case 'get': {
      const obj = await rs.get(ns, name!);
      return sub === 'scale' ? sendJson(res, 200, toScale(obj, info)) : send(200, obj);
    }
    case 'list': {
      // Lists are always consistent reads from etcd; only an Exact match reads an older revision.
      validateListOptions(query, false);
      const rv = parseResourceVersion(query.get('resourceVersion'));
      const exact = query.get('resourceVersionMatch') === 'Exact';
      const result = await rs.list({
        namespace: ns,
        limit: limitOf(query),
        continue: query.get('continue') ?? undefined,
        revision: exact ? rv : undefined,
        filter: selectorFilterOf(query, info.resource),
      });
      const listMeta = { resourceVersion: String(result.revision), continue: result.continue, remainingItemCount: result.remainingItemCount };
      if (negotiate(req) === 'table') return sendJson(res, 200, toTable(info, result.items, { includeObject: includeObjectOf(query), listMeta }));
      return sendJson(res, 200, { kind: info.listKind, apiVersion: groupVersion(info), metadata: listMeta, items: result.items });
    }
    case 'create': {
      if (sub === 'binding') {
        if (!name) throw errors.notFoundPath();
        await bindPod(rs, ns, name, await body(), ctx);
        return sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
      }
      if (name || sub) throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
      return send(201, await rs.create(ns, ownBody(await body()), ctx));
    }
    case 'update': {
      const desired = await body();
      if (sub === 'scale') return sendJson(res, 200, await updateScale(rs, ns, name!, () => desired, ctx));
      if (sub === 'finalize') return send(200, await finalizeNamespace(rs, name!, desired, ctx));
      return send(200, await rs.update(ns, name!, () => desired, ctx, { subresource: sub }));
    }
    case 'patch':
      return patch(req, res, rr, rs, ctx, await readBody(req, deps.maxRequestBytes), send);
    case 'delete': {
      const opts = await deleteOptions();
      const { code, body } = deleteResponse(info, await deleteObject(rs, ns, name!, opts, ctx), opts);
      return body.kind === 'Status' ? sendJson(res, code, body) : send(code, body as KubeObject);
    }
    case 'deletecollection': {
      const opts = await deleteOptions();
      const listed = await rs.list({ namespace: ns, filter: selectorFilterOf(query, info.resource) });
      const items: KubeObject[] = [];
      for (const o of listed.items) {
        try {
          items.push((await deleteObject(rs, o.metadata.namespace, o.metadata.name!, opts, ctx)).object);
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) throw e; // deleted meanwhile
        }
      }
      return sendJson(res, 200, { kind: info.listKind, apiVersion: groupVersion(info), metadata: { resourceVersion: String(listed.revision) }, items });
    }
    default:
      throw errors.methodNotAllowed(`verb ${rr.verb} is not supported here`);
  }
}

async function patch(
  req: IncomingMessage,
  res: ServerResponse,
  rr: ResourceRequest,
  rs: ResourceStore,
  ctx: RequestContext,
  raw: Buffer,
  send: (code: number, obj: KubeObject) => void,
): Promise<void> {
  const type = mediaType(req);
  if (!PATCH_TYPES.includes(type)) throw errors.unsupportedMediaType(type);
  // Custom resources have no Go struct to carry patch strategies: kube refuses strategic merge.
  if (type === 'application/strategic-merge-patch+json' && rs instanceof CustomResourceStore) {
    throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  }
  const patchBody = decodeBody(raw, type === 'application/apply-patch+yaml' ? 'application/yaml' : 'application/json');
  if (type !== 'application/json-patch+json' && !isRecord(patchBody)) throw errors.badRequest('the patch must be a JSON object');
  const ns = rr.namespace;
  const name = rr.name!;
  const schema = rr.subresource === 'scale' ? undefined : rs.schema;
  const applyPatch = (current: unknown): unknown => {
    switch (type) {
      case 'application/json-patch+json':
        return applyJsonPatch(current, patchBody);
      case 'application/merge-patch+json':
        return applyJsonMergePatch(current, patchBody);
      default:
        // Strategic merge (server-side apply only reaches here on /scale).
        return schema ? applyStrategicMergePatch(current, patchBody, schema, resolveSchema) : applyJsonMergePatch(current, patchBody);
    }
  };
  if (rr.subresource === 'scale') return sendJson(res, 200, await updateScale(rs, ns, name, applyPatch, ctx));
  if (type === 'application/apply-patch+yaml') {
    const applied = await serverSideApply(rs, ns, name, rr.subresource, patchBody, ctx);
    return send(applied.code, applied.object);
  }
  return send(200, await rs.update(ns, name, (current) => applyPatch(current), ctx, { subresource: rr.subresource }));
}

export function sendObject(req: IncomingMessage, res: ServerResponse, code: number, info: ResourceInfo, obj: KubeObject, query: URLSearchParams): void {
  if (negotiate(req) === 'table') return sendJson(res, code, toTable(info, [obj], { includeObject: includeObjectOf(query) }));
  sendJson(res, code, obj);
}
