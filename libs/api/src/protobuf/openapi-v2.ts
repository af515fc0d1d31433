// gnostic's `openapi.v2.Document` (google/gnostic-models openapiv2/OpenAPIv2.proto), the
// protobuf form of /openapi/v2 that client-go's discovery requests and unmarshals. Maps are
// repeated Named* pairs in document order; vendor extensions and free-form values (default,
// enum, example) are `Any` messages carrying their YAML text (JSON is YAML), as gnostic
// itself fills them when it reads a JSON document.
import type { OpenApiV2Document, V2Operation, V2Parameter, V2PathItem, V2Schema } from '../openapi-v2';
import { Writer } from './writer';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

/** `Any { yaml = 2 }`. */
const anyValue = (w: Writer, v: unknown): void => void w.string(2, JSON.stringify(v));

/** `repeated NamedAny vendor_extension` from every `x-` key. */
function vendorExtensions(w: Writer, field: number, o: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(o)) {
    if (!k.startsWith('x-') || v === undefined) continue;
    w.message(field, (n) => n.string(1, k).message(2, (a) => anyValue(a, v)));
  }
}

// Schema: _ref 1, format 2, title 3, description 4, default 5, multiple_of 6, maximum 7,
// exclusive_maximum 8, minimum 9, exclusive_minimum 10, max_length 11, min_length 12,
// pattern 13, max_items 14, min_items 15, unique_items 16, max_properties 17,
// min_properties 18, required 19, enum 20, additional_properties 21, type 22, items 23,
// all_of 24, properties 25, discriminator 26, read_only 27, example 30, vendor_extension 31.
export function writeSchema(w: Writer, s: V2Schema): void {
  w.string(1, str(s.$ref)).string(2, str(s.format)).string(3, str(s.title)).string(4, str(s.description));
  if (s.default !== undefined) w.message(5, (a) => anyValue(a, s.default));
  w.double(6, num(s.multipleOf)).double(7, num(s.maximum)).bool(8, bool(s.exclusiveMaximum))
    .double(9, num(s.minimum)).bool(10, bool(s.exclusiveMinimum))
    .int64(11, num(s.maxLength)).int64(12, num(s.minLength)).string(13, str(s.pattern))
    .int64(14, num(s.maxItems)).int64(15, num(s.minItems)).bool(16, bool(s.uniqueItems))
    .int64(17, num(s.maxProperties)).int64(18, num(s.minProperties));
  if (Array.isArray(s.required)) w.strings(19, s.required.filter((r): r is string => typeof r === 'string'));
  if (Array.isArray(s.enum)) for (const e of s.enum) w.message(20, (a) => anyValue(a, e));
  const ap = s.additionalProperties;
  if (typeof ap === 'boolean') w.message(21, (i) => i.bool(2, ap));
  else if (isObject(ap)) w.message(21, (i) => i.message(1, (x) => writeSchema(x, ap)));
  if (typeof s.type === 'string') w.message(22, (t) => t.strings(1, [s.type as string]));
  const items = s.items;
  if (isObject(items)) w.message(23, (i) => i.message(1, (x) => writeSchema(x, items)));
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) if (isObject(sub)) w.message(24, (x) => writeSchema(x, sub));
  const props = s.properties;
  if (isObject(props)) {
    w.message(25, (p) => {
      for (const [name, sub] of Object.entries(props)) if (isObject(sub)) p.message(1, (n) => n.string(1, name).message(2, (x) => writeSchema(x, sub)));
    });
  }
  w.string(26, str(s.discriminator)).bool(27, bool(s.readOnly));
  if (s.example !== undefined) w.message(30, (a) => anyValue(a, s.example));
  vendorExtensions(w, 31, s);
}

