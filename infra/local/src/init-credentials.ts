// One-shot credentials init (compose `credentials` service): writes into KEELSON_HOME the PKI,
// the token file with one token per service (and `tokens/<svc>.token`), an admin kubeconfig,
// the NATS users (`nats-users.csv`, and `nats/<svc>.password` so each container reads only its
// own), the nats-server configuration (`nats.conf`, TLS), etcd's serving and the gateway's etcd
// client certificates, the Secrets EncryptionConfiguration and the secret the gateway presents to
// kubelets (`kubelet-auth.token`), then exits. Re-running keeps what exists.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureCredentials, ensureEtcdCertificates, ensureNatsCertificate, writeKubeconfig } from './credentials';
import { ensureEncryptionConfig } from './encryption-config';
import { ensureNatsCredentials, writeNatsServerConfig } from './nats-config';

async function writeIfChanged(file: string, text: string): Promise<void> {
  if (!existsSync(file) || (await readFile(file, 'utf8')) !== text) await writeFile(file, text, { mode: 0o600 });
}

async function init(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const home = env.KEELSON_HOME ?? '/var/lib/keelson';
  const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const services = list(env.KEELSON_SERVICES);
  // KEELSON_NODES: kubelets that authenticate as their node (`tokens/nodes/<node>.token`, system:node:<node>).
  const creds = await ensureCredentials(home, { hostnames: list(env.KEELSON_EXTRA_SANS), services, nodes: list(env.KEELSON_NODES) });
  const server = env.KEELSON_KUBECONFIG_SERVER ?? 'https://127.0.0.1:6443';
  await writeKubeconfig(join(home, 'kubeconfig'), server, creds.caPem, creds.adminToken);

  // NATS: one user per service (only the gateway may publish events), as `npm start` does.
  const nats = await ensureNatsCredentials(home, Object.keys(creds.serviceTokens));
  await mkdir(join(home, 'nats'), { recursive: true, mode: 0o700 });
  for (const [svc, u] of Object.entries(nats.users)) await writeIfChanged(join(home, 'nats', `${svc}.password`), u.password);
  // KEELSON_NATS_STORE_DIR: the JetStream directory as the NATS container sees it.
  // NATS serves TLS with a certificate from the local CA; its monitoring port answers on the
  // container's loopback only (KEELSON_NATS_MONITOR, default 127.0.0.1:8222: the health check).
  const natsTls = await ensureNatsCertificate(home, list(env.KEELSON_NATS_EXTRA_SANS));
  const natsConf = await writeNatsServerConfig(home, nats, {
    storeDir: env.KEELSON_NATS_STORE_DIR || undefined,
    tls: natsTls,
    monitor: env.KEELSON_NATS_MONITOR || '127.0.0.1:8222',
  });
  // etcd requires client certificates: its serving certificate and the gateway's client one.
  await ensureEtcdCertificates(home, list(env.KEELSON_ETCD_EXTRA_SANS));
  // Secrets are encrypted at rest with this EncryptionConfiguration (KEELSON_ENCRYPTION_CONFIG).
  await ensureEncryptionConfig(home);

  // Kubelets' log servers accept only this bearer token; the gateway sends it (KEELSON_KUBELET_CLIENT_TOKEN).
  const kubeletAuth = join(home, 'kubelet-auth.token');
  if (!existsSync(kubeletAuth)) await writeFile(kubeletAuth, randomBytes(24).toString('base64url'), { mode: 0o600 });

  process.stdout.write(`${JSON.stringify({ level: 'info', service: 'credentials', msg: 'credentials ready', home, services: Object.keys(creds.serviceTokens), natsConfig: natsConf })}\n`);
}

init().catch((err: unknown) => {
  process.stderr.write(`credentials init failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
