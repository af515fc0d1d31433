// The OpenAPI v3 documents served under /openapi/v3, shaped like kube-apiserver's.
// kubectl reads them for two things: whether PATCH/POST operations of a kind take a
// `fieldValidation` query parameter (then it sends `fieldValidation=Strict` and leaves
// validation to the server), and `kubectl explain`, which finds the kind through the
// operations' `x-kubernetes-group-version-kind` and walks `components.schemas`.

import { createHash } from 'node:crypto';
import { type ResourceInfo, type ResourceRegistry, type SubresourceInfo } from './registry';
import type { SchemaNode } from './schema/types';
import { REF_PREFIX, reachableSchemas, schemaNameForKind, schemasRevision } from './schema';

type GVK = { group: string; kind: string; version: string };

interface Parameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: { type: 'string' | 'integer' | 'boolean'; uniqueItems: true };
}

interface Operation {
  description: string;
  operationId: string;
  tags: string[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: SchemaNode }>; required: true };
  responses: Record<string, { description: string; content: Record<string, { schema: SchemaNode }> }>;
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': GVK;
}

type PathItem = { parameters?: Parameter[] } & Partial<Record<'get' | 'put' | 'post' | 'patch' | 'delete', Operation>>;

export interface OpenApiV3Document {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, SchemaNode> };
}

export interface OpenApiV3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

// ---- parameters (descriptions shortened from kube-apiserver's) ----

const param = (name: string, type: Parameter['schema']['type'], description: string): Parameter =>
  ({ name, in: 'query', description, schema: { type, uniqueItems: true } });
const pathParam = (name: string, description: string): Parameter =>
  ({ name, in: 'path', required: true, description, schema: { type: 'string', uniqueItems: true } });

