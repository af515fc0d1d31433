import type { UserInfo } from '../http/auth';
import type { BodyFields } from './strict-decoding';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** What a handler knows about the request beyond its body. */
export interface RequestContext {
  user: UserInfo;
  dryRun: boolean;
  fieldValidation: FieldValidation;
  fieldManager?: string;
  /** W3C traceparent of the request span, stored on written objects. */
  traceparent?: string;
  /** Set on client create/update/patch: who makes the write, for metadata.managedFields (see field-tracking.ts). */
  fieldTracking?: FieldTracking;
  /** Warnings to send back in `Warning:` headers. */
  warnings: string[];
  /** Duplicate fields and field order of a create/update body (strict-decoding.ts); unset for patches. */
  bodyFields?: BodyFields;
}

export interface FieldTracking {
  manager: string;
  subresource?: string;
  /** Server-side apply (`application/apply-patch+yaml`) and its `force`. */
  apply?: { force: boolean };
}
