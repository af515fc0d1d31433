// Pod spec validation (core ValidatePodSpec, the parts controllers and kubectl
// users hit) and the pod update rule: only images, activeDeadlineSeconds,
// tolerations (additions) and a few other fields may change on a live pod.

import { causes } from '../status';
import type { StatusCause } from '../status';
import { isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPortName, isValidPortNum, inclusiveRangeError } from './names';
import { arr, invalidRendered, Json, jsonEqual, num, rec, str } from './field-errors';
import { validateTemplateMeta } from './metadata';
import { copyJson } from '../json-copy';

const MAX_INT32 = 2147483647;
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** Checks an enum field that defaulting normally fills: empty string is Required, absent is skipped. */
function enumField(value: unknown, field: string, allowed: string[]): StatusCause[] {
  if (value === undefined || value === null) return [];
  if (value === '') return [causes.required(field)];
  return typeof value === 'string' && allowed.includes(value) ? [] : [causes.notSupported(field, value, allowed)];
}

function validatePorts(ports: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  const names = new Set<string>();
  arr(ports).forEach((item, i) => {
    const p = rec(item) ?? {};
    const path = `${field}[${i}]`;
    const name = str(p.name) ?? '';
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) for (const m of msgs) out.push(causes.invalid(`${path}.name`, name, m));
      else if (names.has(name)) out.push(causes.duplicate(`${path}.name`, name));
      else names.add(name);
    }
    const containerPort = num(p.containerPort) ?? 0;
    if (containerPort === 0) out.push(causes.required(`${path}.containerPort`));
    else for (const m of isValidPortNum(containerPort)) out.push(causes.invalid(`${path}.containerPort`, containerPort, m));
    const hostPort = num(p.hostPort) ?? 0;
    if (hostPort !== 0) for (const m of isValidPortNum(hostPort)) out.push(causes.invalid(`${path}.hostPort`, hostPort, m));
    out.push(...enumField(p.protocol, `${path}.protocol`, PROTOCOLS));
  });
  return out;
}

const HTTP_SCHEMES = ['HTTP', 'HTTPS'];
const HTTP_HEADER_NAME = /^[-A-Za-z0-9]+$/;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

/** ValidatePortNumOrName: a number is a port, a string a port name. */
function validatePortNumOrName(port: unknown, field: string): StatusCause[] {
  if (typeof port === 'string') return isValidPortName(port).map((m) => causes.invalid(field, port, m));
  return isValidPortNum(num(port) ?? 0).map((m) => causes.invalid(field, num(port) ?? 0, m));
}

/**
 * validateHandler: exactly one action, each valid; probes have exec, httpGet, tcpSocket, grpc,
 * lifecycle hooks exec, httpGet, tcpSocket, sleep (at most the pod's grace period, `graceSeconds`).
 */
function validateHandler(p: Json, field: string, graceSeconds?: number): StatusCause[] {
  const out: StatusCause[] = [];
  let handlers = 0;
  const one = (key: string, check: (h: Json, f: string) => StatusCause[]): void => {
    const h = rec(p[key]);
    if (!h) return;
    if (handlers++ > 0) out.push(causes.forbidden(`${field}.${key}`, 'may not specify more than 1 handler type'));
    else out.push(...check(h, `${field}.${key}`));
  };
  one('exec', (h, f) => (arr(h.command).length ? [] : [causes.required(`${f}.command`)]));
  one('httpGet', (h, f) => {
    const errs: StatusCause[] = [];
    if (!str(h.path)) errs.push(causes.required(`${f}.path`));
    errs.push(...validatePortNumOrName(h.port, `${f}.port`));
    if (!HTTP_SCHEMES.includes(str(h.scheme) ?? '')) errs.push(causes.notSupported(`${f}.scheme`, h.scheme ?? '', HTTP_SCHEMES));
    arr(h.httpHeaders).forEach((x) => {
      const name = str(rec(x)?.name) ?? '';
      if (!HTTP_HEADER_NAME.test(name)) errs.push(causes.invalid(`${f}.httpHeaders`, name, "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"));
    });
    return errs;
  });
  one('tcpSocket', (h, f) => validatePortNumOrName(h.port, `${f}.port`));
  if (graceSeconds === undefined) one('grpc', (h, f) => validatePortNumOrName(num(h.port) ?? 0, `${f}.port`));
  else {
    one('sleep', (h, f) => {
      const secs = num(h.seconds) ?? 0;
      return secs <= 0 || secs > graceSeconds ? [causes.invalid(f, secs, `must be greater than 0 and less than terminationGracePeriodSeconds (${graceSeconds})`)] : [];
    });
  }
  if (handlers === 0) out.push(causes.required(field, 'Required value: must specify a handler type'));
  return out;
}

