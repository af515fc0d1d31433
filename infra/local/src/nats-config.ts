// NATS identities and the nats-server configuration: one user per service, random passwords
// kept in `<dir>/nats-users.csv` (idempotent, like tokens.csv), and subject permissions so that
// only the api-gateway may publish change events (DESIGN.md "Security").
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const NATS_GATEWAY_USER = 'api-gateway';
const EVENTS = 'keelson.events.>';
/** The events stream (`@keelson/bus` EVENTS_STREAM; infra/local does not depend on the bus). */
const STREAM = 'KEELSON_EVENTS';

/**
 * The server's max_payload: room for the event of the largest object the API stores (~1.5 MiB,
 * etcd's request limit); NATS' 1 MiB default could not carry a valid ConfigMap near its data limit
 * with annotations (issue 9, defect 1). Equals EVENT_MAX_BYTES in @keelson/bus (a test checks).
 */
export const NATS_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

export interface NatsUser {
  user: string;
  password: string;
}

export interface NatsCredentials {
  /** `<dir>/nats-users.csv`: `user,password` per line, mode 0600. */
  file: string;
  /** By service name (always includes `api-gateway`). */
  users: Record<string, NatsUser>;
}

interface Permissions {
  publish: { allow: string[]; deny?: string[] };
  subscribe: { allow: string[]; deny?: string[] };
}

/**
 * What a service may do: the gateway publishes events and administers the stream; everyone else
 * only reads them through consumers of its own.
 *
 * A service's JetStream API is an allow-list: the account info `jetstreamManager()` checks, the
 * stream's info, reading a stored message, and `$JS.API.CONSUMER.CREATE.KEELSON_EVENTS` — the subject of an ephemeral
 * consumer the *server* names (nats-server 2.9 also accepts `CONSUMER.CREATE.<stream>.<name>[.<filter>]`
 * and `CONSUMER.DURABLE.CREATE.<stream>.<name>`, which would let a caller pick, and so update, an
 * existing consumer of another service). No consumer DELETE, INFO, LIST, NAMES or MSG.NEXT: subject
 * wildcards match whole tokens only, so a rule cannot say "consumers whose name starts with my
 * prefix", and a random server-made name is one nobody else learns. A service's consumers go away
 * on their own (`inactive_threshold`) once it stops listening. No publish on `_INBOX.>` either:
 * push consumers deliver to an inbox, and nobody but the server may write there.
 */
export function permissionsFor(service: string): Permissions {
  // Replies (JetStream API answers, publish acks, push deliveries) come to the user's own inbox
  // prefix only: with a shared `_INBOX.>` any service could subscribe to, and read, the replies
  // meant for another (a consumer's deliveries, the gateway's stream administration).
  const inbox = `${inboxPrefixFor(service)}.>`;
  if (service === NATS_GATEWAY_USER) {
    return { publish: { allow: [EVENTS, '$JS.API.>', '_INBOX.>'] }, subscribe: { allow: [inbox] } };
  }
  return {
    // Reading one stored message (MSG.GET) reveals nothing a consumer could not read.
    publish: { allow: ['$JS.API.INFO', `$JS.API.STREAM.INFO.${STREAM}`, `$JS.API.STREAM.MSG.GET.${STREAM}`, `$JS.API.CONSUMER.CREATE.${STREAM}`] },
    subscribe: { allow: [EVENTS, inbox] },
  };
}

/**
 * `_INBOX_<user>`: the inbox prefix each service connects with (@keelson/bus inboxPrefixFor,
 * which infra/local does not depend on; a test checks the two agree).
 */
export function inboxPrefixFor(user: string): string {
  return `_INBOX_${user}`;
}

const newPassword = (): string => randomBytes(24).toString('base64url');

export function parseNatsUsers(text: string): NatsUser[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((line) => {
    const i = line.indexOf(',');
    if (i <= 0) throw new Error(`malformed nats-users.csv line: ${line.slice(0, 40)}`);
    return { user: line.slice(0, i), password: line.slice(i + 1) };
  });
}

