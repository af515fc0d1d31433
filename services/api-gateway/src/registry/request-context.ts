import type { UserInfo } from '../http/auth';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** What a handler knows about the request beyond its body. */
export interface RequestContext {
  user: UserInfo;
  dryRun: boolean;
  fieldValidation: FieldValidation;
  fieldManager?: string;
  /** W3C traceparent of the request span, stored on written objects. */
  traceparent?: string;
  /** Warnings to send back in `Warning:` headers. */
  warnings: string[];
}
