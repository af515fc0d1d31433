// apps/v1 StatefulSet (pkg/registry/apps/statefulset/strategy.go): SetDefaults_StatefulSet,
// ValidateStatefulSet/Update, status and scale subresources, generation on spec changes,
// and printStatefulSet's READY column.

import type { KindStrategy } from '../../strategy';
import { resourceInfo, scaleSubresource, statusSubresource } from '../../strategy';
import type { KubeObject } from '../../types';
import { causes, type StatusCause } from '../../status';
import type { Printer } from '../../table';
import { def, defaultTemplate, objAt } from '../../defaults';
import { APPS } from '../../schema/dsl';
import { arr, type Json, jsonEqual, nonNegative, rec, str } from '../../validation/field-errors';
import { isDNS1123Label, isDNS1123Subdomain } from '../../validation/names';
import { validateSelectorMatchesTemplate } from '../../validation/metadata';
import { validatePodTemplateSpec } from '../../validation/pod';
import { intOrPercentValue, percentValue, validatePositiveIntOrPercent, validateSelector } from '../../validation/workloads';
import { num as cellNum, rec as cellRec } from '../../printers/access';
import { AGE_COLUMN, NAME_COLUMN, TEMPLATE_COLUMNS, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { containerCells } from '../../printers/workloads';
import { APPS_WORKLOAD_SCHEMAS } from './schemas';
import { StatefulSet } from './protobuf';
import { copyJson } from '../../json-copy';

const info = resourceInfo({
  group: 'apps',
  version: 'v1',
  resource: 'statefulsets',
  singular: 'statefulset',
  kind: 'StatefulSet',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  schemaRef: APPS + 'StatefulSet',
});
info.subresources = [statusSubresource(info), scaleSubresource];

const RETENTION_POLICIES = ['Retain', 'Delete'];
const MUTABLE_SPEC_FIELDS = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

/** SetDefaults_StatefulSet, the pod template's defaults and each claim template's (SetDefaults_PersistentVolumeClaim). */
function defaultStatefulSet(obj: KubeObject): void {
  const spec = objAt(obj, 'spec');
  def(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = objAt(spec, 'updateStrategy');
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    objAt(strategy, 'rollingUpdate');
  }
  const rolling = rec(strategy.rollingUpdate);
  if (strategy.type === 'RollingUpdate' && rolling) def(rolling, 'partition', 0);
  const retention = objAt(spec, 'persistentVolumeClaimRetentionPolicy');
  def(retention, 'whenDeleted', 'Retain');
  def(retention, 'whenScaled', 'Retain');
  def(spec, 'replicas', 1);
  def(spec, 'revisionHistoryLimit', 10);
  defaultTemplate(spec);
  for (const claim of arr(spec.volumeClaimTemplates)) {
    const c = rec(claim);
    if (!c) continue;
    def(objAt(c, 'spec'), 'volumeMode', 'Filesystem');
    def(objAt(c, 'status'), 'phase', 'Pending');
  }
}

/**
 * Claim templates become PersistentVolumeClaims named `<claim>-<pod>`: each needs a valid
 * name, access modes and a storage request (what the claim itself would be refused for).
 */
function validateVolumeClaimTemplates(spec: Json): StatusCause[] {
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  arr(spec.volumeClaimTemplates).forEach((item, i) => {
    const claim = rec(item) ?? {};
    const path = `spec.volumeClaimTemplates[${i}]`;
    const name = str(rec(claim.metadata)?.name) ?? '';
    if (!name) out.push(causes.required(`${path}.metadata.name`, 'Required value: name or generateName is required'));
    else {
      for (const m of isDNS1123Subdomain(name)) out.push(causes.invalid(`${path}.metadata.name`, name, m));
      if (seen.has(name)) out.push(causes.duplicate(`${path}.metadata.name`, name));
      seen.add(name);
    }
    const claimSpec = rec(claim.spec) ?? {};
    if (arr(claimSpec.accessModes).length === 0) out.push(causes.required(`${path}.spec.accessModes`, 'Required value: at least 1 access mode is required'));
    if (rec(rec(claimSpec.resources)?.requests)?.storage === undefined) out.push(causes.required(`${path}.spec.resources[storage]`));
  });
  return out;
}

/** The pod template, validated with the claim templates standing in for the volumes they become. */
function validateTemplate(spec: Json): StatusCause[] {
  const template = copyJson(rec(spec.template) ?? {});
  const podSpec = objAt(template, 'spec');
  const volumes = arr(podSpec.volumes).slice();
  const names = new Set(volumes.map((v) => str(rec(v)?.name)));
  for (const claim of arr(spec.volumeClaimTemplates)) {
    const name = str(rec(rec(claim)?.metadata)?.name);
    if (name && !names.has(name)) volumes.push({ name, persistentVolumeClaim: { claimName: name } });
  }
  podSpec.volumes = volumes;
  return validatePodTemplateSpec(template, 'spec.template');
}

function validateUpdateStrategy(spec: Json): StatusCause[] {
  const strategy = rec(spec.updateStrategy) ?? {};
  const type = str(strategy.type) ?? '';
  const rolling = rec(strategy.rollingUpdate);
  const path = 'spec.updateStrategy';
  switch (type) {
    case '':
      return [causes.required(path)];
    case 'OnDelete':
      return rolling ? [{ reason: 'FieldValueInvalid', field: `${path}.rollingUpdate`, message: "Invalid value: apps.RollingUpdateStatefulSetStrategy{...}: only allowed for updateStrategy 'RollingUpdate'" }] : [];
    case 'RollingUpdate': {
      if (!rolling) return [];
      const out = nonNegative(rolling.partition, `${path}.rollingUpdate.partition`);
      const maxUnavailable = rolling.maxUnavailable;
      if (maxUnavailable !== undefined && maxUnavailable !== null) {
        const field = `${path}.rollingUpdate.maxUnavailable`;
        out.push(...validatePositiveIntOrPercent(maxUnavailable, field));
        if (intOrPercentValue(maxUnavailable) === 0) out.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${String(maxUnavailable)}: cannot be 0` });
        const pct = percentValue(maxUnavailable);
        if (pct !== undefined && pct > 100) out.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${String(maxUnavailable)}: must not be greater than 100%` });
      }
      return out;
    }
    default:
      return [{ reason: 'FieldValueInvalid', field: path, message: `Invalid value: apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(type)}}: must be 'RollingUpdate' or 'OnDelete'` }];
  }
}

