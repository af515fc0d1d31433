// apiextensions.k8s.io/v1 CustomResourceDefinition (apiextensions-apiserver's
// pkg/registry/customresourcedefinition and pkg/apis/apiextensions/validation): names,
// scope, versions with one storage version, structural schemas, subresources and printer
// columns. NamesAccepted/Established/Terminating are written by the gateway's CRD controller.
import { NAME_COLUMN } from '../../printers/columns';
import { arr, bool, gvk, int32, item, map, obj, ref, str, strArr, META } from '../../schema/dsl';
import type { SchemaNode } from '../../schema/types';
import { causes, type StatusCause } from '../../status';
import { resourceInfo, statusSubresource, type KindStrategy } from '../../strategy';
import { isRecord, type KubeObject } from '../../types';
import { IMMUTABLE_MSG } from '../../validation/field-errors';
import { isDNS1123Subdomain } from '../../validation/names';
import { parseJsonPath, JsonPathError } from '../../crd/jsonpath';
import { validateStructuralSchema } from '../../crd/structural';
import type { CustomResourceDefinition, CustomResourceDefinitionSpec, CustomResourceDefinitionVersion } from '../../crd/types';

export const APIEXTENSIONS = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';
const GROUP = 'apiextensions.k8s.io';
const APIVERSION_DOC = 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DOC = 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const A = (name: string) => APIEXTENSIONS + name;
/** Any JSON value (`default`, `enum` items, `example`). */
const JSON_ANY: SchemaNode = { description: 'JSON represents any valid JSON value. These types are supported: bool, int64, float64, string, []interface{}, map[string]interface{} and nil.', 'x-kubernetes-preserve-unknown-fields': true };
const PROPS = A('JSONSchemaProps');

