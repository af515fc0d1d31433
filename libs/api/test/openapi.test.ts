import { ResourceRegistry } from '../src/registry';
import { PATCH_CONTENT_TYPES, openApiV3Document, openApiV3Index, openApiV3Serialized, type OpenApiV3Document } from '../src/openapi';
import { refsOf } from '../src/schema';
import type { SchemaNode } from '../src/schema/types';

const registry = new ResourceRegistry();
const doc = (path: string): OpenApiV3Document => {
  const d = openApiV3Document(registry, path);
  if (!d) throw new Error(`no document for ${path}`);
  return d;
};
const paramNames = (op: { parameters?: { name: string }[] } | undefined): string[] => (op?.parameters ?? []).map((p) => p.name);

describe('openapi v3 index', () => {
  it('lists each served group version with a hashed server-relative URL', () => {
    const index = openApiV3Index(registry);
    // Every group version with a built-in resource, each once.
    const paths = Object.keys(index.paths);
    expect(paths).toEqual(expect.arrayContaining(['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/coordination.k8s.io/v1', 'apis/policy/v1']));
    expect(new Set(paths).size).toBe(paths.length);
    expect(index.paths['apis/apps/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
  });

  it('is stable: the same registry gives the same hashes, also when rebuilt from scratch', () => {
    const first = openApiV3Index(registry);
    expect(openApiV3Index(registry)).toEqual(first);
    expect(openApiV3Index(new ResourceRegistry())).toEqual(first);
    const served = openApiV3Serialized(registry, 'apis/apps/v1');
    expect(first.paths['apis/apps/v1'].serverRelativeURL).toContain(served?.hash);
    expect(JSON.parse(served?.body ?? '')).toEqual(doc('apis/apps/v1'));
  });

  it('answers undefined for group versions it does not serve', () => {
    expect(openApiV3Document(registry, 'apis/batch/v2')).toBeUndefined();
    expect(openApiV3Document(registry, 'apis/flowcontrol.apiserver.k8s.io/v1')).toBeUndefined();
    expect(openApiV3Document(registry, 'version')).toBeUndefined();
  });
});

describe('openapi v3 group-version documents', () => {
  it('the Deployment operations declare fieldValidation on POST, PUT and every PATCH', () => {
    const d = doc('apis/apps/v1');
    expect(d.openapi).toBe('3.0.0');
    const collection = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments'];
    const item = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    expect(paramNames(collection.post)).toEqual(expect.arrayContaining(['fieldValidation', 'fieldManager', 'dryRun']));
    expect(paramNames(item.put)).toContain('fieldValidation');
    expect(paramNames(item.patch)).toEqual(expect.arrayContaining(['fieldValidation', 'fieldManager', 'force']));
    // kubectl checks the first PATCH it meets for the GVK, in map order: all must qualify.
    for (const [path, p] of Object.entries(d.paths)) {
      if (p.patch) expect([path, paramNames(p.patch)]).toEqual([path, expect.arrayContaining(['fieldValidation'])]);
    }
    expect(item.patch?.['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(item.patch?.['x-kubernetes-action']).toBe('patch');
    expect(Object.keys(item.patch?.requestBody?.content ?? {}).sort()).toEqual([...PATCH_CONTENT_TYPES].sort());
  });

  it('exposes list, watch and subresource operations like kube-apiserver', () => {
    const d = doc('apis/apps/v1');
    expect(d.paths['/apis/apps/v1/deployments'].get?.['x-kubernetes-action']).toBe('list');
    expect(d.paths['/apis/apps/v1/watch/namespaces/{namespace}/deployments'].get?.['x-kubernetes-action']).toBe('watchlist');
    expect(d.paths['/apis/apps/v1/namespaces/{namespace}/deployments'].delete?.['x-kubernetes-action']).toBe('deletecollection');
    const scale = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
    expect(scale.patch?.['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    const status = d.paths['/apis/apps/v1/namespaces/{namespace}/replicasets/{name}/status'];
    expect(status.put?.['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'ReplicaSet' });
    expect(d.components.schemas['io.k8s.api.autoscaling.v1.Scale']).toBeDefined();
    const core = doc('api/v1');
    expect(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/binding'].post?.['x-kubernetes-group-version-kind'])
      .toEqual({ group: '', version: 'v1', kind: 'Binding' });
    expect(core.paths['/api/v1/namespaces/{name}']).toBeDefined();
    expect(core.paths['/api/v1/namespaces'].delete).toBeUndefined(); // namespaces have no deletecollection
  });

  it('components hold every schema the document references', () => {
    for (const path of ['api/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1']) {
      const d = doc(path);
      const schemas = d.components.schemas;
      const opRefs = JSON.stringify(d.paths).match(/#\/components\/schemas\/[\w.-]+/g) ?? [];
      const refs = [...opRefs.map((r) => r.split('/').pop() as string), ...Object.values(schemas).flatMap((s: SchemaNode) => refsOf(s))];
      expect(refs.filter((r) => !schemas[r])).toEqual([]);
    }
    expect(doc('apis/coordination.k8s.io/v1').components.schemas['io.k8s.api.core.v1.Pod']).toBeUndefined();
  });

  it('kubectl explain can find the kind: the operation GVK matches a schema GVK', () => {
    const d = doc('api/v1');
    const gvk = d.paths['/api/v1/namespaces/{namespace}/pods'].get?.['x-kubernetes-group-version-kind'];
    const matches = Object.values(d.components.schemas).filter((s) => s['x-kubernetes-group-version-kind']?.some((g) => g.group === gvk?.group && g.version === gvk?.version && g.kind === gvk?.kind));
    expect(matches).toHaveLength(1);
    expect(matches[0].properties?.spec?.allOf?.[0].$ref).toBe('#/components/schemas/io.k8s.api.core.v1.PodSpec');
  });
});
