// One KindStrategy per served version of a CustomResourceDefinition: what the gateway serves
// (ResourceInfo), the OpenAPI components `kubectl explain` reads, and the custom resource
// strategy of apiextensions-apiserver — defaults from the schema, pruning, structural and CEL
// validation, status/scale subresources, generation, and printer columns.
import type { ResourceInfo, SubresourceInfo } from '../registry';
import { REF_PREFIX } from '../schema/dsl';
import type { SchemaNode } from '../schema/types';
import type { StatusCause } from '../status';
import { resourceInfo, scaleSubresource, statusSubresource, type KindStrategy } from '../strategy';
import type { KubeObject } from '../types';
import { jsonEqual } from '../validation/field-errors';
import { evaluateValidations } from './cel';
import { applySchemaDefaults } from './defaulting';
import { customResourcePrinter } from './printer-columns';
import { pruneUnknownFields } from './pruning';
import { ratchet } from './ratcheting';
import type { CustomResourceDefinition, CustomResourceDefinitionVersion, JSONSchemaProps } from './types';
import { validateCustomValue } from './validate';
import { copyJson } from '../json-copy';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

/** `stable.example.com`, `v1`, `CronTab` → `com.example.stable.v1.CronTab`, as kube names CRD components. */
export function customResourceSchemaName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

export function servedVersions(crd: CustomResourceDefinition): CustomResourceDefinitionVersion[] {
  return crd.spec.versions.filter((v) => v.served);
}

export function storageVersion(crd: CustomResourceDefinition): string {
  return crd.spec.versions.find((v) => v.storage)?.name ?? crd.spec.versions[0]?.name ?? '';
}

/** The ResourceInfo of one served version. */
export function customResourceInfo(crd: CustomResourceDefinition, v: CustomResourceDefinitionVersion): ResourceInfo {
  const { group, names, scope } = crd.spec;
  const subresources: SubresourceInfo[] = [];
  if (v.subresources?.status) subresources.push(statusSubresource({ group, version: v.name, kind: names.kind }));
  if (v.subresources?.scale) subresources.push(scaleSubresource);
  return resourceInfo({
    group,
    version: v.name,
    resource: names.plural,
    singular: names.singular || names.kind.toLowerCase(),
    kind: names.kind,
    listKind: names.listKind || `${names.kind}List`,
    namespaced: scope === 'Namespaced',
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    subresources,
    schemaRef: customResourceSchemaName(group, v.name, names.kind),
  });
}

/** The version's schema with what every object has: apiVersion, kind and metadata. */
function objectSchema(v: CustomResourceDefinitionVersion): JSONSchemaProps {
  const declared = v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return declared;
}

/** OpenAPI components for one version: the kind (its schema, metadata as ObjectMeta) and its list. */
export function customResourceSchemas(crd: CustomResourceDefinition, v: CustomResourceDefinitionVersion): Record<string, SchemaNode> {
  const { group, names } = crd.spec;
  const name = customResourceSchemaName(group, v.name, names.kind);
  const listKind = names.listKind || `${names.kind}List`;
  const schema = copyJson(objectSchema(v)) as SchemaNode;
  const properties: Record<string, SchemaNode> = {
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
    ...(schema.properties ?? {}),
    metadata: { description: 'Standard object\'s metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata', allOf: [{ $ref: REF_PREFIX + OBJECT_META }] },
  };
  const gvk = (kind: string) => [{ group, version: v.name, kind }];
  return {
    [name]: { ...schema, type: 'object', properties, 'x-kubernetes-group-version-kind': gvk(names.kind) },
    [customResourceSchemaName(group, v.name, listKind)]: {
      description: `${listKind} is a list of ${names.kind}`,
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: properties.apiVersion,
        kind: properties.kind,
        items: { type: 'array', description: `List of ${names.plural.toLowerCase()}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`, items: { $ref: REF_PREFIX + name } },
        metadata: { description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata', allOf: [{ $ref: REF_PREFIX + LIST_META }] },
      },
      'x-kubernetes-group-version-kind': gvk(listKind),
    },
  };
}

/** Content other than metadata and status (apiVersion differs between served versions). */
function nonStatus(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

function nonMetadata(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** The strategy serving one version of a CRD. */
export function customResourceStrategy(crd: CustomResourceDefinition, v: CustomResourceDefinitionVersion): KindStrategy {
  const info = customResourceInfo(crd, v);
  const schema = objectSchema(v);
  const hasStatus = !!v.subresources?.status;
  return {
    info,
    schemas: customResourceSchemas(crd, v),
    defaults: (obj) => {
      applySchemaDefaults(obj, schema);
    },
    prepareForCreate: (obj) => {
      // Without a status subresource status is ordinary content; with one, creates drop it.
      if (hasStatus) delete obj.status;
      obj.metadata.generation = 1;
    },
    prepareForUpdate: (obj, old, subresource) => {
      if (subresource === 'status') {
        // The status strategy keeps everything but status (and metadata bookkeeping).
        for (const k of Object.keys(obj)) if (!['metadata', 'status', 'apiVersion', 'kind'].includes(k)) delete obj[k];
        Object.assign(obj, copyJson(nonStatus(old)));
        return;
      }
      // Generation counts spec changes: everything but metadata (and status, when it has its own endpoint).
      const changed = hasStatus ? !jsonEqual(nonStatus(obj), nonStatus(old)) : !jsonEqual(nonMetadata(obj), nonMetadata(old));
      const gen = typeof old.metadata.generation === 'number' ? old.metadata.generation : 1;
      obj.metadata.generation = changed ? gen + 1 : gen;
    },
    validateSchema: (obj, old, unknownFields) => validateCustomObject(obj, old, schema, unknownFields),
    printer: customResourcePrinter(v.additionalPrinterColumns),
    scale: v.subresources?.scale,
  };
}

export interface CustomObjectValidation {
  causes: StatusCause[];
  unknownFields: string[];
}

/** Prunes unknown fields (in place), then validates the schema and its CEL rules. */
export function validateCustomObject(obj: KubeObject, old: KubeObject | undefined, schema: JSONSchemaProps, policy: 'Strict' | 'Warn' | 'Ignore'): CustomObjectValidation {
  const unknownFields = pruneUnknownFields(obj, schema);
  const out: StatusCause[] = [];
  if (policy === 'Strict') for (const f of unknownFields) out.push({ reason: 'FieldValueInvalid', message: `unknown field "${f}"`, field: f });
  // Metadata is ObjectMeta (validated generically); the schema governs the rest.
  const { metadata: _m, ...content } = obj;
  const contentSchema: JSONSchemaProps = { ...schema, properties: { ...(schema.properties ?? {}) } };
  delete contentSchema.properties!.metadata;
  const found = validateCustomValue(content, { ...contentSchema, 'x-kubernetes-validations': undefined });
  if (!found.some((c) => c.reason === 'FieldValueTypeInvalid')) {
    const oldContent = old ? (({ metadata: _om, ...rest }) => rest)(old) : undefined;
    found.push(...evaluateValidations({ ...content, metadata: obj.metadata }, old && { ...oldContent, metadata: old.metadata }, schema));
  }
  out.push(...(old ? ratchet(found, obj, old) : found));
  return { causes: out, unknownFields: policy === 'Ignore' ? [] : unknownFields };
}
