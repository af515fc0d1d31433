// One-shot credentials init (compose `credentials` service): writes PKI, token file and an admin
// kubeconfig into KEELSON_HOME, then exits. Re-running keeps what exists.
import { join } from 'node:path';
import { ensureCredentials, writeKubeconfig } from './credentials';

async function init(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const home = env.KEELSON_HOME ?? '/var/lib/keelson';
  const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const creds = await ensureCredentials(home, { hostnames: list(env.KEELSON_EXTRA_SANS), services: list(env.KEELSON_SERVICES) });
  const server = env.KEELSON_KUBECONFIG_SERVER ?? 'https://127.0.0.1:6443';
  await writeKubeconfig(join(home, 'kubeconfig'), server, creds.caPem, creds.adminToken);
  process.stdout.write(`${JSON.stringify({ level: 'info', service: 'credentials', msg: 'credentials ready', home, services: Object.keys(creds.serviceTokens) })}\n`);
}

init().catch((err: unknown) => {
  process.stderr.write(`credentials init failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
