// The shapes of the objects the cronjob-controller reads and writes (batch/v1 CronJob and Job),
// only the fields it uses. Objects arrive validated and defaulted by the gateway.
import type { GroupVersionKind, KubeObject, ObjectMeta } from '@keelson/api';
import type { ResourceRef } from '@keelson/client';

export const CRONJOBS: ResourceRef = { group: 'batch', version: 'v1', resource: 'cronjobs' };
export const JOBS: ResourceRef = { group: 'batch', version: 'v1', resource: 'jobs' };
export const CRONJOB_KIND: GroupVersionKind = { apiVersion: 'batch/v1', kind: 'CronJob' };
/** The scheduled time a Job was created for (RFC 3339, in the CronJob's time zone). */
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export type ObjectReference = {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
};

export type CronJobSpec = {
  schedule?: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  suspend?: boolean;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  jobTemplate?: { metadata?: Pick<ObjectMeta, 'labels' | 'annotations'>; spec?: Record<string, unknown> };
};

export type CronJobStatus = {
  active?: ObjectReference[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
};

export interface CronJob extends KubeObject {
  spec?: CronJobSpec;
  status?: CronJobStatus;
}

export type JobStatus = {
  conditions?: { type: string; status: string; lastTransitionTime?: string }[];
  startTime?: string;
  completionTime?: string;
};

export interface Job extends KubeObject {
  status?: JobStatus;
}