// ParametersItem { parameter = 1 } → Parameter { body_parameter = 1 | non_body_parameter = 2 };
// NonBodyParameter { query_parameter_sub_schema = 3 | path_parameter_sub_schema = 4 }.
function writeParameter(w: Writer, p: V2Parameter): void {
  w.message(1, (param) => {
    if (p.in === 'body') {
      // BodyParameter: description 1, name 2, in 3, required 4, schema 5.
      param.message(1, (b) => {
        b.string(1, p.description).string(2, p.name).string(3, p.in).bool(4, p.required);
        if (p.schema) b.message(5, (x) => writeSchema(x, p.schema!));
      });
      return;
    }
    param.message(2, (nb) => {
      if (p.in === 'query') {
        // QueryParameterSubSchema: required 1, in 2, description 3, name 4, type 6, unique_items 20.
        nb.message(3, (q) => q.bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name).string(6, p.type).bool(20, p.uniqueItems));
      } else {
        // PathParameterSubSchema: required 1, in 2, description 3, name 4, type 5, unique_items 19.
        nb.message(4, (q) => q.bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name).string(5, p.type).bool(19, p.uniqueItems));
      }
    });
  });
}

// Operation: tags 1, description 3, operation_id 5, produces 6, consumes 7, parameters 8,
// responses 9 (Responses { response_code = 1: NamedResponseValue { name, ResponseValue {
// response = 1: Response { description 1, schema 2: SchemaItem { schema = 1 } } } } }),
// schemes 10, vendor_extension 13.
function writeOperation(w: Writer, op: V2Operation): void {
  w.strings(1, op.tags).string(3, op.description).string(5, op.operationId).strings(6, op.produces).strings(7, op.consumes);
  for (const p of op.parameters ?? []) w.message(8, (item) => writeParameter(item, p));
  w.message(9, (rs) => {
    for (const [code, r] of Object.entries(op.responses)) {
      rs.message(1, (named) =>
        named.string(1, code).message(2, (value) =>
          value.message(1, (resp) => {
            resp.string(1, r.description);
            if (r.schema) resp.message(2, (si) => si.message(1, (x) => writeSchema(x, r.schema!)));
          }),
        ),
      );
    }
  });
  w.strings(10, op.schemes);
  vendorExtensions(w, 13, op as unknown as Record<string, unknown>);
}

// PathItem: get 2, put 3, post 4, delete 5, options 6, head 7, patch 8, parameters 9.
const METHOD_FIELDS = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 } as const;

function writePathItem(w: Writer, item: V2PathItem): void {
  for (const [m, field] of Object.entries(METHOD_FIELDS) as [keyof typeof METHOD_FIELDS, number][]) {
    const op = item[m];
    if (op) w.message(field, (o) => writeOperation(o, op));
  }
  for (const p of item.parameters ?? []) w.message(9, (pi) => writeParameter(pi, p));
}

// Document: swagger 1, info 2 (title 1, version 2), paths 8 (Paths { path = 2: NamedPathItem }),
// definitions 9 (Definitions { additional_properties = 1: NamedSchema }), security 12
// (SecurityRequirement { additional_properties = 1: NamedStringArray { name, StringArray { value } } }),
// security_definitions 13 (NamedSecurityDefinitionsItem → SecurityDefinitionsItem {
// api_key_security = 2: ApiKeySecurity { type 1, name 2, in 3, description 4 } }).
export function encodeOpenApiV2Document(doc: OpenApiV2Document): Buffer {
  const w = new Writer();
  w.string(1, doc.swagger);
  w.message(2, (i) => i.string(1, doc.info.title).string(2, doc.info.version));
  w.message(8, (ps) => {
    for (const [path, item] of Object.entries(doc.paths)) ps.message(2, (n) => n.string(1, path).message(2, (x) => writePathItem(x, item)));
  });
  w.message(9, (ds) => {
    for (const [name, schema] of Object.entries(doc.definitions)) ds.message(1, (n) => n.string(1, name).message(2, (x) => writeSchema(x, schema)));
  });
  for (const req of doc.security) {
    w.message(12, (sr) => {
      for (const [name, scopes] of Object.entries(req)) sr.message(1, (n) => n.string(1, name).message(2, (a) => a.strings(1, scopes)));
    });
  }
  w.message(13, (sd) => {
    for (const [name, def] of Object.entries(doc.securityDefinitions)) {
      sd.message(1, (n) => n.string(1, name).message(2, (item) => item.message(2, (k) => k.string(1, def.type).string(2, def.name).string(3, def.in).string(4, def.description))));
    }
  });
  return w.finish();
}
