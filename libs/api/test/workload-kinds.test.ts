// The batch, apps and policy strategies through the generic steps the gateway runs
// (applyDefaults → prepareForCreate|prepareForUpdate → validateObject), the cron schedule
// module, the disruption-budget arithmetic and the printers.
import { applyDefaults, prepareForCreate, prepareForUpdate } from '../src/defaults';
import { BUILTIN_RESOURCES, type ResourceInfo } from '../src/registry';
import { resolveSchema } from '../src/schema';
import type { KubeObject } from '../src/types';
import { validateObject } from '../src/validation/objects';
import { toTable } from '../src/table';
import { isValidTimeZone, nextScheduleTime, parseSchedule, scheduleError } from '../src/cron/schedule';
import { assessBudget, statusAfterEviction } from '../src/kinds/policy/disruption-budget';
import { decodeKubernetesProtobuf } from '../src/protobuf';
import { Writer } from '../src/protobuf/writer';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only access
const info = (group: string, resource: string): ResourceInfo => BUILTIN_RESOURCES.find((r) => r.group === group && r.resource === resource) as ResourceInfo;
const JOBS = info('batch', 'jobs');
const CRONJOBS = info('batch', 'cronjobs');
const STS = info('apps', 'statefulsets');
const DS = info('apps', 'daemonsets');
const PDB = info('policy', 'poddisruptionbudgets');

/** What the gateway does on create: defaults, PrepareForCreate (uid already set), validation. */
function create(obj: KubeObject, ri: ResourceInfo): { obj: J; causes: J[] } {
  obj.metadata.uid ??= '6f1c2a3e-0000-4000-8000-000000000001';
  const prepared = prepareForCreate(applyDefaults(obj, ri), ri);
  return { obj: prepared as J, causes: validateObject(prepared, ri, { resolve: resolveSchema, unknownFields: 'Strict' }).causes as J[] };
}
function update(next: KubeObject, old: KubeObject, ri: ResourceInfo): { obj: J; causes: J[] } {
  const prepared = prepareForUpdate(applyDefaults(next, ri), old, ri);
  return { obj: prepared as J, causes: validateObject(prepared, ri, { resolve: resolveSchema, unknownFields: 'Strict', old }).causes as J[] };
}
const messages = (causes: J[]): string[] => causes.map((c) => `${c.field}: ${c.message}`);

const podTemplate = (restartPolicy?: string): J => ({ spec: { containers: [{ name: 'c', image: 'busybox' }], ...(restartPolicy ? { restartPolicy } : {}) } });
const job = (spec: J = {}): KubeObject => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default' }, spec: { template: podTemplate('Never'), ...spec } });