/** validateLivenessProbe / validateReadinessProbe / validateStartupProbe (core validation). */
function validateProbe(kind: (typeof PROBES)[number], value: unknown, field: string): StatusCause[] {
  const p = rec(value);
  if (!p) return [];
  const out = validateHandler(p, field);
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    const v = num(p[k]);
    if (v !== undefined && v < 0) out.push(causes.invalid(`${field}.${k}`, v, 'must be greater than or equal to 0'));
  }
  const grace = num(p.terminationGracePeriodSeconds);
  if (grace !== undefined && grace <= 0) out.push(causes.invalid(`${field}.terminationGracePeriodSeconds`, grace, 'must be greater than 0'));
  if (kind === 'readinessProbe' && grace !== undefined) out.push(causes.invalid(`${field}.terminationGracePeriodSeconds`, grace, 'must not be set for readinessProbes'));
  if (kind !== 'readinessProbe' && (num(p.successThreshold) ?? 1) !== 1) out.push(causes.invalid(`${field}.successThreshold`, num(p.successThreshold), 'must be 1'));
  return out;
}

/**
 * A container's probes: validated on containers and on sidecars (init containers with
 * restartPolicy Always); forbidden, with lifecycle hooks, on other init containers.
 */
function validateProbes(c: Json, path: string, init: boolean, graceSeconds: number): StatusCause[] {
  if (init && str(c.restartPolicy) !== 'Always') {
    return (['lifecycle', ...PROBES] as const).filter((k) => c[k] !== undefined && c[k] !== null).map((k) => causes.forbidden(`${path}.${k}`, 'may not be set for init containers without restartPolicy=Always'));
  }
  const lifecycle = rec(c.lifecycle);
  const hooks = (['postStart', 'preStop'] as const).flatMap((k) => {
    const h = rec(lifecycle?.[k]);
    return h ? validateHandler(h, `${path}.lifecycle.${k}`, graceSeconds) : [];
  });
  return [...hooks, ...PROBES.flatMap((k) => validateProbe(k, c[k], `${path}.${k}`))];
}