const P = {
  pretty: param('pretty', 'string', "If 'true', then the output is pretty printed."),
  dryRun: param('dryRun', 'string', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: param('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes. Required for apply requests (application/apply-patch).'),
  fieldValidation: param('fieldValidation', 'string', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict: fail the request on unknown or duplicate fields.'),
  force: param('force', 'boolean', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Must be unset for non-apply patch requests.'),
  gracePeriodSeconds: param('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted. The value zero indicates delete immediately.'),
  orphanDependents: param('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy. Should the dependent objects be orphaned.'),
  propagationPolicy: param('propagationPolicy', 'string', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
  allowWatchBookmarks: param('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK".'),
  continue: param('continue', 'string', 'The continue option should be set when retrieving more results from the server: the value from a previous list result.'),
  fieldSelector: param('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: param('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: param('limit', 'integer', 'limit is a maximum number of responses to return for a list call. If more items exist, the server sets the `continue` field on the list metadata.'),
  resourceVersion: param('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  resourceVersionMatch: param('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  sendInitialEvents: param('sendInitialEvents', 'boolean', 'With watch, sendInitialEvents=true makes the stream begin with synthetic events for the current state of objects.'),
  timeoutSeconds: param('timeoutSeconds', 'integer', 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.'),
  watch: param('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.'),
};

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion,
  P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation, P.force];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];
const DELETE_COLLECTION_PARAMS = [...DELETE_PARAMS, P.continue, P.fieldSelector, P.labelSelector, P.limit,
  P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds];

/** The four PATCH bodies kube-apiserver accepts for built-in kinds. */
export const PATCH_CONTENT_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json',
  'application/merge-patch+json', 'application/strategic-merge-patch+json'] as const;

// ---- operation building ----

const schemaRef = (name: string): SchemaNode => ({ $ref: REF_PREFIX + name });
const body = (name: string, types: readonly string[] = ['application/json']): Operation['requestBody'] =>
  ({ content: Object.fromEntries(types.map((t) => [t, { schema: schemaRef(name) }])), required: true });
function responses(name: string, codes: Record<string, string>, types = ['application/json', 'application/yaml']): Operation['responses'] {
  const content = Object.fromEntries(types.map((t) => [t, { schema: schemaRef(name) }]));
  return Object.fromEntries(Object.entries(codes).map(([code, description]) => [code, { description, content }]));
}
const OK = { '200': 'OK' };
const OK_CREATED = { '200': 'OK', '201': 'Created' };

/** `coordination.k8s.io` → `Coordination`, `` → `Core`: the infix of kube's operation ids. */
function groupIdent(group: string): string {
  const first = group === '' ? 'core' : group.split('.')[0];
  return first.charAt(0).toUpperCase() + first.slice(1);
}

/** Schema component of a kind, falling back to the registry's schemaRef for the main kind. */
function kindSchema(gvk: GVK, fallback?: string): string {
  return schemaNameForKind(gvk.group, gvk.version, gvk.kind) ?? fallback ?? `${gvk.group}.${gvk.version}.${gvk.kind}`;
}

interface Ctx {
  r: ResourceInfo;
  gvk: GVK;
  tag: string;
  /** `CoreV1Namespaced` / `AppsV1` etc: the middle of operation ids. */
  idStem: string;
  schema: string;
  listSchema: string;
}

function op(ctx: Ctx, action: string, verb: string, description: string, extra: Partial<Operation> & Pick<Operation, 'responses'>,
  gvk: GVK = ctx.gvk, suffix = ''): Operation {
  return {
    description,
    operationId: `${verb}${ctx.idStem}${ctx.r.kind}${suffix}`,
    tags: [ctx.tag],
    ...extra,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  };
}

function resourcePaths(r: ResourceInfo): Record<string, PathItem> {
  const gvk: GVK = { group: r.group, kind: r.kind, version: r.version };
  const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const scope = r.namespaced ? 'Namespaced' : '';
  const ctx: Ctx = {
    r, gvk,
    tag: `${r.group === '' ? 'core' : r.group.split('.')[0]}_${r.version}`,
    idStem: `${groupIdent(r.group)}${r.version.charAt(0).toUpperCase()}${r.version.slice(1)}${scope}`,
    schema: kindSchema(gvk, r.schemaRef),
    listSchema: kindSchema({ ...gvk, kind: r.listKind }),
  };
  const can = (v: string): boolean => r.verbs.includes(v as ResourceInfo['verbs'][number]);
  const nsSeg = r.namespaced ? '/namespaces/{namespace}' : '';
  const nsParams = r.namespaced ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')] : [];
  const nameParam = pathParam('name', `name of the ${r.kind}`);
  const collection = `${prefix}${nsSeg}/${r.resource}`;
  const itemPath = `${collection}/{name}`;
  const paths: Record<string, PathItem> = {};

  const coll: PathItem = { parameters: [...nsParams, P.pretty] };
  if (can('list')) coll.get = op(ctx, 'list', 'list', `list or watch objects of kind ${r.kind}`,
    { parameters: LIST_PARAMS, responses: responses(ctx.listSchema, OK, ['application/json', 'application/json;stream=watch', 'application/yaml']) });
  if (can('create')) coll.post = op(ctx, 'post', 'create', `create a ${r.kind}`,
    { parameters: WRITE_PARAMS, requestBody: body(ctx.schema), responses: responses(ctx.schema, { ...OK_CREATED, '202': 'Accepted' }) });
  // kube names it deleteCoreV1CollectionNamespacedPod.
  const collCtx = { ...ctx, idStem: `${ctx.idStem.replace(/Namespaced$/, '')}Collection${scope}` };
  if (can('deletecollection')) coll.delete = op(collCtx, 'deletecollection', 'delete', `delete collection of ${r.kind}`,
    { parameters: DELETE_COLLECTION_PARAMS, requestBody: body(`${META}DeleteOptions`), responses: responses(`${META}Status`, OK) });
  paths[collection] = coll;

  const item: PathItem = { parameters: [nameParam, ...nsParams, P.pretty] };
  if (can('get')) item.get = op(ctx, 'get', 'read', `read the specified ${r.kind}`, { responses: responses(ctx.schema, OK) });
  if (can('update')) item.put = op(ctx, 'put', 'replace', `replace the specified ${r.kind}`,
    { parameters: WRITE_PARAMS, requestBody: body(ctx.schema), responses: responses(ctx.schema, OK_CREATED) });
  if (can('patch')) item.patch = op(ctx, 'patch', 'patch', `partially update the specified ${r.kind}`,
    { parameters: PATCH_PARAMS, requestBody: body(`${META}Patch`, PATCH_CONTENT_TYPES), responses: responses(ctx.schema, OK_CREATED) });
  if (can('delete')) item.delete = op(ctx, 'delete', 'delete', `delete a ${r.kind}`,
    { parameters: DELETE_PARAMS, requestBody: body(`${META}DeleteOptions`), responses: responses(`${META}Status`, { '200': 'OK', '202': 'Accepted' }) });
  paths[itemPath] = item;

  if (can('watch')) {
    const watchResp = responses(`${META}WatchEvent`, OK, ['application/json', 'application/json;stream=watch']);
    paths[`${prefix}/watch${nsSeg}/${r.resource}`] = {
      parameters: [...LIST_PARAMS, ...nsParams, P.pretty],
      get: op(ctx, 'watchlist', 'watch', `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
        { responses: watchResp }, gvk, 'List'),
    };
    paths[`${prefix}/watch${nsSeg}/${r.resource}/{name}`] = {
      parameters: [...LIST_PARAMS, nameParam, ...nsParams, P.pretty],
      get: op(ctx, 'watch', 'watch', `watch changes to an object of kind ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`,
        { responses: watchResp }),
    };
  }

  if (r.namespaced && can('list')) {
    // Cluster-wide list across namespaces: `GET /api/v1/pods`.
    const allCtx = { ...ctx, idStem: ctx.idStem.replace(/Namespaced$/, '') };
    paths[`${prefix}/${r.resource}`] = {
      parameters: [...LIST_PARAMS, P.pretty],
      get: op(allCtx, 'list', 'list', `list or watch objects of kind ${r.kind}`,
        { responses: responses(ctx.listSchema, OK, ['application/json', 'application/json;stream=watch', 'application/yaml']) }, gvk, 'ForAllNamespaces'),
    };
    if (can('watch')) {
      paths[`${prefix}/watch/${r.resource}`] = {
        parameters: [...LIST_PARAMS, P.pretty],
        get: op(allCtx, 'watchlist', 'watch', `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
          { responses: responses(`${META}WatchEvent`, OK, ['application/json', 'application/json;stream=watch']) }, gvk, 'ListForAllNamespaces'),
      };
    }
  }

  for (const sub of r.subresources) Object.assign(paths, subresourcePaths(ctx, sub, itemPath, [nameParam, ...nsParams, P.pretty]));
  return paths;
}

function subresourcePaths(ctx: Ctx, sub: SubresourceInfo, itemPath: string, parameters: Parameter[]): Record<string, PathItem> {
  const r = ctx.r;
  // status reports the parent kind; scale/binding their own kind, as kube-apiserver does.
  const gvk: GVK = sub.name === 'status' ? ctx.gvk : { group: sub.group, kind: sub.kind, version: sub.version };
  const schema = sub.name === 'status' ? ctx.schema : kindSchema(gvk);
  const suffix = sub.name.charAt(0).toUpperCase() + sub.name.slice(1);
  const path: PathItem = { parameters: sub.name === 'binding' ? parameters.filter((p) => p.name !== 'pretty').concat(P.pretty) : parameters };
  const has = (v: string): boolean => sub.verbs.includes(v as SubresourceInfo['verbs'][number]);
  const what = `${sub.name} of the specified ${r.kind}`;
  if (has('get')) path.get = op(ctx, 'get', 'read', `read ${what}`, { responses: responses(schema, OK) }, gvk, suffix);
  if (has('update')) path.put = op(ctx, 'put', 'replace', `replace ${what}`,
    { parameters: WRITE_PARAMS, requestBody: body(schema), responses: responses(schema, OK_CREATED) }, gvk, suffix);
  if (has('patch')) path.patch = op(ctx, 'patch', 'patch', `partially update ${what}`,
    { parameters: PATCH_PARAMS, requestBody: body(`${META}Patch`, PATCH_CONTENT_TYPES), responses: responses(schema, OK_CREATED) }, gvk, suffix);
  if (has('create')) path.post = op(ctx, 'post', 'create', `create ${sub.name} of a ${r.kind}`,
    { parameters: WRITE_PARAMS, requestBody: body(schema), responses: responses(schema, { ...OK_CREATED, '202': 'Accepted' }) }, gvk, suffix);
  return { [`${itemPath}/${sub.name}`]: path };
}

/** Every `$ref` used by the paths (responses, bodies), to seed `components.schemas`. */
function pathRefs(paths: Record<string, PathItem>): string[] {
  const refs = new Set<string>();
  for (const item of Object.values(paths)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      for (const media of Object.values(operation.requestBody?.content ?? {})) if (media.schema.$ref) refs.add(media.schema.$ref);
      for (const resp of Object.values(operation.responses)) {
        for (const media of Object.values(resp.content)) if (media.schema.$ref) refs.add(media.schema.$ref);
      }
    }
  }
  return [...refs];
}

/** `api/v1` → core v1, `apis/apps/v1` → apps v1; undefined when the path is not a group version. */
export function parseGroupVersionPath(path: string): { group: string; version: string } | undefined {
  const parts = path.replace(/^\/+|\/+$/g, '').split('/');
  if (parts.length === 2 && parts[0] === 'api') return { group: '', version: parts[1] };
  if (parts.length === 3 && parts[0] === 'apis') return { group: parts[1], version: parts[2] };
  return undefined;
}

export function groupVersionPath(gv: { group: string; version: string }): string {
  return gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
}

function buildDocument(resources: ResourceInfo[]): OpenApiV3Document {
  const paths: Record<string, PathItem> = {};
  for (const r of [...resources].sort((a, b) => a.resource.localeCompare(b.resource))) Object.assign(paths, resourcePaths(r));
  const sortedPaths = Object.fromEntries(Object.keys(paths).sort().map((k) => [k, paths[k]]));
  const { schemas } = reachableSchemas([...pathRefs(sortedPaths), ...resources.map((r) => r.schemaRef)]);
  const sortedSchemas = Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k]]));
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths: sortedPaths, components: { schemas: sortedSchemas } };
}