describe('Job', () => {
  it('defaults as SetDefaults_Job and generates the selector and template labels', () => {
    const { obj, causes } = create(job(), JOBS);
    expect(causes).toEqual([]);
    const uid = obj.metadata.uid;
    expect(obj.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed' });
    expect(obj.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    expect(obj.spec.template.metadata.labels).toEqual({ 'controller-uid': uid, 'job-name': 'pi', 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'pi' });
    expect(obj.metadata.labels).toEqual(obj.spec.template.metadata.labels);
    expect(obj.metadata.generation).toBe(1);
    expect(obj.status).toEqual({});
  });

  it('defaults parallelism alone when completions is set, and backoffLimit to MaxInt32 with backoffLimitPerIndex', () => {
    const { obj } = create(job({ completions: 5, completionMode: 'Indexed', backoffLimitPerIndex: 1 }), JOBS);
    expect(obj.spec).toMatchObject({ completions: 5, parallelism: 1, backoffLimit: 2147483647 });
  });

  it('keeps a user template label that conflicts and then refuses it', () => {
    const j = job();
    (j.spec as J).template.metadata = { labels: { 'job-name': 'other' } };
    expect(messages(create(j, JOBS).causes)).toContain("spec.template.metadata.labels[job-name]: Invalid value: \"other\": must be 'pi'");
  });

  it('requires restartPolicy OnFailure or Never', () => {
    const j = job();
    (j.spec as J).template = podTemplate();
    expect(messages(create(j, JOBS).causes)).toEqual(['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
    (j.spec as J).template = podTemplate('Sometimes');
    expect(messages(create(j, JOBS).causes)).toContain('spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"');
  });

  it('validates podFailurePolicy rules as ValidateJob does', () => {
    const rules = [
      { action: 'FailJob', onExitCodes: { operator: 'In', values: [3, 0, 1] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
      { action: 'Count' },
    ];
    const { obj, causes } = create(job({ podFailurePolicy: { rules } }), JOBS);
    expect(obj.spec.podFailurePolicy.rules[1].onPodConditions[0].status).toBe('True');
    expect(obj.spec.podReplacementPolicy).toBe('Failed');
    expect(messages(causes)).toEqual([
      'spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Invalid value: 0: must not be 0 for the In operator',
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{3, 0, 1}: must be ordered',
      'spec.podFailurePolicy.rules[2]: Invalid value: "null": specifying one of OnExitCodes and OnPodConditions is required',
    ]);
  });

  it('makes the template immutable, except scheduling directives of a suspended job that never started', () => {
    const old = create(job(), JOBS).obj as KubeObject;
    old.metadata.resourceVersion = '5';
    const changed = structuredClone(old) as J;
    changed.spec.template.spec.containers[0].image = 'busybox:2';
    expect(messages(update(changed as KubeObject, old, JOBS).causes)).toContain('spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable');

    const suspended = create(job({ suspend: true }), JOBS).obj as KubeObject;
    const moved = structuredClone(suspended) as J;
    moved.spec.template.spec.nodeSelector = { zone: 'a' };
    expect(update(moved as KubeObject, suspended, JOBS).causes).toEqual([]);
  });

  it('lets Indexed completions change only together with parallelism', () => {
    const old = create(job({ completionMode: 'Indexed', completions: 3, parallelism: 3 }), JOBS).obj as KubeObject;
    const next = structuredClone(old) as J;
    next.spec.completions = 4;
    expect(messages(update(next as KubeObject, old, JOBS).causes)).toEqual(['spec.completions: Invalid value: 4: can only be modified in tandem with spec.parallelism']);
    next.spec.parallelism = 4;
    const ok = update(next as KubeObject, old, JOBS);
    expect(ok.causes).toEqual([]);
    expect(ok.obj.metadata.generation).toBe(2);
  });

  it('takes status only through /status, never negative', () => {
    const old = create(job(), JOBS).obj as KubeObject;
    const next = structuredClone(old) as J;
    next.status = { active: -1 };
    expect(update(next as KubeObject, old, JOBS).obj.status).toEqual({});
    const viaStatus = prepareForUpdate(next as KubeObject, old, JOBS, 'status');
    expect(messages(validateObject(viaStatus, JOBS, { resolve: resolveSchema, unknownFields: 'Strict', old }).causes as J[])).toEqual(['status.active: Invalid value: -1: must be greater than or equal to 0']);
  });

  it('prints STATUS, COMPLETIONS and DURATION as printJob', () => {
    const { obj } = create(job(), JOBS);
    obj.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    obj.status = { succeeded: 1, startTime: '2026-01-01T00:00:00Z', completionTime: '2026-01-01T00:00:42Z', conditions: [{ type: 'Complete', status: 'True' }] };
    const t = toTable(JOBS, [obj as KubeObject], { now: new Date('2026-01-01T00:05:00Z') });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector']);
    expect(t.rows[0].cells.slice(0, 5)).toEqual(['pi', 'Complete', '1/1', '42s', '5m']);
  });
});

const cronJob = (spec: J = {}): KubeObject => ({
  apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'hello', namespace: 'default' },
  spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: podTemplate('OnFailure') } }, ...spec },
});

describe('CronJob', () => {
  it('defaults as SetDefaults_CronJob, and only the pod template inside the job template', () => {
    const { obj, causes } = create(cronJob(), CRONJOBS);
    expect(causes).toEqual([]);
    expect(obj.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(obj.spec.jobTemplate.spec.backoffLimit).toBeUndefined();
    expect(obj.spec.jobTemplate.spec.template.spec.dnsPolicy).toBe('ClusterFirst');
  });

  it.each([
    ['61 * * * *', 'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'],
    ['0 0 0 * *', 'spec.schedule: Invalid value: "0 0 0 * *": beginning of range (0) below minimum (1): 0'],
    ['* * * *', 'spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]'],
    ['@reboot', 'spec.schedule: Invalid value: "@reboot": unrecognized descriptor: @reboot'],
    ['TZ=UTC * * * * *', 'spec.schedule: Invalid value: "TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
  ])('refuses the schedule %j', (schedule, expected) => {
    expect(messages(create(cronJob({ schedule }), CRONJOBS).causes).join('\n')).toContain(expected);
  });

  it('keeps a TZ= schedule it already had, unless a timeZone is added', () => {
    const old = create(cronJob(), CRONJOBS).obj as J;
    old.spec.schedule = 'TZ=UTC 0 * * * *';
    const next = structuredClone(old);
    next.metadata.labels = { a: 'b' };
    expect(update(next as KubeObject, old as KubeObject, CRONJOBS).causes).toEqual([]);
    next.spec.timeZone = 'UTC';
    expect(messages(update(next as KubeObject, old as KubeObject, CRONJOBS).causes)).toEqual(['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use both timeZone field and TZ or CRON_TZ in schedule']);
  });

  it.each([
    ['Europe/Paris', []],
    ['', ['spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string']],
    ['Local', ['spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones']],
    ['Europe/Atlantis', ['spec.timeZone: Invalid value: "Europe/Atlantis": unknown time zone Europe/Atlantis']],
    ['../etc/passwd', ['spec.timeZone: Invalid value: "../etc/passwd": unknown time zone ../etc/passwd']],
  ])('validates the time zone %j', (timeZone, expected) => {
    expect(messages(create(cronJob({ timeZone }), CRONJOBS).causes)).toEqual(expected);
  });

  it('refuses a selector in the job template and names longer than 52 characters', () => {
    const cj = cronJob({ jobTemplate: { spec: { selector: { matchLabels: { a: 'b' } }, template: podTemplate('Never') } } });
    cj.metadata.name = 'x'.repeat(53);
    expect(messages(create(cj, CRONJOBS).causes)).toEqual([
      'spec.jobTemplate.spec.selector: Invalid value: &v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated',
      `metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`,
    ]);
  });
});

describe('cron schedule module', () => {
  it('parses robfig descriptors and @every, and computes the next run in a time zone', () => {
    expect(parseSchedule('@daily')).toEqual({ kind: 'cron', expression: '0 0 * * *' });
    expect(parseSchedule('@every 1h30m')).toEqual({ kind: 'every', intervalMs: 5_400_000 });
    expect(scheduleError('0 0 L * *')).toMatch(/failed to parse int from L/);
    expect(scheduleError('0 9 * * MON-FRI')).toBeUndefined();
    expect(nextScheduleTime('0 3 * * *', new Date('2026-06-01T00:00:00Z'), 'Europe/Paris').toISOString()).toBe('2026-06-01T01:00:00.000Z');
    expect(nextScheduleTime('@every 90s', new Date('2026-06-01T00:00:00Z')).toISOString()).toBe('2026-06-01T00:01:30.000Z');
  });

  it('accepts IANA names and links, case-sensitively', () => {
    expect(['UTC', 'Europe/Paris', 'US/Eastern', 'Etc/GMT+5'].every(isValidTimeZone)).toBe(true);
    expect(['europe/paris', 'Local', 'Mars/Olympus', ''].some(isValidTimeZone)).toBe(false);
  });
});

const statefulSet = (spec: J = {}): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default' },
  spec: {
    serviceName: 'nginx', selector: { matchLabels: { app: 'nginx' } },
    template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', volumeMounts: [{ name: 'www', mountPath: '/www' }] }] } },
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    ...spec,
  },
});

describe('StatefulSet', () => {
  it('defaults as SetDefaults_StatefulSet and lets the claim templates back the volume mounts', () => {
    const { obj, causes } = create(statefulSet(), STS);
    expect(causes).toEqual([]);
    expect(obj.spec).toMatchObject({
      replicas: 1, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect(obj.spec.volumeClaimTemplates[0]).toMatchObject({ spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
  });

  it('validates the update strategy, claim templates, serviceName and name', () => {
    const s = statefulSet({
      podManagementPolicy: 'Random', updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { resources: { requests: {} } } }], serviceName: 'Not_A_Label',
    });
    s.metadata.name = 'web.v1';
    expect(messages(create(s, STS).causes)).toEqual([
      "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
      "spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{...}: only allowed for updateStrategy 'RollingUpdate'",
      'spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required',
      'spec.volumeClaimTemplates[0].spec.resources[storage]: Required value',
      expect.stringMatching(/^spec\.serviceName: Invalid value: "Not_A_Label": a lowercase RFC 1123 label/),
      'metadata.name: Invalid value: "web.v1": must not contain dots',
    ]);
  });

  it('forbids spec changes outside replicas, template, updateStrategy, ordinals, retention and minReadySeconds', () => {
    const old = create(statefulSet(), STS).obj as KubeObject;
    const next = structuredClone(old) as J;
    next.spec.replicas = 4;
    next.spec.template.spec.containers[0].image = 'nginx:2';
    expect(update(next as KubeObject, old, STS).causes).toEqual([]);
    next.spec.serviceName = 'other';
    expect(messages(update(next as KubeObject, old, STS).causes)).toEqual(["spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"]);
  });
});

const daemonSet = (spec: J = {}): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'kube-system' },
  spec: { selector: { matchLabels: { name: 'agent' } }, template: { metadata: { labels: { name: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent' }] } }, ...spec },
});

describe('DaemonSet', () => {
  it('defaults the rolling update and records the template generation', () => {
    const { obj, causes } = create(daemonSet(), DS);
    expect(causes).toEqual([]);
    expect(obj.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(obj.metadata.annotations).toEqual({ 'deprecated.daemonset.template.generation': '1' });
    const next = structuredClone(obj);
    next.spec.template.spec.containers[0].image = 'agent:2';
    next.metadata.annotations['deprecated.daemonset.template.generation'] = '9';
    const updated = update(next as KubeObject, obj as KubeObject, DS).obj;
    expect(updated.metadata.annotations['deprecated.daemonset.template.generation']).toBe('2');
    expect(updated.metadata.generation).toBe(2);
  });

  it('refuses both surge and unavailability, an empty selector, and a selector change', () => {
    expect(messages(create(daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 1 } } }), DS).causes))
      .toEqual(['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero']);
    expect(messages(create(daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }), DS).causes))
      .toEqual(['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0']);
    expect(messages(create(daemonSet({ selector: {} }), DS).causes).join('\n')).toContain('empty selector is invalid for daemonset');
    const old = create(daemonSet(), DS).obj as KubeObject;
    const next = structuredClone(old) as J;
    next.spec.selector = { matchLabels: { name: 'agent', tier: 'x' } };
    next.spec.template.metadata.labels.tier = 'x';
    expect(messages(update(next as KubeObject, old, DS).causes).join('\n')).toContain('spec.selector: Invalid value');
  });
});

