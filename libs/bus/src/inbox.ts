// Per-user reply inboxes. nats.js receives every reply (request/response, the JetStream API's
// answers, push consumers' deliveries) on subjects under an inbox prefix, `_INBOX` by default;
// with one shared prefix the server would have to let every service subscribe to `_INBOX.>`,
// and so read the replies meant for any other. Each NATS user gets its own prefix instead, and
// the generated server config (infra/local nats-config.ts) lets it subscribe under that one only.
import type { ConnectionOptions, NatsConnection } from 'nats';

/** nats.js' default prefix, for connections without a user (plain NATS in tests). */
export const DEFAULT_INBOX_PREFIX = '_INBOX';

/** `_INBOX_<user>`: the only inbox prefix the server lets `user` subscribe under. */
export function inboxPrefixFor(user: string | undefined): string {
  return user ? `_INBOX_${user}` : DEFAULT_INBOX_PREFIX;
}

/**
 * The prefix a connection was opened with, for inboxes made outside nats.js' request path
 * (a push consumer's deliver subject). nats.js keeps its options on the connection object
 * without declaring them on the NatsConnection interface.
 */
export function inboxPrefixOf(nc: NatsConnection): string {
  const options = (nc as NatsConnection & { options?: Partial<ConnectionOptions> }).options;
  return options?.inboxPrefix ?? DEFAULT_INBOX_PREFIX;
}