/** Makes sure every service has a NATS user; existing passwords are kept. */
export async function ensureNatsCredentials(dir: string, services: string[]): Promise<NatsCredentials> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'nats-users.csv');
  const rows = existsSync(file) ? parseNatsUsers(await readFile(file, 'utf8')) : [];
  const before = rows.length;
  const users: Record<string, NatsUser> = {};
  for (const svc of [...new Set([NATS_GATEWAY_USER, ...services])]) {
    let row = rows.find((r) => r.user === svc);
    if (!row) {
      row = { user: svc, password: newPassword() };
      rows.push(row);
    }
    users[svc] = row;
  }
  if (rows.length !== before) {
    await writeFile(`${file}.tmp`, rows.map((r) => `${r.user},${r.password}`).join('\n') + '\n', { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }
  return { file, users };
}

export interface NatsServerConfigOptions {
  /** JetStream store dir; omitted, the server's `-sd` flag decides. */
  storeDir?: string;
  /** Serving certificate: clients must then connect with TLS (and verify it with the local CA). */
  tls?: { certFile: string; keyFile: string };
  /**
   * Monitoring endpoint (`host:port`), e.g. `127.0.0.1:8222`: /varz, /connz and /jsz show every
   * connection, user name and subject, so it listens on loopback only. Omitted: the `-m` flag decides.
   */
  monitor?: string;
  /**
   * A JetStream cluster (compose: three servers): each server's name comes from the environment
   * variable `serverNameVar` (one config for all), routes authenticate with `user`/`password`.
   */
  cluster?: { name: string; listen: string; routes: string[]; serverNameVar: string; user: string; password: string };
}

/** nats-server configuration text (plain passwords: the file is private, like tokens.csv). */
export function natsServerConfig(creds: NatsCredentials, opts: NatsServerConfigOptions = {}): string {
  const q = (s: string): string => JSON.stringify(s); // a JSON string is a valid NATS config string
  const list = (xs: string[]): string => `[${xs.map(q).join(', ')}]`;
  const dir = (d: { allow: string[]; deny?: string[] }): string => `{ allow: ${list(d.allow)}${d.deny ? `, deny: ${list(d.deny)}` : ''} }`;
  const users = Object.values(creds.users).map((u) => {
    const p = permissionsFor(u.user);
    return `    { user: ${q(u.user)}, password: ${q(u.password)}, permissions: { publish: ${dir(p.publish)}, subscribe: ${dir(p.subscribe)} } }`;
  });
  return [
    '# Generated by infra/local (nats-config.ts); passwords are in nats-users.csv.',
    opts.storeDir ? `jetstream { store_dir: ${q(opts.storeDir)} }` : 'jetstream: enabled',
    ...(opts.cluster ? clusterBlock(opts.cluster) : []),
    ...(opts.monitor ? [`http: ${q(opts.monitor)}`] : []),
    ...(opts.tls ? [`tls { cert_file: ${q(opts.tls.certFile)}, key_file: ${q(opts.tls.keyFile)}, timeout: 2 }`] : []),
    `max_payload: ${NATS_MAX_PAYLOAD_BYTES}`,
    'authorization {',
    '  users: [',
    ...users,
    '  ]',
    '}',
    '',
  ].join('\n');
}

/** `server_name` from the environment, and the cluster's routes (each with the route credentials). */
function clusterBlock(c: NonNullable<NatsServerConfigOptions['cluster']>): string[] {
  const q = (s: string): string => JSON.stringify(s);
  const auth = `${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@`;
  const routes = c.routes.map((r) => q(r.replace(/^nats(-route)?:\/\//, `nats-route://${auth}`)));
  return [
    `server_name: $${c.serverNameVar}`,
    'cluster {',
    `  name: ${q(c.name)}`,
    `  listen: ${q(c.listen)}`,
    `  authorization { user: ${q(c.user)}, password: ${q(c.password)} }`,
    `  routes: [${routes.join(', ')}]`,
    '}',
  ];
}

/** Writes `<dir>/nats.conf` for these credentials; returns its path. */
export async function writeNatsServerConfig(dir: string, creds: NatsCredentials, opts: NatsServerConfigOptions = {}): Promise<string> {
  const file = join(dir, 'nats.conf');
  await writeFile(`${file}.tmp`, natsServerConfig(creds, opts), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  return file;
}