const pdb = (spec: J, status: J = {}): KubeObject => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'zk', namespace: 'default', generation: 1 }, spec, status });
const pod = (name: string, ready: boolean, extra: J = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: 'zk' }, ...extra }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });

describe('PodDisruptionBudget', () => {
  it('validates minAvailable xor maxUnavailable, each an int or a percent up to 100%', () => {
    const sel = { matchLabels: { app: 'zk' } };
    expect(create(pdb({ minAvailable: 2, selector: sel }), PDB).causes).toEqual([]);
    expect(messages(create(pdb({ minAvailable: 1, maxUnavailable: '10%', selector: sel }), PDB).causes))
      .toEqual(['spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:1, MaxUnavailable:10%}: minAvailable and maxUnavailable cannot be both set']);
    expect(messages(create(pdb({ maxUnavailable: '120%', selector: sel }), PDB).causes)).toEqual(['spec.maxUnavailable: Invalid value: 120%: must not be greater than 100%']);
    expect(messages(create(pdb({ minAvailable: -1, selector: sel }), PDB).causes)).toEqual(['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0']);
    const t = toTable(PDB, [create(pdb({ maxUnavailable: '25%', selector: sel }), PDB).obj as KubeObject]);
    expect(t.rows[0].cells.slice(0, 4)).toEqual(['zk', 'N/A', '25%', 0]);
  });

  it('counts healthy pods the way the disruption controller does', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const pods = [pod('a', true), pod('b', true), pod('c', false), pod('d', true, { deletionTimestamp: '2026-01-01T00:00:00Z' })];
    expect(assessBudget(pdb({ minAvailable: 2 }), pods, undefined, now)).toEqual({ expectedPods: 4, currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 });
    // Percentages and maxUnavailable count the controllers' scale, rounding up.
    expect(assessBudget(pdb({ maxUnavailable: '30%' }), pods, 5, now)).toEqual({ expectedPods: 5, currentHealthy: 2, desiredHealthy: 3, disruptionsAllowed: 0 });
    expect(assessBudget(pdb({ minAvailable: '50%' }), pods.slice(0, 2), 3, now)).toEqual({ expectedPods: 3, currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 });
    // A pod an eviction already let through no longer counts as healthy (until the timeout).
    const spent = pdb({ minAvailable: 1 }, { disruptedPods: { a: '2025-12-31T23:59:30Z' } });
    expect(assessBudget(spent, pods.slice(0, 2), undefined, now).currentHealthy).toBe(1);
    expect(assessBudget(spent, pods.slice(0, 2), undefined, new Date('2026-01-01T00:05:00Z')).currentHealthy).toBe(2);
  });

  it('records an eviction in the status: one disruption fewer, the pod in disruptedPods', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const budget = pdb({ minAvailable: 1 }, { disruptedPods: { gone: '2025-12-31T23:59:50Z' } });
    const status = statusAfterEviction(budget, { expectedPods: 2, currentHealthy: 2, desiredHealthy: 1, disruptionsAllowed: 1 }, 'a', new Set(['a', 'b']), now) as J;
    expect(status).toMatchObject({ disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, observedGeneration: 1, disruptedPods: { a: '2026-01-01T00:00:00Z' } });
    expect(status.conditions).toEqual([expect.objectContaining({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' })]);
  });
});

describe('protobuf bodies', () => {
  /** The `k8s\0` + runtime.Unknown envelope kubectl's typed clients send. */
  const envelope = (apiVersion: string, kind: string, build: (w: Writer) => void): Buffer =>
    Buffer.concat([Buffer.from('k8s\0', 'binary'), new Writer().message(1, (t) => t.string(1, apiVersion).string(2, kind)).message(2, build).finish()]);
  const meta = (name: string) => (w: Writer) => w.string(1, name);
  const labels = (field: number, k: string, v: string) => (w: Writer) => w.message(field, (e) => e.string(1, k).string(2, v));

  it('decodes a StatefulSet with its claim templates', () => {
    const body = envelope('apps/v1', 'StatefulSet', (w) => w.message(1, meta('web')).message(2, (spec) => {
      spec.int64(1, 3);
      spec.message(2, labels(1, 'app', 'nginx'));
      spec.message(4, (claim) => claim.message(1, meta('www')).message(2, (cs) => {
        cs.strings(1, ['ReadWriteOnce']);
        cs.message(2, (res) => res.message(2, (e) => e.string(1, 'storage').message(2, (q) => q.string(1, '1Gi'))));
      }));
      spec.string(5, 'nginx');
      spec.message(7, (u) => u.string(1, 'RollingUpdate').message(2, (r) => r.int64(1, 2)));
    }));
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
      spec: {
        replicas: 3, selector: { matchLabels: { app: 'nginx' } }, serviceName: 'nginx',
        volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } },
      },
    });
  });

  it('decodes a DaemonSet update strategy, a PodDisruptionBudget and an Eviction', () => {
    const ds = envelope('apps/v1', 'DaemonSet', (w) => w.message(1, meta('agent')).message(2, (spec) => {
      spec.message(3, (u) => u.string(1, 'RollingUpdate').message(2, (r) => r.message(1, (i) => i.int64(2, 2))));
      spec.int64(6, 5);
    }));
    expect(decodeKubernetesProtobuf(ds).spec).toEqual({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } }, revisionHistoryLimit: 5 });
    const pdbBody = envelope('policy/v1', 'PodDisruptionBudget', (w) => w.message(1, meta('zk')).message(2, (spec) => {
      spec.message(1, (i) => i.int64(1, 1).string(3, '50%'));
      spec.message(2, labels(1, 'app', 'zk'));
    }));
    expect(decodeKubernetesProtobuf(pdbBody).spec).toEqual({ minAvailable: '50%', selector: { matchLabels: { app: 'zk' } } });
    const eviction = envelope('policy/v1', 'Eviction', (w) => w.message(1, meta('web-0')).message(2, (o) => o.int64(1, 30)));
    expect(decodeKubernetesProtobuf(eviction)).toEqual({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-0' }, deleteOptions: { gracePeriodSeconds: 30 } });
  });
});
