// One-shot credentials init (compose `credentials` service): writes into KEELSON_HOME the PKI,
// the token file with one token per service (and `tokens/<svc>.token`), an admin kubeconfig,
// the NATS users (`nats-users.csv`, and `nats/<svc>.password` so each container reads only its
// own), the nats-server configuration (`nats.conf`, TLS), etcd's serving and the gateway's etcd
// client certificates, the Secrets EncryptionConfiguration and the secret the gateway presents to
// kubelets (`kubelet-auth.token`), then exits. Re-running keeps what exists.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureCredentials, ensureEtcdCertificates, ensureNatsCertificate, writeKubeconfig } from './credentials';
import { ownDataDirs, parseBundleSpecs, writeBundles } from './credential-bundles';
import { ensureEncryptionConfig } from './encryption-config';
import { ensureNatsCredentials, writeNatsServerConfig } from './nats-config';

async function writeIfChanged(file: string, text: string): Promise<void> {
  if (!existsSync(file) || (await readFile(file, 'utf8')) !== text) await writeFile(file, text, { mode: 0o600 });
}

/** Copies the kubeconfig into a host directory, owned by whoever owns that directory. */
async function copyKubeconfigOut(src: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const owner = await stat(dir);
  const dest = join(dir, 'kubeconfig');
  await copyFile(src, `${dest}.tmp`);
  await chown(`${dest}.tmp`, owner.uid, owner.gid);
  await chmod(`${dest}.tmp`, 0o600);
  await rename(`${dest}.tmp`, dest);
}

async function init(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const home = env.KEELSON_HOME ?? '/var/lib/keelson';
  const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const services = list(env.KEELSON_SERVICES);
  // KEELSON_NODES: kubelets that authenticate as their node (`tokens/nodes/<node>.token`, system:node:<node>).
  const creds = await ensureCredentials(home, { hostnames: list(env.KEELSON_EXTRA_SANS), services, nodes: list(env.KEELSON_NODES), serviceClusterIpRange: env.KEELSON_SERVICE_CLUSTER_IP_RANGE });
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
  // KEELSON_NATS_CLUSTER_ROUTES (e.g. nats://nats-1:6222,...): a JetStream cluster; each server's
  // name comes from its NATS_SERVER_NAME, routes authenticate with a password kept here.
  const routes = list(env.KEELSON_NATS_CLUSTER_ROUTES);
  let cluster: { name: string; listen: string; routes: string[]; serverNameVar: string; user: string; password: string } | undefined;
  if (routes.length > 0) {
    const routeFile = join(home, 'nats-route.password');
    if (!existsSync(routeFile)) await writeFile(routeFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
    cluster = { name: 'keelson', listen: '0.0.0.0:6222', routes, serverNameVar: 'NATS_SERVER_NAME', user: 'route', password: (await readFile(routeFile, 'utf8')).trim() };
  }
  const natsConf = await writeNatsServerConfig(home, nats, {
    storeDir: env.KEELSON_NATS_STORE_DIR || undefined,
    tls: natsTls,
    monitor: env.KEELSON_NATS_MONITOR || '127.0.0.1:8222',
    cluster,
  });
  // etcd requires client certificates: its serving certificate and the gateway's client one.
  await ensureEtcdCertificates(home, list(env.KEELSON_ETCD_EXTRA_SANS));
  // Secrets are encrypted at rest with this EncryptionConfiguration (KEELSON_ENCRYPTION_CONFIG).
  await ensureEncryptionConfig(home);

  // Kubelets' log servers accept only this bearer token; the gateway sends it (KEELSON_KUBELET_CLIENT_TOKEN).
  const kubeletAuth = join(home, 'kubelet-auth.token');
  if (!existsSync(kubeletAuth)) await writeFile(kubeletAuth, randomBytes(24).toString('base64url'), { mode: 0o600 });

  // Compose: each container mounts only its own bundle (KEELSON_BUNDLES, under KEELSON_BUNDLES_DIR),
  // data volumes belong to the uid that writes them (KEELSON_DATA_DIRS), and the admin kubeconfig
  // is copied to KEELSON_KUBECONFIG_OUT (a host directory) for the user.
  if (env.KEELSON_BUNDLES) await writeBundles(home, env.KEELSON_BUNDLES_DIR || '/bundles', parseBundleSpecs(env.KEELSON_BUNDLES));
  if (env.KEELSON_DATA_DIRS) await ownDataDirs(env.KEELSON_DATA_DIRS);
  if (env.KEELSON_KUBECONFIG_OUT) await copyKubeconfigOut(join(home, 'kubeconfig'), env.KEELSON_KUBECONFIG_OUT);

  process.stdout.write(`${JSON.stringify({ level: 'info', service: 'credentials', msg: 'credentials ready', home, services: Object.keys(creds.serviceTokens), natsConfig: natsConf })}\n`);
}

init().catch((err: unknown) => {
  process.stderr.write(`credentials init failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