const schemas: Record<string, SchemaNode> = {
  [A('CustomResourceDefinition')]: obj('CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.', {
    apiVersion: str(APIVERSION_DOC),
    kind: str(KIND_DOC),
    metadata: ref(META + 'ObjectMeta', "Standard object's metadata More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
    spec: ref(A('CustomResourceDefinitionSpec'), 'spec describes how the user wants the resources to appear'),
    status: ref(A('CustomResourceDefinitionStatus'), 'status indicates the actual state of the CustomResourceDefinition'),
  }, ['spec'], gvk(GROUP, 'v1', 'CustomResourceDefinition')),
  [A('CustomResourceDefinitionList')]: obj('CustomResourceDefinitionList is a list of CustomResourceDefinition objects.', {
    apiVersion: str(APIVERSION_DOC),
    items: arr(item(A('CustomResourceDefinition')), 'items list individual CustomResourceDefinition objects'),
    kind: str(KIND_DOC),
    metadata: ref(META + 'ListMeta', 'Standard object\'s metadata More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata'),
  }, ['items'], gvk(GROUP, 'v1', 'CustomResourceDefinitionList')),
  [A('CustomResourceDefinitionSpec')]: obj('CustomResourceDefinitionSpec describes how a user wants their resource to appear', {
    conversion: ref(A('CustomResourceConversion'), 'conversion defines conversion settings for the CRD.'),
    group: str('group is the API group of the defined custom resource. The custom resources are served under `/apis/<group>/...`. Must match the name of the CustomResourceDefinition (in the form `<names.plural>.<group>`).'),
    names: ref(A('CustomResourceDefinitionNames'), 'names specify the resource and kind names for the custom resource.'),
    preserveUnknownFields: bool('preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema should be preserved when persisting to storage. apiVersion, kind, metadata and known fields inside metadata are always preserved. This field is deprecated in favor of setting `x-preserve-unknown-fields` to true in `spec.versions[*].schema.openAPIV3Schema`.'),
    scope: str('scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values are `Cluster` and `Namespaced`.'),
    versions: arr(item(A('CustomResourceDefinitionVersion')), 'versions is the list of all API versions of the defined custom resource. Version names are used to compute the order in which served versions are listed in API discovery. Exactly one version must be the storage version.', { 'x-kubernetes-list-type': 'atomic' }),
  }, ['group', 'names', 'scope', 'versions']),
  [A('CustomResourceDefinitionNames')]: obj('CustomResourceDefinitionNames indicates the names to serve this CustomResourceDefinition', {
    categories: strArr('categories is a list of grouped resources this custom resource belongs to (e.g. \'all\'). This is published in API discovery documents, and used by clients to support invocations like `kubectl get all`.', { 'x-kubernetes-list-type': 'atomic' }),
    kind: str('kind is the serialized kind of the resource. It is normally CamelCase and singular. Custom resource instances will use this value as the `kind` attribute in API calls.'),
    listKind: str('listKind is the serialized kind of the list for this resource. Defaults to "`kind`List".'),
    plural: str('plural is the plural name of the resource to serve. The custom resources are served under `/apis/<group>/<version>/.../<plural>`. Must match the name of the CustomResourceDefinition (in the form `<names.plural>.<group>`). Must be all lowercase.'),
    shortNames: strArr('shortNames are short names for the resource, exposed in API discovery documents, and used by clients to support invocations like `kubectl get <shortname>`. It must be all lowercase.', { 'x-kubernetes-list-type': 'atomic' }),
    singular: str('singular is the singular name of the resource. It must be all lowercase. Defaults to lowercased `kind`.'),
  }, ['plural', 'kind']),
  [A('CustomResourceDefinitionVersion')]: obj('CustomResourceDefinitionVersion describes a version for CRD.', {
    additionalPrinterColumns: arr(item(A('CustomResourceColumnDefinition')), 'additionalPrinterColumns specifies additional columns returned in Table output. If no columns are specified, a single column displaying the age of the custom resource is used.', { 'x-kubernetes-list-type': 'atomic' }),
    deprecated: bool('deprecated indicates this version of the custom resource API is deprecated. When set to true, API requests to this version receive a warning header in the server response. Defaults to false.'),
    deprecationWarning: str('deprecationWarning overrides the default warning returned to API clients. May only be set when `deprecated` is true.'),
    name: str('name is the version name, e.g. “v1”, “v2beta1”, etc. The custom resources are served under this version at `/apis/<group>/<version>/...` if `served` is true.'),
    schema: ref(A('CustomResourceValidation'), 'schema describes the schema used for validation, pruning, and defaulting of this version of the custom resource.'),
    selectableFields: arr({ type: 'object', properties: { jsonPath: str('jsonPath is a simple JSON path which is evaluated against each custom resource to produce a field selector value.') }, required: ['jsonPath'] }, 'selectableFields specifies paths to fields that may be used as field selectors.', { 'x-kubernetes-list-type': 'atomic' }),
    served: bool('served is a flag enabling/disabling this version from being served via REST APIs'),
    storage: bool('storage indicates this version should be used when persisting custom resources to storage. There must be exactly one version with storage=true.'),
    subresources: ref(A('CustomResourceSubresources'), 'subresources specify what subresources this version of the defined custom resource have.'),
  }, ['name', 'served', 'storage']),
  [A('CustomResourceColumnDefinition')]: obj('CustomResourceColumnDefinition specifies a column for server side printing.', {
    description: str('description is a human readable description of this column.'),
    format: str('format is an optional OpenAPI type definition for this column. The \'name\' format is applied to the primary identifier column to assist in clients identifying column is the resource name.'),
    jsonPath: str('jsonPath is a simple JSON path (i.e. with array notation) which is evaluated against each custom resource to produce the value for this column.'),
    name: str('name is a human readable name for the column.'),
    priority: int32('priority is an integer defining the relative importance of this column compared to others. Lower numbers are considered higher priority. Columns that may be omitted in limited space scenarios should be given a priority greater than 0.'),
    type: str('type is an OpenAPI type definition for this column. See https://github.com/OAI/OpenAPI-Specification/blob/master/versions/2.0.md#data-types for details.'),
  }, ['name', 'type', 'jsonPath']),
  [A('CustomResourceValidation')]: obj('CustomResourceValidation is a list of validation methods for CustomResources.', {
    openAPIV3Schema: ref(PROPS, 'openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning.'),
  }),
  [A('CustomResourceSubresources')]: obj('CustomResourceSubresources defines the status and scale subresources for CustomResources.', {
    scale: ref(A('CustomResourceSubresourceScale'), 'scale indicates the custom resource should serve a `/scale` subresource that returns an `autoscaling/v1` Scale object.'),
    status: ref(A('CustomResourceSubresourceStatus'), 'status indicates the custom resource should serve a `/status` subresource. When enabled: 1. requests to the custom resource primary endpoint ignore changes to the `status` stanza of the object. 2. requests to the custom resource `/status` subresource ignore changes to anything other than the `status` stanza of the object.'),
  }),
  [A('CustomResourceSubresourceStatus')]: { description: 'CustomResourceSubresourceStatus defines how to serve the status subresource for CustomResources. Status is represented by the `.status` JSON path inside of a CustomResource. When set, * exposes a /status subresource for the custom resource * PUT requests to the /status subresource take a custom resource object, and ignore changes to anything except the status stanza * PUT/POST/PATCH requests to the custom resource ignore changes to the status stanza', type: 'object' },
  [A('CustomResourceSubresourceScale')]: obj('CustomResourceSubresourceScale defines how to serve the scale subresource for CustomResources.', {
    labelSelectorPath: str('labelSelectorPath defines the JSON path inside of a custom resource that corresponds to Scale `status.selector`. Only JSON paths without the array notation are allowed. Must be a JSON Path under `.status` or `.spec`.'),
    specReplicasPath: str('specReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `spec.replicas`. Only JSON paths without the array notation are allowed. Must be a JSON Path under `.spec`.'),
    statusReplicasPath: str('statusReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `status.replicas`. Only JSON paths without the array notation are allowed. Must be a JSON Path under `.status`.'),
  }, ['specReplicasPath', 'statusReplicasPath']),
  [A('CustomResourceConversion')]: obj('CustomResourceConversion describes how to convert different versions of a CR.', {
    strategy: str('strategy specifies how custom resources are converted between versions. Allowed values are: - `"None"`: The converter only change the apiVersion and would not touch any other field in the custom resource. - `"Webhook"`: API Server will call to an external webhook to do the conversion.'),
    webhook: { description: 'webhook describes how to call the conversion webhook. Required when `strategy` is set to `"Webhook"`.', type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  }, ['strategy']),
  [A('CustomResourceDefinitionStatus')]: obj('CustomResourceDefinitionStatus indicates the state of the CustomResourceDefinition', {
    acceptedNames: ref(A('CustomResourceDefinitionNames'), 'acceptedNames are the names that are actually being used to serve discovery. They may be different than the names in spec.'),
    conditions: arr(item(A('CustomResourceDefinitionCondition')), 'conditions indicate state for particular aspects of a CustomResourceDefinition', { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
    storedVersions: strArr('storedVersions lists all versions of CustomResources that were ever persisted. Tracking these versions allows a migration path for stored versions in etcd.', { 'x-kubernetes-list-type': 'atomic' }),
  }),
  [A('CustomResourceDefinitionCondition')]: obj('CustomResourceDefinitionCondition contains details for the current condition of this pod.', {
    lastTransitionTime: ref(META + 'Time', 'lastTransitionTime last time the condition transitioned from one status to another.'),
    message: str('message is a human-readable message indicating details about last transition.'),
    reason: str('reason is a unique, one-word, CamelCase reason for the condition\'s last transition.'),
    status: str('status is the status of the condition. Can be True, False, Unknown.'),
    type: str('type is the type of the condition. Types include Established, NamesAccepted and Terminating.'),
  }, ['type', 'status']),
  [A('ValidationRule')]: obj('ValidationRule describes a validation rule written in the CEL expression language.', {
    fieldPath: str('fieldPath represents the field path returned when the validation fails. It must be a relative JSON path (i.e. with array notation) scoped to the location of this x-kubernetes-validations extension in the schema and refer to an existing field.'),
    message: str('Message represents the message displayed when validation fails.'),
    messageExpression: str('MessageExpression declares a CEL expression that evaluates to the validation failure message that is returned when this rule fails.'),
    optionalOldSelf: bool('optionalOldSelf is used to opt a transition rule into evaluation even when the object is first created, or if the old object is missing the value.'),
    reason: str('reason provides a machine-readable validation failure reason that is returned to the caller when a request fails this validation rule.'),
    rule: str('Rule represents the expression which will be evaluated by CEL. The `self` variable in the CEL expression is bound to the scoped value. The `oldSelf` variable is bound to the old value on update (transition rules).'),
  }, ['rule']),
  [A('ExternalDocumentation')]: obj('ExternalDocumentation allows referencing an external resource for extended documentation.', { description: str(''), url: str('') }),
  // Recursive: every nested schema is a $ref back to JSONSchemaProps.
  [PROPS]: obj('JSONSchemaProps is a JSON-Schema following Specification Draft 4 (http://json-schema.org/).', {
    $ref: str(''),
    $schema: str(''),
    additionalItems: { description: 'JSONSchemaPropsOrBool represents JSONSchemaProps or a boolean value. Defaults to true for the boolean property.', 'x-kubernetes-preserve-unknown-fields': true },
    additionalProperties: { description: 'JSONSchemaPropsOrBool represents JSONSchemaProps or a boolean value. Defaults to true for the boolean property.', 'x-kubernetes-preserve-unknown-fields': true },
    allOf: arr(item(PROPS), '', { 'x-kubernetes-list-type': 'atomic' }),
    anyOf: arr(item(PROPS), '', { 'x-kubernetes-list-type': 'atomic' }),
    default: { ...JSON_ANY, description: 'default is a default value for undefined object fields. Defaulting is a beta feature under the CustomResourceDefaulting feature gate. Defaulting requires spec.preserveUnknownFields to be false.' },
    definitions: map(item(PROPS), ''),
    dependencies: map({ 'x-kubernetes-preserve-unknown-fields': true }, ''),
    description: str(''),
    enum: arr(JSON_ANY, '', { 'x-kubernetes-list-type': 'atomic' }),
    example: JSON_ANY,
    exclusiveMaximum: bool(''),
    exclusiveMinimum: bool(''),
    externalDocs: ref(A('ExternalDocumentation'), ''),
    format: str('format is an OpenAPI v3 format string. Unknown formats are ignored.'),
    id: str(''),
    items: { description: 'JSONSchemaPropsOrArray represents a value that can either be a JSONSchemaProps or an array of JSONSchemaProps. Mainly here for serialization purposes.', 'x-kubernetes-preserve-unknown-fields': true },
    maxItems: { type: 'integer', format: 'int64', description: '' },
    maxLength: { type: 'integer', format: 'int64', description: '' },
    maxProperties: { type: 'integer', format: 'int64', description: '' },
    maximum: { type: 'number', format: 'double', description: '' },
    minItems: { type: 'integer', format: 'int64', description: '' },
    minLength: { type: 'integer', format: 'int64', description: '' },
    minProperties: { type: 'integer', format: 'int64', description: '' },
    minimum: { type: 'number', format: 'double', description: '' },
    multipleOf: { type: 'number', format: 'double', description: '' },
    not: ref(PROPS, ''),
    nullable: bool(''),
    oneOf: arr(item(PROPS), '', { 'x-kubernetes-list-type': 'atomic' }),
    pattern: str(''),
    patternProperties: map(item(PROPS), ''),
    properties: map(item(PROPS), ''),
    required: strArr('', { 'x-kubernetes-list-type': 'atomic' }),
    title: str(''),
    type: str(''),
    uniqueItems: bool(''),
    'x-kubernetes-embedded-resource': bool('x-kubernetes-embedded-resource defines that the value is an embedded Kubernetes runtime.Object, with TypeMeta and ObjectMeta. The type must be object. It is allowed to further restrict the embedded object. kind, apiVersion and metadata are validated automatically. x-kubernetes-preserve-unknown-fields is allowed to be true, but does not have to be if the object is fully specified (up to kind, apiVersion, metadata).'),
    'x-kubernetes-int-or-string': bool('x-kubernetes-int-or-string specifies that this value is either an integer or a string. If this is true, an empty type is allowed and type as child of anyOf is permitted if following one of the following patterns: 1) anyOf: - type: integer - type: string 2) allOf: - anyOf: - type: integer - type: string - ... zero or more'),
    'x-kubernetes-list-map-keys': strArr('x-kubernetes-list-map-keys annotates an array with the x-kubernetes-list-type `map` by specifying the keys used as the index of the map.', { 'x-kubernetes-list-type': 'atomic' }),
    'x-kubernetes-list-type': str('x-kubernetes-list-type annotates an array to further describe its topology. This extension must only be used on lists and may have 3 possible values: `atomic`, `set` and `map`.'),
    'x-kubernetes-map-type': str('x-kubernetes-map-type annotates an object to further describe its topology. This extension must only be used when type is object and may have 2 possible values: `granular` and `atomic`.'),
    'x-kubernetes-preserve-unknown-fields': bool('x-kubernetes-preserve-unknown-fields stops the API server decoding step from pruning fields which are not specified in the validation schema. This affects fields recursively, but switches back to normal pruning behaviour if nested properties or additionalProperties are specified in the schema. This can either be true or undefined. False is forbidden.'),
    'x-kubernetes-validations': arr(item(A('ValidationRule')), 'x-kubernetes-validations describes a list of validation rules written in the CEL expression language.', { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['rule'], 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'rule' }),
  }),
};

const dns1035Label = (v: string): string[] =>
  /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(v) && v.length <= 63
    ? []
    : ["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"];

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'name', 'password'];

function spec(o: KubeObject): CustomResourceDefinitionSpec {
  return (isRecord(o.spec) ? o.spec : {}) as unknown as CustomResourceDefinitionSpec;
}

/** SetDefaults_CustomResourceDefinitionSpec. */
function defaults(o: KubeObject): void {
  const s = spec(o);
  if (isRecord(s.names)) {
    if (!s.names.singular && typeof s.names.kind === 'string') s.names.singular = s.names.kind.toLowerCase();
    if (!s.names.listKind && typeof s.names.kind === 'string' && s.names.kind) s.names.listKind = `${s.names.kind}List`;
  }
  if (!s.conversion) s.conversion = { strategy: 'None' };
}

function validateNames(s: CustomResourceDefinitionSpec, out: StatusCause[]): void {
  const n = s.names;
  if (!isRecord(n)) return;
  const p = 'spec.names';
  if (!n.plural) out.push(causes.required(`${p}.plural`));
  else for (const m of dns1035Label(n.plural)) out.push(causes.invalid(`${p}.plural`, n.plural, m));
  if (n.singular) for (const m of dns1035Label(n.singular)) out.push(causes.invalid(`${p}.singular`, n.singular, m));
  if (!n.kind) out.push(causes.required(`${p}.kind`));
  else for (const m of dns1035Label(n.kind.toLowerCase())) out.push(causes.invalid(`${p}.kind`, n.kind, m));
  if (n.listKind) for (const m of dns1035Label(n.listKind.toLowerCase())) out.push(causes.invalid(`${p}.listKind`, n.listKind, m));
  if (n.kind && n.kind === n.listKind) out.push(causes.invalid(`${p}.listKind`, n.listKind, 'kind and listKind may not be the same'));
  (n.shortNames ?? []).forEach((sn, i) => {
    for (const m of dns1035Label(sn)) out.push(causes.invalid(`${p}.shortNames[${i}]`, sn, m));
  });
  (n.categories ?? []).forEach((c, i) => {
    for (const m of dns1035Label(c)) out.push(causes.invalid(`${p}.categories[${i}]`, c, m));
  });
}

const underSpecOrStatus = (path: string, roots: string[]): boolean => roots.some((r) => path.startsWith(`${r}.`)) && !/[[\]]/.test(path);

function validateVersion(v: CustomResourceDefinitionVersion, i: number, out: StatusCause[]): void {
  const p = `spec.versions[${i}]`;
  if (!v.name) out.push(causes.required(`${p}.name`));
  else for (const m of dns1035Label(v.name)) out.push(causes.invalid(`${p}.name`, v.name, m));
  const schema = v.schema?.openAPIV3Schema;
  if (!schema) out.push(causes.required(`${p}.schema.openAPIV3Schema`, 'Required value: schemas are required'));
  else out.push(...validateStructuralSchema(schema, `${p}.schema.openAPIV3Schema`));
  const scale = v.subresources?.scale;
  if (scale) {
    const sp = `${p}.subresources.scale`;
    if (!underSpecOrStatus(scale.specReplicasPath ?? '', ['.spec'])) out.push(causes.invalid(`${sp}.specReplicasPath`, scale.specReplicasPath ?? '', 'should be a json path under .spec'));
    if (!underSpecOrStatus(scale.statusReplicasPath ?? '', ['.status'])) out.push(causes.invalid(`${sp}.statusReplicasPath`, scale.statusReplicasPath ?? '', 'should be a json path under .status'));
    if (scale.labelSelectorPath !== undefined && !underSpecOrStatus(scale.labelSelectorPath, ['.spec', '.status'])) {
      out.push(causes.invalid(`${sp}.labelSelectorPath`, scale.labelSelectorPath, 'should be a json path under either .spec or .status'));
    }
  }
  (v.additionalPrinterColumns ?? []).forEach((c, j) => {
    const cp = `${p}.additionalPrinterColumns[${j}]`;
    if (!c.name) out.push(causes.required(`${cp}.name`));
    if (!COLUMN_TYPES.includes(c.type)) out.push(causes.notSupported(`${cp}.type`, c.type ?? '', COLUMN_TYPES));
    if (c.format && !COLUMN_FORMATS.includes(c.format)) out.push(causes.notSupported(`${cp}.format`, c.format, COLUMN_FORMATS));
    if (c.priority !== undefined && c.priority < 0) out.push(causes.invalid(`${cp}.priority`, c.priority, 'must be greater than or equal to 0'));
    if (!c.jsonPath) out.push(causes.required(`${cp}.jsonPath`));
    else {
      try {
        parseJsonPath(c.jsonPath);
      } catch (e) {
        if (!(e instanceof JsonPathError)) throw e;
        out.push(causes.invalid(`${cp}.jsonPath`, c.jsonPath, `must be a simple json path: ${e.message}`));
      }
    }
  });
}

/** ValidateCustomResourceDefinition (and its update rules when `old` is given). */
function validate(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const s = spec(o);
  if (!s.group) out.push(causes.required('spec.group'));
  else {
    for (const m of isDNS1123Subdomain(s.group)) out.push(causes.invalid('spec.group', s.group, m));
    if (s.group.split('.').length < 2) out.push(causes.invalid('spec.group', s.group, 'should be a domain with at least one dot'));
  }
  if (isRecord(s.names) && s.names.plural && s.group && o.metadata.name !== `${s.names.plural}.${s.group}`) {
    out.push(causes.invalid('metadata.name', o.metadata.name ?? '', 'must be spec.names.plural+"."+spec.group'));
  }
  validateNames(s, out);
  if (s.scope !== 'Namespaced' && s.scope !== 'Cluster') out.push(causes.notSupported('spec.scope', s.scope ?? '', ['Cluster', 'Namespaced']));
  const versions = Array.isArray(s.versions) ? s.versions : [];
  if (versions.length === 0) out.push(causes.required('spec.versions', 'Required value: must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v.storage).length !== 1) {
    out.push(causes.invalid('spec.versions', versions.map((v) => v.name), 'must have exactly one version marked as storage version'));
  }
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (seen.has(v.name)) out.push(causes.duplicate(`spec.versions[${i}].name`, v.name));
    seen.add(v.name);
    validateVersion(v, i, out);
  });
  if (!versions.some((v) => v.served) && versions.length > 0) out.push(causes.invalid('spec.versions', versions.map((v) => v.name), 'must have at least one served version'));
  const strategy = s.conversion?.strategy;
  if (strategy !== undefined && strategy !== 'None' && strategy !== 'Webhook') out.push(causes.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  if (strategy === 'Webhook') out.push(causes.forbidden('spec.conversion.strategy', 'conversion webhooks are not supported by this server; use None'));
  if (s.preserveUnknownFields === true) out.push(causes.invalid('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'));
  if (old) {
    const os = spec(old);
    if (os.scope && s.scope !== os.scope) out.push(causes.invalid('spec.scope', s.scope, IMMUTABLE_MSG));
    const stored = (isRecord(old.status) ? (old.status.storedVersions as string[] | undefined) : undefined) ?? [];
    for (const sv of stored) {
      if (!versions.some((v) => v.name === sv)) out.push(causes.invalid('status.storedVersions[0]', sv, 'must appear in spec.versions'));
    }
  }
  return out;
}

function storage(o: KubeObject): string | undefined {
  return (spec(o).versions ?? []).find((v) => v.storage)?.name;
}

export const customResourceDefinitions: KindStrategy = {
  info: resourceInfo({
    group: GROUP,
    version: 'v1',
    resource: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: [statusSubresource({ group: GROUP, version: 'v1', kind: 'CustomResourceDefinition' })],
    schemaRef: A('CustomResourceDefinition'),
  }),
  schemas,
  defaults,
  generation: true,
  prepareForCreate: (o) => {
    const sv = storage(o);
    o.status = { storedVersions: sv ? [sv] : [] };
  },
  prepareForUpdate: (o, old, subresource) => {
    if (subresource === 'status') return;
    // A new storage version is recorded: objects may be stored in it from now on.
    const status = isRecord(o.status) ? o.status : (o.status = {});
    const stored = Array.isArray(status.storedVersions) ? (status.storedVersions as string[]) : [];
    const sv = storage(o);
    if (sv && !stored.includes(sv)) status.storedVersions = [...stored, sv];
    void old;
  },
  validate,
  printer: {
    columns: [NAME_COLUMN, { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 }],
    print: (o) => ({ cells: [o.metadata.name ?? '', o.metadata.creationTimestamp ?? '<unknown>'] }),
  },
};

export type { CustomResourceDefinition };
