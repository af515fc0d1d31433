// events.k8s.io/v1 Event (pkg/registry/core/event, served in the events.k8s.io group): the
// structured event API. Validation is ValidateEventCreate/Update for events.k8s.io/v1 requests,
// which checks the internal (core) form: hence field paths like `involvedObject.namespace`
// and `message`. As in Kubernetes they are stored as core/v1 events (storedAs): both APIs
// show the same objects, each in its own shape (toCoreEvent / fromCoreEvent).

import type { SchemaNode } from '../../schema/types';
import { obj, str, int32, ref, item, arr, gvk, META, CORE } from '../../schema/dsl';
import { causes } from '../../status';
import type { StatusCause } from '../../status';
import type { KubeObject } from '../../types';
import type { Printer } from '../../table';
import { resourceInfo, type KindStrategy } from '../../strategy';
import { IMMUTABLE_MSG, jsonEqual, num, rec, str as text } from '../../validation/field-errors';
import { isDNS1123Subdomain, isQualifiedName } from '../../validation/names';
import { eventPrinter } from '../../printers/events';
import { type Descriptor, int, microtime, msg, str as pstr, time } from '../../protobuf/decode';
import { ObjectMeta } from '../../protobuf/meta';
import { ObjectReference } from '../../protobuf/core';
import { API_VERSION_DESCRIPTION, KIND_DESCRIPTION } from '../type-meta';

const EVENTS = 'io.k8s.api.events.v1.';

const SCHEMAS: Record<string, SchemaNode> = {
  [EVENTS + 'Event']: obj("Event is a report of an event somewhere in the cluster. It generally denotes some state change in the system. Events have a limited retention time and triggers and messages may evolve with time. Event consumers should not rely on the timing of an event with a given Reason reflecting a consistent underlying trigger, or the continued existence of events with that Reason.", {
    action: str("action is what action was taken/failed regarding to the regarding object. It is machine-readable. This field cannot be empty for new Events and it can have at most 128 characters."),
    apiVersion: str(API_VERSION_DESCRIPTION),
    deprecatedCount: int32("deprecatedCount is the deprecated field assuring backward compatibility with core.v1 Event type."),
    deprecatedFirstTimestamp: ref(META + 'Time', "deprecatedFirstTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type."),
    deprecatedLastTimestamp: ref(META + 'Time', "deprecatedLastTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type."),
    deprecatedSource: ref(CORE + 'EventSource', "deprecatedSource is the deprecated field assuring backward compatibility with core.v1 Event type."),
    eventTime: ref(META + 'MicroTime', "eventTime is the time when this Event was first observed. It is required."),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ObjectMeta', "metadata is the standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
    note: str("note is a human-readable description of the status of this operation. Maximal length of the note is 1kB, but libraries should be prepared to handle values up to 64kB."),
    reason: str("reason is why the action was taken. It is human-readable. This field cannot be empty for new Events and it can have at most 128 characters."),
    regarding: ref(CORE + 'ObjectReference', "regarding contains the object this Event is about. In most cases it's an Object reporting controller implements, e.g. ReplicaSetController implements ReplicaSets and this event is emitted because it acts on some changes in a ReplicaSet object."),
    related: ref(CORE + 'ObjectReference', "related is the optional secondary object for more complex actions. E.g. when regarding object triggers a creation or deletion of related object."),
    reportingController: str("reportingController is the name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`. This field cannot be empty for new Events."),
    reportingInstance: str("reportingInstance is the ID of the controller instance, e.g. `kubelet-xyzf`. This field cannot be empty for new Events and it can have at most 128 characters."),
    series: ref(EVENTS + 'EventSeries', "series is data about the Event series this event represents or nil if it's a singleton Event."),
    type: str("type is the type of this event (Normal, Warning), new types could be added in the future. It is machine-readable. This field cannot be empty for new Events."),
  }, ['eventTime'], gvk('events.k8s.io', 'v1', 'Event')),
  [EVENTS + 'EventSeries']: obj("EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time. How often to update the EventSeries is up to the event reporters. The default event reporter in \"k8s.io/client-go/tools/events/event_broadcaster.go\" shows how this struct is updated on heartbeats and can guide customized reporter implementations.", {
    count: int32("count is the number of occurrences in this series up to the last heartbeat time."),
    lastObservedTime: ref(META + 'MicroTime', "lastObservedTime is the time when last Event from the series was seen before last heartbeat."),
  }, ['count','lastObservedTime']),
  [EVENTS + 'EventList']: obj("EventList is a list of Event objects.", {
    apiVersion: str(API_VERSION_DESCRIPTION),
    items: arr(item(EVENTS + 'Event'), "items is a list of schema objects."),
    kind: str(KIND_DESCRIPTION),
    metadata: ref(META + 'ListMeta', "metadata is the standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
  }, ['items'], gvk('events.k8s.io', 'v1', 'EventList')),
};

/** events.k8s.io/v1 field → core/v1 Event field, where the names differ. */
const RENAMED: Record<string, string> = {
  regarding: 'involvedObject',
  note: 'message',
  deprecatedSource: 'source',
  deprecatedFirstTimestamp: 'firstTimestamp',
  deprecatedLastTimestamp: 'lastTimestamp',
  deprecatedCount: 'count',
  reportingController: 'reportingComponent',
};

/** The core/v1 form of an events.k8s.io/v1 Event (Convert_v1_Event_To_core_Event, then to core/v1). */
export function toCoreEvent(ev: KubeObject): KubeObject {
  const out: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: ev.metadata };
  for (const [k, v] of Object.entries(ev)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata' || v === undefined) continue;
    out[Object.hasOwn(RENAMED, k) ? RENAMED[k] : k] = v; // own keys: a field named `constructor` is not renamed
  }
  if (!out.involvedObject) out.involvedObject = {};
  return out;
}

