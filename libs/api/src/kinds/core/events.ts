// core/v1 Event (pkg/registry/core/event/strategy.go): stored as written, legacyValidateEvent's
// rules, and printEvent's columns (printers/events.ts, shared with events.k8s.io/v1 in
// kinds/events/events.ts, which stores its events as these). The schema lives in schema/core.ts.

import { eventPrinter } from '../../printers/events';
import { Event } from '../../protobuf/core';
import { CORE } from '../../schema/dsl';
import { causes, type StatusCause } from '../../status';
import { resourceInfo, type KindStrategy } from '../../strategy';
import type { KubeObject } from '../../types';
import { rec, str } from '../../validation/field-errors';
import { isDNS1123Subdomain, isQualifiedName } from '../../validation/names';

/** legacyValidateEvent: the v1 rules, stricter for events that carry an eventTime. */
function validateEvent(obj: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const involved = rec(obj.involvedObject);
  // Kubernetes zero-values a missing involvedObject; we require one, since describe and GC rely on it.
  if (!involved) return [causes.required('involvedObject')];
  const namespace = str(obj.metadata?.namespace) ?? '';
  const involvedNs = str(involved.namespace) ?? '';
  const mismatch = () => causes.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  if (!obj.eventTime) {
    if (!involvedNs) {
      if (namespace !== '' && namespace !== 'default') out.push(mismatch());
    } else if (namespace !== involvedNs) out.push(mismatch());
  } else {
    if (!involvedNs && namespace !== 'default' && namespace !== 'kube-system') out.push(mismatch());
    const controller = str(obj.reportingComponent) ?? '';
    if (!controller) out.push(causes.required('reportingComponent'));
    for (const m of isQualifiedName(controller)) out.push(causes.invalid('reportingComponent', controller, m));
    const instance = str(obj.reportingInstance) ?? '';
    if (!instance) out.push(causes.required('reportingInstance'));
    if (instance.length > 128) out.push(causes.invalid('reportingInstance', '', 'can have at most 128 characters'));
    const action = str(obj.action) ?? '';
    if (!action) out.push(causes.required('action'));
    if (action.length > 128) out.push(causes.invalid('action', '', 'can have at most 128 characters'));
    const reason = str(obj.reason) ?? '';
    if (!reason) out.push(causes.required('reason'));
    if (reason.length > 128) out.push(causes.invalid('reason', '', 'can have at most 128 characters'));
  }
  for (const m of isDNS1123Subdomain(namespace)) out.push(causes.invalid('namespace', namespace, m));
  return out;
}

export const eventStrategy: KindStrategy = {
  info: resourceInfo({
    group: '',
    version: 'v1',
    resource: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    schemaRef: CORE + 'Event',
  }),
  validate: validateEvent,
  printer: eventPrinter,
  protobuf: Event,
};
