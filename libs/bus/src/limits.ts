// Size limits that keep every object's event on the bus (issue 9, defect 1; DESIGN.md "Growth").
// Kubernetes bounds objects by etcd's request limit (--max-request-bytes, 1.5 MiB by default);
// an event carries one object (for DELETED its last state) in a small JSON envelope, plus a few
// headers. NATS' default max_payload is 1 MiB, so a valid ConfigMap near its 1 MiB data limit
// with annotations could not be published, and the relay — which publishes strictly in order —
// retried that one event forever. The server's max_payload and the events stream's
// max_msg_size are therefore set to EVENT_MAX_BYTES, room for the largest object's event; and
// whatever still does not fit is published as a reference (see `buildReferenceMessage`).

/** Largest stored object, as etcd's default request limit bounds it in Kubernetes. */
export const MAX_OBJECT_BYTES = 1536 * 1024;

/**
 * NATS max_payload and the KEELSON_EVENTS stream's max_msg_size: an object of MAX_OBJECT_BYTES,
 * its envelope and headers, with ample room. infra/local configures nats-server with this value.
 */
export const EVENT_MAX_BYTES = 4 * 1024 * 1024;

/** Headers and protocol framing a publish adds to the envelope's bytes (counted by max_payload). */
export const EVENT_HEADER_ALLOWANCE_BYTES = 4096;