/** ValidateStatefulSetSpec, plus the claim templates and serviceName its pods are built from. */
export function validateStatefulSetSpec(specValue: unknown): StatusCause[] {
  const spec = rec(specValue) ?? {};
  const out: StatusCause[] = [];
  const policy = str(spec.podManagementPolicy) ?? '';
  if (!policy) out.push(causes.required('spec.podManagementPolicy'));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') out.push(causes.invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  out.push(...validateUpdateStrategy(spec));
  const retention = rec(spec.persistentVolumeClaimRetentionPolicy);
  if (retention) {
    for (const key of ['whenDeleted', 'whenScaled']) {
      const v = str(retention[key]) ?? '';
      if (!RETENTION_POLICIES.includes(v)) out.push(causes.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${key}`, v, RETENTION_POLICIES));
    }
  }
  out.push(...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  out.push(...nonNegative(rec(spec.ordinals)?.start, 'spec.ordinals.start'));
  out.push(...validateSelector(spec, 'statefulset'));
  const selector = rec(spec.selector);
  const template = rec(spec.template);
  if (selector && template) out.push(...validateSelectorMatchesTemplate(selector, template.metadata, 'spec.template.metadata.labels'));
  out.push(...validateTemplate(spec));
  const podSpec = rec(template?.spec) ?? {};
  const restart = podSpec.restartPolicy;
  if (restart !== 'Always') out.push(causes.notSupported('spec.template.spec.restartPolicy', restart ?? '', ['Always']));
  if (podSpec.activeDeadlineSeconds != null) out.push(causes.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  out.push(...validateVolumeClaimTemplates(spec));
  // Pods are given `subdomain: <serviceName>`, which must be a DNS label.
  const serviceName = str(spec.serviceName);
  if (serviceName) for (const m of isDNS1123Label(serviceName)) out.push(causes.invalid('spec.serviceName', serviceName, m));
  return out;
}

/** ValidateStatefulSetUpdate: only some spec fields may change. */
export function validateStatefulSetUpdate(spec: unknown, oldSpec: unknown): StatusCause[] {
  const a = { ...(rec(spec) ?? {}) };
  const b = { ...(rec(oldSpec) ?? {}) };
  for (const key of MUTABLE_SPEC_FIELDS) {
    delete a[key];
    delete b[key];
  }
  if (jsonEqual(a, b)) return [];
  return [causes.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
}

export const statefulSetPrinter: Printer = {
  columns: [NAME_COLUMN, column('Ready', 'string', 'Number of the pod with ready state'), AGE_COLUMN, ...TEMPLATE_COLUMNS],
  print: (obj, now) => {
    const spec = cellRec(obj, 'spec');
    return {
      cells: [
        obj.metadata?.name ?? '',
        `${cellNum(cellRec(obj, 'status'), 'readyReplicas')}/${cellNum(spec, 'replicas')}`,
        timestampSince(obj.metadata?.creationTimestamp, now),
        ...containerCells(spec),
      ],
    };
  },
};

export const statefulSetStrategy: KindStrategy = {
  info,
  schemas: APPS_WORKLOAD_SCHEMAS,
  defaults: defaultStatefulSet,
  prepareForCreate(obj) {
    obj.status = { replicas: 0, availableReplicas: 0 };
  },
  validate(obj, old) {
    const out = validateStatefulSetSpec(obj.spec);
    // StatefulSet names become pod hostnames: ValidateStatefulSetName is a DNS label.
    const name = obj.metadata.name ?? '';
    if (!old && name && isDNS1123Subdomain(name).length === 0) for (const m of isDNS1123Label(name)) out.push(causes.invalid('metadata.name', name, m));
    if (old) out.push(...validateStatefulSetUpdate(obj.spec, old.spec));
    // ValidateStatefulSetStatus: the counts are never negative.
    const status = rec(obj.status) ?? {};
    for (const f of ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount']) {
      out.push(...nonNegative(status[f], `status.${f}`));
    }
    return out;
  },
  generation: true,
  printer: statefulSetPrinter,
  protobuf: StatefulSet,
};
