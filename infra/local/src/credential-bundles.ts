// Per-service credential bundles (compose): each container mounts a volume holding only the files
// its own identity needs, owned by its own uid, instead of the whole credentials home. A bundle
// keeps the home's relative paths (pki/ca.crt, tokens/<svc>.token, nats/<svc>.password...), so the
// paths in docker-compose.yml and nats.conf are the same whichever bundle is mounted.
import { chmod, chown, copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * What a bundle is for:
 * - `gateway`: serving certificate, token file, etcd client certificate, encryption config, its
 *   NATS password, the token it presents to kubelets;
 * - `etcd`: etcd's serving certificate (its health check also authenticates with it);
 * - `nats`: nats.conf and NATS' serving certificate;
 * - `service:<svc>`: that service's API token and NATS password;
 * - `node:<node>`: a process kubelet of one node: `system:node:<node>`'s token, the kubelet NATS
 *   user, the token the gateway presents;
 * - `kubelet`: the shared kubelet identity (a simulated kubelet hosting many nodes).
 * Every bundle holds the CA certificate (public).
 */
export type BundleKind = 'gateway' | 'etcd' | 'nats' | 'kubelet' | `service:${string}` | `node:${string}`;

export interface BundleSpec {
  /** Directory name under the bundles dir (the compose volume's mount point there). */
  name: string;
  kind: BundleKind;
  /** Owner of the files; the container runs as this uid. */
  uid: number;
  gid: number;
}

/** Home-relative files of a bundle. */
export function bundleFiles(kind: BundleKind): string[] {
  const ca = 'pki/ca.crt';
  if (kind === 'gateway') {
    return [ca, 'pki/apiserver.crt', 'pki/apiserver.key', 'tokens.csv', 'pki/etcd-client.crt', 'pki/etcd-client.key',
      'encryption-config.yaml', 'nats/api-gateway.password', 'kubelet-auth.token'];
  }
  if (kind === 'etcd') return [ca, 'pki/etcd-server.crt', 'pki/etcd-server.key'];
  if (kind === 'nats') return [ca, 'nats.conf', 'pki/nats-server.crt', 'pki/nats-server.key'];
  if (kind === 'kubelet') return [ca, 'tokens/kubelet.token', 'nats/kubelet.password', 'kubelet-auth.token'];
  if (kind.startsWith('service:')) {
    const svc = kind.slice('service:'.length);
    // metrics-server scrapes kubelets with, and is proxied to by the gateway with, the kubelet token.
    return [ca, `tokens/${svc}.token`, `nats/${svc}.password`, ...(svc === 'metrics-server' ? ['kubelet-auth.token'] : [])];
  }
  if (kind.startsWith('node:')) return [ca, `tokens/nodes/${kind.slice('node:'.length)}.token`, 'nats/kubelet.password', 'kubelet-auth.token'];
  throw new Error(`unknown credential bundle kind ${kind}`);
}

/**
 * Parses KEELSON_BUNDLES: whitespace- or comma-separated `name=kind@uid[:gid]`, e.g.
 * `api-gateway=gateway@10001 scheduler=service:scheduler@10031 node-1=node:node-1@0`.
 */
export function parseBundleSpecs(text: string): BundleSpec[] {
  return text.split(/[\s,]+/).filter(Boolean).map((item) => {
    const m = /^([A-Za-z0-9._-]+)=((?:gateway|etcd|nats|kubelet)|(?:service|node):[A-Za-z0-9._-]+)@(\d+)(?::(\d+))?$/.exec(item);
    if (!m) throw new Error(`KEELSON_BUNDLES: malformed entry ${JSON.stringify(item)} (want name=kind@uid[:gid])`);
    const uid = Number(m[3]);
    return { name: m[1], kind: m[2] as BundleKind, uid, gid: m[4] === undefined ? uid : Number(m[4]) };
  });
}

/**
 * Writes each bundle into `<bundlesDir>/<name>`: a fresh copy of its files (files 0400, dirs 0500,
 * all owned by its uid), so a rotated credential reaches the bundle on the next run and a file
 * the bundle no longer lists is gone. The bundle directory itself must exist (it is the volume).
 */
export async function writeBundles(home: string, bundlesDir: string, specs: BundleSpec[]): Promise<void> {
  for (const spec of specs) {
    const root = join(bundlesDir, spec.name);
    await mkdir(root, { recursive: true });
    for (const entry of await readdir(root)) await rm(join(root, entry), { recursive: true, force: true });
    const dirs = new Set<string>();
    for (const rel of bundleFiles(spec.kind)) {
      const dest = join(root, rel);
      await mkdir(dirname(dest), { recursive: true });
      for (let d = dirname(rel); d !== '.'; d = dirname(d)) dirs.add(d);
      await copyFile(join(home, rel), dest);
      await chown(dest, spec.uid, spec.gid);
      await chmod(dest, 0o400);
    }
    for (const d of dirs) {
      await chown(join(root, d), spec.uid, spec.gid);
      await chmod(join(root, d), 0o500);
    }
    await chown(root, spec.uid, spec.gid);
    await chmod(root, 0o500);
  }
}

/** Gives each data directory (a compose volume: etcd's, JetStream's) to the uid that writes it. */
export async function ownDataDirs(specs: string, log: (msg: string) => void = () => undefined): Promise<void> {
  for (const item of specs.split(/[\s,]+/).filter(Boolean)) {
    const m = /^(\/[^@]+)@(\d+)$/.exec(item);
    if (!m) throw new Error(`KEELSON_DATA_DIRS: malformed entry ${JSON.stringify(item)} (want /path@uid)`);
    const [, dir, uid] = m;
    await mkdir(dir, { recursive: true });
    const st = await stat(dir);
    if (st.uid !== Number(uid)) {
      await chown(dir, Number(uid), Number(uid));
      log(`${dir} now owned by ${uid}`);
    }
    await chmod(dir, 0o700);
  }
}
