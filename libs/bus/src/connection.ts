// NATS connection settings from the environment, shared by the gateway and every service.
import { connect, type ConnectionOptions, type NatsConnection } from 'nats';
import { inboxPrefixFor } from './inbox';
import { skipNatsCancelStacks } from './request-stacks';

export interface BusConfig {
  /** `KEELSON_NATS_URL`, comma-separated; undefined = no NATS configured. */
  servers?: string[];
  /** `KEELSON_NATS_USER` / `KEELSON_NATS_PASSWORD`: the service's NATS identity. */
  user?: string;
  password?: string;
  /** `KEELSON_NATS_TOKEN`: a token instead of user and password. */
  token?: string;
  /** `KEELSON_NATS_CA_FILE`: NATS serves TLS with a certificate from this CA; connect with TLS. */
  caFile?: string;
}

export function busConfigFromEnv(env: NodeJS.ProcessEnv = process.env): BusConfig {
  const servers = (env.KEELSON_NATS_URL ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return { servers: servers.length ? servers : undefined, user: env.KEELSON_NATS_USER || undefined, password: env.KEELSON_NATS_PASSWORD || undefined, caFile: env.KEELSON_NATS_CA_FILE || undefined };
}

/** Connects with endless reconnects (a control plane outlives NATS restarts). */
export function connectBus(config: BusConfig, name: string, extra: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
  if (!config.servers?.length) throw new Error('no NATS server configured (KEELSON_NATS_URL)');
  skipNatsCancelStacks();
  return connect({
    servers: config.servers,
    name,
    user: config.user,
    pass: config.password,
    token: config.token,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    ...(config.caFile ? { tls: { caFile: config.caFile } } : {}),
    inboxPrefix: inboxPrefixFor(config.user), // replies to this user only (inbox.ts)
    // nats.js otherwise captures up to three stacks per request (the JetStream publish's ack
    // included) for timeout errors to name their caller: 2.5 % of the gateway's CPU in the
    // deploy bench, spent on every event the relay publishes. Errors keep code and message.
    noAsyncTraces: true,
    ...extra,
  });
}