const CORE_TO_V1: Record<string, string> = Object.fromEntries(Object.entries(RENAMED).map(([v1, core]) => [core, v1]));

/** The events.k8s.io/v1 form of a core/v1 Event (Convert_core_Event_To_v1_Event). */
export function fromCoreEvent(ev: KubeObject): KubeObject {
  const out: KubeObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: ev.metadata };
  for (const [k, v] of Object.entries(ev)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata' || v === undefined) continue;
    out[Object.hasOwn(CORE_TO_V1, k) ? CORE_TO_V1[k] : k] = v;
  }
  return out;
}

const LIMITS = { reportingInstance: 128, action: 128, reason: 128, message: 1024 };

const isSet = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/** legacyValidateEvent, on the core form. */
function legacyValidate(ev: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const namespace = ev.metadata.namespace ?? '';
  const involvedNs = text(rec(ev.involvedObject)?.namespace) ?? '';
  const mismatch = () => causes.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  if (!isSet(ev.eventTime)) {
    if (!involvedNs ? namespace !== '' && namespace !== 'default' : namespace !== involvedNs) out.push(mismatch());
  } else {
    if (!involvedNs && namespace !== 'default' && namespace !== 'kube-system') out.push(mismatch());
    const controller = text(ev.reportingComponent) ?? '';
    if (!controller) out.push(causes.required('reportingController'));
    for (const m of isQualifiedName(controller)) out.push(causes.invalid('reportingController', controller, m));
    for (const [field, limit] of Object.entries(LIMITS)) {
      const value = text(ev[field]) ?? '';
      if (!value && field !== 'message') out.push(causes.required(field));
      if (value.length > limit) out.push(causes.invalid(field, '', `can have at most ${limit} characters`));
    }
  }
  for (const m of isDNS1123Subdomain(namespace)) out.push(causes.invalid('namespace', namespace, m));
  return out;
}

