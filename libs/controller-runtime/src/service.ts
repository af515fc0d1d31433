// Everything a Keelson process does besides its own logic, the same way in every service:
// configuration validated before anything starts, tracing started first and flushed last,
// one logger, SIGTERM/SIGINT drain, and one fatal-error line. A main is then
//
//   runService('api-gateway', async (svc) => {
//     const gateway = await startGateway(svc.config(gatewayConfig), svc.log);
//     svc.onShutdown(() => gateway.stop());
//   });
//
// and a controller's main is runManager(name, config, setup) (below).
import { createLogger, startTelemetry, type Logger, type TelemetryHandle } from '@keelson/telemetry';
import { ConfigError, EnvReader, managerConfig, type ConfigReader, type ManagerConfig } from './config';
import { Manager } from './manager';

export interface ServiceContext {
  /** The service's name (its telemetry name is OTEL_SERVICE_NAME when set). */
  readonly name: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  readonly telemetry: TelemetryHandle;
  /** Reads the service's configuration; every bad variable (its own and the skeleton's) is one ConfigError. */
  config<T>(read: ConfigReader<T>): T;
  /** Runs on SIGTERM/SIGINT, newest first, before telemetry is flushed. */
  onShutdown(fn: () => Promise<unknown> | unknown): void;
}

export interface RunServiceOptions {
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where the fatal line goes; default stderr. */
  writeFatal?: (line: string) => void;
  /** Default process.exit. */
  exit?: (code: number) => void;
  /** Install SIGTERM/SIGINT and uncaught-error handlers (default true; tests turn them off). */
  handleProcessEvents?: boolean;
}

/** A running service (what runService resolves to). */
export interface RunningService {
  /** Runs the shutdown hooks and flushes telemetry (what SIGTERM does, without exiting). */
  shutdown(): Promise<void>;
}

/**
 * The one format of a fatal error in every service: a single JSON line on stderr. Invalid
 * configuration lists every bad variable; anything else carries its message and stack.
 */
export function fatalLine(service: string, err: unknown): string {
  const base = { time: new Date().toISOString(), level: 'fatal', service };
  if (err instanceof ConfigError) return JSON.stringify({ ...base, msg: 'invalid configuration', problems: err.problems, err: err.message });
  const e = err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : { message: String(err) };
  return JSON.stringify({ ...base, msg: 'fatal error', err: e });
}

/**
 * Runs a service: starts telemetry, validates configuration, runs `main`; on SIGTERM/SIGINT
 * runs the shutdown hooks (bounded by KEELSON_SHUTDOWN_TIMEOUT_MS) and flushes telemetry; on
 * a start-up error or an uncaught one prints fatalLine and exits 1.
 */
export async function runService(name: string, main: (svc: ServiceContext) => Promise<void> | void, opts: RunServiceOptions = {}): Promise<RunningService | undefined> {
  const env = opts.env ?? process.env;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const writeFatal = opts.writeFatal ?? ((line: string) => process.stderr.write(line + '\n'));
  const handle = opts.handleProcessEvents ?? true;
  const reader = new EnvReader(env);
  const shutdownTimeoutMs = reader.integer('KEELSON_SHUTDOWN_TIMEOUT_MS', 30_000, { min: 1 });
  const telemetry = startTelemetry(name, { env });
  const log = createLogger(name);
  const hooks: (() => Promise<unknown> | unknown)[] = [];

  let failing = false;
  const fail = (err: unknown): void => {
    if (failing) return;
    failing = true;
    writeFatal(fatalLine(name, err));
    // Export what the failure left behind, but never wait on a collector that is down.
    const flushed = Promise.race([telemetry.shutdown(), new Promise((r) => setTimeout(r, 2000).unref())]);
    void flushed.then(() => exit(1));
  };

  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      for (const hook of [...hooks].reverse()) await hook();
      await telemetry.shutdown();
    })();
    return stopping;
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn('second signal; exiting now', { signal });
      exit(1);
      return;
    }
    log.info('shutting down', { signal });
    setTimeout(() => {
      log.error('shutdown timed out; exiting', { timeoutMs: shutdownTimeoutMs });
      exit(1);
    }, shutdownTimeoutMs).unref();
    shutdown().then(() => exit(0), (err: unknown) => {
      log.error('shutdown failed', { err });
      exit(1);
    });
  };
  if (handle) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    process.on('uncaughtException', fail);
    process.on('unhandledRejection', fail);
  }

  const svc: ServiceContext = {
    name, env, log, telemetry,
    config: (read) => {
      const config = read(reader);
      reader.check();
      return config;
    },
    onShutdown: (fn) => void hooks.push(fn),
  };
  try {
    await main(svc);
    // The skeleton's own settings are checked with the service's (svc.config); a main that
    // reads none still must not run with a bad one unnoticed.
    reader.check();
    return { shutdown };
  } catch (err) {
    fail(err);
    return undefined;
  }
}

/** Manager settings that follow from the service's own (the kubelet's identity is its node). */
export type ManagerOverrides<C> = (config: C) => Partial<ManagerConfig>;

/**
 * A controller service: runService plus a Manager. The service's configuration and the
 * Manager's are validated together; `setup` declares informers and controllers; then the
 * Manager starts (health server, cache sync, leader election) and stops on SIGTERM.
 */
export function runManager<C>(
  name: string,
  read: ConfigReader<C>,
  setup: (mgr: Manager, config: C) => Promise<void> | void,
  opts: RunServiceOptions & { manager?: ManagerOverrides<C> } = {},
): Promise<RunningService | undefined> {
  return runService(name, async (svc) => {
    const { own, manager } = svc.config((r) => {
      const c = read(r);
      return { own: c, manager: { ...managerConfig(r, name), ...opts.manager?.(c) } };
    });
    const mgr = await Manager.create(name, { config: manager, env: svc.env, logger: svc.log });
    svc.onShutdown(() => mgr.stop());
    await setup(mgr, own);
    await mgr.start();
  }, opts);
}
