// NATS subject layout for change events (DESIGN.md "Events over NATS"):
//   keelson.events.<group>.<resource>.<namespace>
// group `core` for the empty group, dots in a group written `_`, namespace `_` when cluster-scoped.

export const EVENTS_STREAM = 'KEELSON_EVENTS';
export const EVENTS_PREFIX = 'keelson.events';
/** Every event subject (the stream's subject filter). */
export const ALL_EVENTS_SUBJECT = `${EVENTS_PREFIX}.>`;
/**
 * RESYNC markers: published when the relay cannot resume without a gap (etcd compacted
 * past its resume point). Three tokens, so it never collides with a resource subject.
 */
export const RESYNC_SUBJECT = `${EVENTS_PREFIX}.resync`;

export function groupToken(group: string): string {
  return group === '' ? 'core' : group.replace(/\./g, '_');
}

export function tokenToGroup(token: string): string {
  return token === 'core' ? '' : token.replace(/_/g, '.');
}

export function eventSubject(group: string, resource: string, namespace: string | undefined): string {
  return `${EVENTS_PREFIX}.${groupToken(group)}.${resource}.${namespace ? namespace : '_'}`;
}

/** All events of one resource, in every namespace. */
export function resourceSubject(group: string, resource: string): string {
  return `${EVENTS_PREFIX}.${groupToken(group)}.${resource}.*`;
}

export interface ParsedSubject {
  group: string;
  resource: string;
  namespace?: string;
}

export function parseEventSubject(subject: string): ParsedSubject | undefined {
  const parts = subject.split('.');
  if (parts.length !== 5 || `${parts[0]}.${parts[1]}` !== EVENTS_PREFIX) return undefined;
  return { group: tokenToGroup(parts[2]), resource: parts[3], namespace: parts[4] === '_' ? undefined : parts[4] };
}