function validateSeries(ev: KubeObject): StatusCause[] {
  const series = rec(ev.series);
  if (!series) return [];
  const out: StatusCause[] = [];
  if ((num(series.count) ?? 0) < 2) out.push(causes.invalid('series.count', '', 'should be at least 2'));
  if (!isSet(series.lastObservedTime)) out.push(causes.required('series.lastObservedTime'));
  return out;
}

const IMMUTABLE_ON_UPDATE = ['involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type',
  'eventTime', 'action', 'related', 'reportingComponent', 'reportingInstance'];
/** Where ValidateEventUpdate reports a changed field (it names reportingController by its internal name). */
const UPDATE_PATH: Record<string, string> = { reportingComponent: 'reportingController' };

/** ValidateEventCreate / ValidateEventUpdate for an events.k8s.io/v1 request. */
export function validateEventsV1(event: KubeObject, oldEvent?: KubeObject): StatusCause[] {
  const ev = toCoreEvent(event);
  const out = legacyValidate(ev);
  if (oldEvent) {
    const old = toCoreEvent(oldEvent);
    if (!jsonEqual(ev.series, old.series)) out.push(...validateSeries(ev));
    for (const f of IMMUTABLE_ON_UPDATE) {
      if (!jsonEqual(ev[f], old[f])) out.push(causes.invalid(UPDATE_PATH[f] ?? f, typeof ev[f] === 'string' ? ev[f] : null, IMMUTABLE_MSG));
    }
    return out;
  }
  out.push(...validateSeries(ev));
  if (!isSet(ev.eventTime)) out.push(causes.required('eventTime'));
  const type = text(ev.type) ?? '';
  if (type !== 'Normal' && type !== 'Warning') out.push(causes.invalid('type', '', `has invalid value: ${type}`));
  for (const f of ['firstTimestamp', 'lastTimestamp']) if (isSet(ev[f])) out.push(causes.invalid(f, '', 'needs to be unset'));
  if ((num(ev.count) ?? 0) !== 0) out.push(causes.invalid('count', '', 'needs to be unset'));
  const source = rec(ev.source) ?? {};
  if (isSet(source.component) || isSet(source.host)) out.push(causes.invalid('source', '', 'needs to be unset'));
  return out;
}

/** Printed as kube-apiserver prints every event: through the core event columns. */
const printer: Printer = {
  columns: eventPrinter.columns,
  print: (ev, now) => eventPrinter.print(toCoreEvent(ev), now),
};

// ---- protobuf (staging/src/k8s.io/api/events/v1/generated.proto) ----
const EventSeries: Descriptor = { 1: int('count', true), 2: microtime('lastObservedTime') };
const EventSource: Descriptor = { 1: pstr('component'), 2: pstr('host') };
export const EventProto: Descriptor = {
  1: msg('metadata', () => ObjectMeta),
  2: microtime('eventTime'),
  3: msg('series', () => EventSeries),
  4: pstr('reportingController'),
  5: pstr('reportingInstance'),
  6: pstr('action'),
  7: pstr('reason'),
  8: msg('regarding', () => ObjectReference),
  9: msg('related', () => ObjectReference),
  10: pstr('note'),
  11: pstr('type'),
  12: msg('deprecatedSource', () => EventSource),
  13: time('deprecatedFirstTimestamp'),
  14: time('deprecatedLastTimestamp'),
  15: int('deprecatedCount'),
};

export const eventsV1Strategy: KindStrategy = {
  info: resourceInfo({ group: 'events.k8s.io', version: 'v1', resource: 'events', singular: 'event', kind: 'Event', namespaced: true,
    shortNames: ['ev'], schemaRef: EVENTS + 'Event' }),
  schemas: SCHEMAS,
  validate: validateEventsV1,
  printer,
  protobuf: EventProto,
  storedAs: { group: '', resource: 'events', version: 'v1', toStorage: toCoreEvent, fromStorage: fromCoreEvent },
};
