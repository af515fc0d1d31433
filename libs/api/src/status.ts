// Kubernetes `Status` errors. Every failure that reaches the wire is an ApiError.

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'RequestEntityTooLarge'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'Timeout'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable';

export interface StatusCause {
  reason?: string; // FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueDuplicate, FieldValueTooLong, FieldValueTypeInvalid, FieldValueForbidden
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): Status {
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) s.details = this.details;
    return s;
  }

  /** Builds an ApiError back from a Status body (used by clients). */
  static fromStatus(s: Partial<Status>, fallbackCode: number): ApiError {
    return new ApiError(s.code ?? fallbackCode, (s.reason ?? 'InternalError') as StatusReason, s.message ?? 'unknown error', s.details);
  }
}

/** `qualifiedResource` is `pods` or `deployments.apps`, as Kubernetes prints it. */
export const errors = {
  badRequest: (message: string) => new ApiError(400, 'BadRequest', message),
  unauthorized: (message = 'Unauthorized') => new ApiError(401, 'Unauthorized', message),
  forbidden: (message: string, qualifiedResource?: string, name?: string) =>
    new ApiError(403, 'Forbidden', message, qualifiedResource ? detailsFor(qualifiedResource, name) : undefined),
  notFound: (qualifiedResource: string, name: string) =>
    new ApiError(404, 'NotFound', `${qualifiedResource} "${name}" not found`, detailsFor(qualifiedResource, name)),
  notFoundPath: (message = 'the server could not find the requested resource') => new ApiError(404, 'NotFound', message, {}),
  alreadyExists: (qualifiedResource: string, name: string) =>
    new ApiError(409, 'AlreadyExists', `${qualifiedResource} "${name}" already exists`, detailsFor(qualifiedResource, name)),
  conflict: (qualifiedResource: string, name: string, why: string) =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource} "${name}": ${why}`, detailsFor(qualifiedResource, name)),
  gone: (message: string) => new ApiError(410, 'Expired', message),
  invalid: (kind: string, name: string, causes: StatusCause[], group = '') =>
    new ApiError(
      422,
      'Invalid',
      `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${causes.map((c) => `${c.field ? c.field + ': ' : ''}${c.message ?? ''}`).join(', ')}`,
      { name, group: group || undefined, kind, causes },
    ),
  tooLarge: (message = 'Request entity too large: limit is 3145728') => new ApiError(413, 'RequestEntityTooLarge', message),
  methodNotAllowed: (message: string) => new ApiError(405, 'MethodNotAllowed', message),
  notAcceptable: (message: string) => new ApiError(406, 'NotAcceptable', message),
  unsupportedMediaType: (contentType: string) =>
    new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got ${contentType})`),
  internal: (message: string) => new ApiError(500, 'InternalError', `Internal error occurred: ${message}`),
  unavailable: (message: string) => new ApiError(503, 'ServiceUnavailable', message),
  /** 504, as kube-apiserver answers a read the watch cache could not catch up with in time. */
  timeout: (message: string, retryAfterSeconds = 1) => new ApiError(504, 'Timeout', message, { retryAfterSeconds }),
};

function detailsFor(qualifiedResource: string, name?: string): StatusDetails {
  const dot = qualifiedResource.indexOf('.');
  const kind = dot < 0 ? qualifiedResource : qualifiedResource.slice(0, dot);
  const group = dot < 0 ? undefined : qualifiedResource.slice(dot + 1);
  const d: StatusDetails = { kind };
  if (name !== undefined) d.name = name;
  if (group) d.group = group;
  return d;
}

/** Field-error helpers producing Kubernetes cause reasons. */
export const causes = {
  required: (field: string, message = 'Required value'): StatusCause => ({ reason: 'FieldValueRequired', message, field }),
  invalid: (field: string, value: unknown, detail: string): StatusCause => ({
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
    field,
  }),
  notSupported: (field: string, value: unknown, allowed: string[]): StatusCause => ({
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`,
    field,
  }),
  typeInvalid: (field: string, value: unknown, detail: string): StatusCause => ({
    reason: 'FieldValueTypeInvalid',
    message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
    field,
  }),
  unknownField: (field: string): StatusCause => ({ reason: 'FieldValueInvalid', message: `unknown field "${field}"`, field }),
  forbidden: (field: string, detail: string): StatusCause => ({ reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field }),
  duplicate: (field: string, value: unknown): StatusCause => ({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(value)}`, field }),
};
