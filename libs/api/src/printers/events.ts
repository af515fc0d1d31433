// `kubectl get events`: LAST SEEN TYPE REASON OBJECT MESSAGE, wide adds the rest.

import type { KubeObject } from '../types';
import type { Printer, PrintedRow } from '../table';
import { num, rec, str } from './access';
import { column } from './columns';
import { timestampSince } from './duration';

/** `component, host`, falling back to the events.k8s.io reporting fields. */
function eventSource(ev: KubeObject): string {
  const source = rec(ev, 'source');
  const component = str(source, 'component') || str(ev, 'reportingComponent');
  const instance = str(source, 'host') || str(ev, 'reportingInstance');
  return instance ? `${component}, ${instance}` : component;
}

function printEvent(ev: KubeObject, now: Date): PrintedRow {
  const first = str(ev, 'firstTimestamp') ? timestampSince(str(ev, 'firstTimestamp'), now) : timestampSince(str(ev, 'eventTime'), now);
  let last = str(ev, 'lastTimestamp') ? timestampSince(str(ev, 'lastTimestamp'), now) : first;
  let count = num(ev, 'count');
  const series = ev.series;
  if (series !== undefined && series !== null) {
    last = timestampSince(str(series, 'lastObservedTime'), now);
    count = num(series, 'count');
  } else if (count === 0) {
    count = 1; // singleton events of the new API carry no count
  }
  const involved = rec(ev, 'involvedObject');
  const kind = str(involved, 'kind').toLowerCase();
  const target = str(involved, 'name') ? `${kind}/${str(involved, 'name')}` : kind;
  return {
    cells: [last, str(ev, 'type'), str(ev, 'reason'), target, str(involved, 'fieldPath'), eventSource(ev), str(ev, 'message').trim(), first, count, ev.metadata?.name ?? ''],
  };
}

export const eventPrinter: Printer = {
  columns: [
    column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    column('Object', 'string', 'The object that this event is about.'),
    column('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', 1),
    column('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
    column('Message', 'string', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
    column('Count', 'string', 'The number of times this event has occurred.', 1),
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 1 },
  ],
  print: printEvent,
};