function validateContainer(c: Json, path: string, names: Set<string>, volumes: Set<string>): StatusCause[] {
  const out: StatusCause[] = [];
  const name = str(c.name) ?? '';
  if (!name) out.push(causes.required(`${path}.name`));
  else {
    for (const m of isDNS1123Label(name)) out.push(causes.invalid(`${path}.name`, name, m));
    if (names.has(name)) out.push(causes.duplicate(`${path}.name`, name));
    names.add(name);
  }
  if (!str(c.image)) out.push(causes.required(`${path}.image`));
  out.push(...enumField(c.imagePullPolicy, `${path}.imagePullPolicy`, PULL_POLICIES));
  out.push(...enumField(c.terminationMessagePolicy, `${path}.terminationMessagePolicy`, TERMINATION_MESSAGE_POLICIES));
  out.push(...validatePorts(c.ports, `${path}.ports`));
  arr(c.env).forEach((e, i) => {
    if (!str(rec(e)?.name)) out.push(causes.required(`${path}.env[${i}].name`));
  });
  arr(c.volumeMounts).forEach((m, i) => {
    const mountName = str(rec(m)?.name) ?? '';
    if (!mountName) out.push(causes.required(`${path}.volumeMounts[${i}].name`));
    else if (!volumes.has(mountName)) {
      out.push({ reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(mountName)}`, field: `${path}.volumeMounts[${i}].name` });
    }
    if (!str(rec(m)?.mountPath)) out.push(causes.required(`${path}.volumeMounts[${i}].mountPath`));
  });
  return out;
}

function validateVolumes(volumes: unknown, field: string): { causes: StatusCause[]; names: Set<string> } {
  const out: StatusCause[] = [];
  const names = new Set<string>();
  arr(volumes).forEach((item, i) => {
    const v = rec(item) ?? {};
    const path = `${field}[${i}]`;
    const name = str(v.name) ?? '';
    if (!name) out.push(causes.required(`${path}.name`));
    else {
      for (const m of isDNS1123Label(name)) out.push(causes.invalid(`${path}.name`, name, m));
      if (names.has(name)) out.push(causes.duplicate(`${path}.name`, name));
    }
    names.add(name);
    for (const src of ['configMap', 'secret'] as const) {
      arr(rec(v[src])?.items).forEach((it, j) => {
        const key = str(rec(it)?.key) ?? '';
        for (const m of isConfigMapKey(key)) out.push(causes.invalid(`${path}.${src}.items[${j}].key`, key, m));
      });
    }
  });
  return { causes: out, names };
}

export function validateTolerations(tolerations: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  arr(tolerations).forEach((item, i) => {
    const t = rec(item) ?? {};
    const path = `${field}[${i}]`;
    const key = str(t.key) ?? '';
    const op = str(t.operator) ?? '';
    const value = str(t.value) ?? '';
    const effect = str(t.effect) ?? '';
    if (key) for (const m of isQualifiedName(key)) out.push(causes.invalid(`${path}.key`, key, m));
    if (!key && op !== 'Exists') {
      out.push(causes.invalid(`${path}.operator`, op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && effect !== 'NoExecute') {
      out.push(causes.invalid(`${path}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === 'Equal' || op === '') {
      for (const m of isValidLabelValue(value)) out.push(causes.invalid(`${path}.operator`, value, m));
    } else if (op === 'Exists') {
      if (value) out.push(invalidRendered(`${path}.operator`, `core.Toleration{Key:${JSON.stringify(key)}, Operator:"Exists", Value:${JSON.stringify(value)}}`, "value must be empty when `operator` is 'Exists'"));
    } else {
      out.push(causes.notSupported(`${path}.operator`, op, ['Equal', 'Exists']));
    }
    if (effect && !TAINT_EFFECTS.includes(effect)) out.push(causes.notSupported(`${path}.effect`, effect, TAINT_EFFECTS));
  });
  return out;
}

/** ValidatePodSpec over the fields this control plane acts on. `field` is `spec` or `spec.template.spec`. */
export function validatePodSpec(specValue: unknown, field: string): StatusCause[] {
  const spec = rec(specValue) ?? {};
  const out: StatusCause[] = [];
  const vols = validateVolumes(spec.volumes, `${field}.volumes`);
  out.push(...vols.causes);
  const names = new Set<string>();
  const containers = arr(spec.containers);
  const grace = num(spec.terminationGracePeriodSeconds) ?? 30;
  if (containers.length === 0) out.push(causes.required(`${field}.containers`));
  containers.forEach((c, i) => {
    const path = `${field}.containers[${i}]`;
    out.push(...validateContainer(rec(c) ?? {}, path, names, vols.names), ...validateProbes(rec(c) ?? {}, path, false, grace));
  });
  arr(spec.initContainers).forEach((c, i) => {
    const path = `${field}.initContainers[${i}]`;
    out.push(...validateContainer(rec(c) ?? {}, path, names, vols.names), ...validateProbes(rec(c) ?? {}, path, true, grace));
  });
  out.push(...enumField(spec.restartPolicy, `${field}.restartPolicy`, RESTART_POLICIES));
  out.push(...enumField(spec.dnsPolicy, `${field}.dnsPolicy`, DNS_POLICIES));
  const ads = num(spec.activeDeadlineSeconds);
  if (ads !== undefined && (ads < 1 || ads > MAX_INT32)) {
    out.push(causes.invalid(`${field}.activeDeadlineSeconds`, ads, inclusiveRangeError(1, MAX_INT32)));
  }
  const nodeName = str(spec.nodeName);
  if (nodeName) for (const m of isDNS1123Subdomain(nodeName)) out.push(causes.invalid(`${field}.nodeName`, nodeName, m));
  const sa = str(spec.serviceAccountName);
  if (sa) for (const m of isDNS1123Subdomain(sa)) out.push(causes.invalid(`${field}.serviceAccountName`, sa, m));
  out.push(...validateTolerations(spec.tolerations, `${field}.tolerations`));
  return out;
}

/** ValidatePodTemplateSpec: template labels/annotations and the pod spec. */
export function validatePodTemplateSpec(template: unknown, field: string): StatusCause[] {
  const t = rec(template) ?? {};
  return [...validateTemplateMeta(t.metadata, `${field}.metadata`), ...validatePodSpec(t.spec, `${field}.spec`)];
}

/** ValidatePodCreate's own rule: ephemeral containers come only through pods/ephemeralcontainers. */
export function validatePodCreate(specValue: unknown): StatusCause[] {
  return arr(rec(specValue)?.ephemeralContainers).length ? [causes.forbidden('spec.ephemeralContainers', 'cannot be set on create')] : [];
}

/** Fields an ephemeral container may not have (validateEphemeralContainers' forbidden fields). */
const EPHEMERAL_FORBIDDEN = ['ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'resources', 'resizePolicy', 'restartPolicy'];

/**
 * ValidatePodEphemeralContainersUpdate: existing ephemeral containers stay as they are; new ones
 * are valid containers with names unique in the pod, none of the fields only regular containers
 * have, and a targetContainerName naming one of the pod's containers.
 */
export function validateEphemeralContainersUpdate(newSpecValue: unknown, oldSpecValue: unknown): StatusCause[] {
  const spec = rec(newSpecValue) ?? {};
  const oldSpec = rec(oldSpecValue) ?? {};
  const out: StatusCause[] = [];
  const field = 'spec.ephemeralContainers';
  const list = arr(spec.ephemeralContainers).map((c) => rec(c) ?? {});
  for (const o of arr(oldSpec.ephemeralContainers).map((c) => rec(c) ?? {})) {
    const now = list.find((c) => c.name === o.name);
    if (!now) out.push(causes.forbidden(field, `existing ephemeral containers ${JSON.stringify(o.name)} may not be removed`));
    else if (!jsonEqual(now, o)) out.push(causes.forbidden(field, `existing ephemeral containers ${JSON.stringify(o.name)} may not be changed`));
  }
  const regular = [...arr(spec.containers), ...arr(spec.initContainers)].map((c) => str(rec(c)?.name) ?? '');
  const names = new Set(regular);
  const volumes = new Set(arr(spec.volumes).map((v) => str(rec(v)?.name) ?? ''));
  list.forEach((c, i) => {
    const path = `${field}[${i}]`;
    out.push(...validateContainer(c, path, names, volumes));
    for (const k of EPHEMERAL_FORBIDDEN) {
      const v = c[k];
      if (v !== undefined && v !== null && !(rec(v) && Object.keys(rec(v)!).length === 0) && !(Array.isArray(v) && v.length === 0)) {
        out.push(causes.forbidden(`${path}.${k}`, 'cannot be set for an Ephemeral Container'));
      }
    }
    const target = str(c.targetContainerName);
    if (target && !regular.includes(target)) out.push({ reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(target)}`, field: `${path}.targetContainerName` });
  });
  return out;
}

// --- updates -----------------------------------------------------------------

const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function containerCountAndImages(newList: unknown, oldList: unknown, field: string): { causes: StatusCause[]; stop: boolean } {
  const n = arr(newList);
  if (n.length !== arr(oldList).length) return { causes: [causes.forbidden(field, 'pod updates may not add or remove containers')], stop: true };
  const out: StatusCause[] = [];
  n.forEach((c, i) => {
    const image = str(rec(c)?.image) ?? '';
    if (!image) out.push(causes.required(`${field}[${i}].image`));
    else if (image.trim() !== image) out.push(causes.invalid(`${field}[${i}].image`, image, 'must not have leading or trailing whitespace'));
  });
  return { causes: out, stop: false };
}

function onlyAddedTolerations(newT: unknown, oldT: unknown, field: string): StatusCause[] {
  for (const o of arr(oldT)) {
    const old = rec(o) ?? {};
    const kept = arr(newT).some((n) => jsonEqual({ ...old, tolerationSeconds: rec(n)?.tolerationSeconds }, n));
    if (!kept) return [causes.forbidden(field, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return [];
}

/** A compact stand-in for the cmp.Diff Kubernetes appends: the paths that differ. */
function diffPaths(a: unknown, b: unknown, path: string, out: string[]): void {
  if (jsonEqual(a, b)) return;
  if (rec(a) && rec(b)) {
    const ra = a as Json;
    const rb = b as Json;
    for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)])) diffPaths(ra[k], rb[k], `${path}.${k}`, out);
  } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => diffPaths(x, b[i], `${path}[${i}]`, out));
  } else {
    out.push(`  - ${path}: ${JSON.stringify(a) ?? 'null'}\n  + ${path}: ${JSON.stringify(b) ?? 'null'}`);
  }
}

/** ValidatePodUpdate's spec rules (the new pod's own validity is checked separately). */
export function validatePodSpecUpdate(newSpecValue: unknown, oldSpecValue: unknown): StatusCause[] {
  const newSpec = rec(newSpecValue) ?? {};
  const oldSpec = rec(oldSpecValue) ?? {};
  const out: StatusCause[] = [];
  for (const list of ['containers', 'initContainers'] as const) {
    const r = containerCountAndImages(newSpec[list], oldSpec[list], `spec.${list}`);
    out.push(...r.causes);
    if (r.stop) return out;
  }

  // activeDeadlineSeconds may be set or lowered, never raised or removed.
  const newAds = num(newSpec.activeDeadlineSeconds);
  const oldAds = num(oldSpec.activeDeadlineSeconds);
  if (newAds !== undefined) {
    if (newAds < 0 || newAds > MAX_INT32) return [...out, causes.invalid('spec.activeDeadlineSeconds', newAds, inclusiveRangeError(0, MAX_INT32))];
    if (oldAds !== undefined && oldAds < newAds) return [...out, causes.invalid('spec.activeDeadlineSeconds', newAds, 'must be less than or equal to previous value')];
  } else if (oldAds !== undefined) {
    out.push(invalidRendered('spec.activeDeadlineSeconds', 'null', 'must not update from a positive integer to nil value'));
  }

  // As Kubernetes does: reset every field that may change to its old value; any difference left is forbidden.
  const munged: Json = copyJson(newSpec);
  for (const list of ['containers', 'initContainers'] as const) {
    const oldList = arr(oldSpec[list]);
    if (Array.isArray(munged[list])) {
      munged[list] = (munged[list] as unknown[]).map((c, i) => ({ ...(rec(c) ?? {}), image: rec(oldList[i])?.image }));
    }
  }
  setOrDelete(munged, 'activeDeadlineSeconds', oldSpec.activeDeadlineSeconds);
  out.push(...onlyAddedTolerations(newSpec.tolerations, oldSpec.tolerations, 'spec.tolerations'));
  setOrDelete(munged, 'tolerations', oldSpec.tolerations);
  const oldGrace = num(oldSpec.terminationGracePeriodSeconds);
  if (oldGrace !== undefined && oldGrace < 0 && newSpec.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  // Scheduling gates may only be removed.
  const oldGates = arr(oldSpec.schedulingGates).map((g) => str(rec(g)?.name));
  for (const g of arr(newSpec.schedulingGates)) {
    const name = str(rec(g)?.name);
    if (!oldGates.includes(name)) out.push(causes.forbidden('spec.schedulingGates', `only deletion is allowed, but found new scheduling gate '${name ?? ''}'`));
  }
  setOrDelete(munged, 'schedulingGates', oldSpec.schedulingGates);

  if (!jsonEqual(munged, oldSpec)) {
    const diff: string[] = [];
    diffPaths(oldSpec, munged, 'spec', diff);
    out.push(causes.forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${diff.join('\n')}`));
  }
  return out;
}

function setOrDelete(o: Json, key: string, v: unknown): void {
  if (v === undefined) delete o[key];
  else o[key] = v;
}