interface Built { doc: OpenApiV3Document; body: string; hash: string }

// Documents are rebuilt only when the registry's resources or the schemas change.
const cache = new WeakMap<ResourceRegistry, Map<string, { signature: string; built: Built }>>();

function built(registry: ResourceRegistry, gvPath: string): Built | undefined {
  const gv = parseGroupVersionPath(gvPath);
  if (!gv) return undefined;
  const resources = registry.all().filter((r) => r.group === gv.group && r.version === gv.version);
  if (resources.length === 0) return undefined;
  const signature = `${schemasRevision()}:${JSON.stringify(resources)}`;
  let perRegistry = cache.get(registry);
  if (!perRegistry) cache.set(registry, (perRegistry = new Map()));
  const key = groupVersionPath(gv);
  const hit = perRegistry.get(key);
  if (hit && hit.signature === signature) return hit.built;
  const doc = buildDocument(resources);
  const body = JSON.stringify(doc);
  const result = { doc, body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
  perRegistry.set(key, { signature, built: result });
  return result;
}

/** The `/openapi/v3` discovery document: one entry per served group version. */
export function openApiV3Index(registry: ResourceRegistry): OpenApiV3Index {
  const paths: OpenApiV3Index['paths'] = {};
  for (const gv of registry.groupVersions()) {
    const path = groupVersionPath(gv);
    const b = built(registry, path);
    if (b) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${b.hash}` };
  }
  return { paths };
}

/** The document for one group version (`api/v1`, `apis/apps/v1`), or undefined if not served. */
export function openApiV3Document(registry: ResourceRegistry, groupVersionPathArg: string): OpenApiV3Document | undefined {
  return built(registry, groupVersionPathArg)?.doc;
}

/** The serialized document and its hash (for `ETag` and the immutable `?hash=` URL). */
export function openApiV3Serialized(registry: ResourceRegistry, groupVersionPathArg: string): { body: string; hash: string } | undefined {
  const b = built(registry, groupVersionPathArg);
  return b && { body: b.body, hash: b.hash };
}

