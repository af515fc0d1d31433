// api-gateway: the only process that talks to etcd.
import { createLogger, startTelemetry } from '@keelson/telemetry';
import { loadConfig } from './config';
import { startGateway } from './gateway';

async function main(): Promise<void> {
  const telemetry = startTelemetry(process.env.OTEL_SERVICE_NAME ?? 'api-gateway');
  const log = createLogger('api-gateway');
  const gateway = await startGateway(loadConfig(), log);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    gateway
      .stop()
      .then(() => telemetry.shutdown())
      .then(() => {
        clearTimeout(force);
        process.exit(0);
      })
      .catch(() => process.exit(1));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`api-gateway failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
