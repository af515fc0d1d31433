// Local stand-ins for the official base images where no registry can be reached: a Debian
// bookworm minbase (debootstrap from the mirror apt already uses, plus the host's CA bundle), Node
// 20 (the host's binary and npm), etcd and NATS (Debian's packages), and an OTLP/HTTP receiver that
// answers Jaeger's query API. Tags carry a hash of their inputs, so a cached image is reused until
// its Dockerfile (or the host's node) changes.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { aptInstall, ENGINE_ROOT, type Engine } from './engine';
import { must, run } from './run';

const IMAGES_DIR = resolve(__dirname, '..', 'images');
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Variables for docker-compose.yml naming each image (official ones unless stand-ins are needed). */
export type ImageEnv = Record<string, string>;

const OFFICIAL: ImageEnv = {
  KEELSON_DEBIAN_IMAGE: 'debian:bookworm-slim',
  KEELSON_NODE_IMAGE: 'node:20-bookworm-slim',
  KEELSON_ETCD_IMAGE: 'quay.io/coreos/etcd:v3.5.17',
  KEELSON_NATS_IMAGE: 'nats:2.10-alpine',
  KEELSON_JAEGER_IMAGE: 'jaegertracing/all-in-one:1.62.0',
};

async function imageExists(engine: Engine, ref: string): Promise<boolean> {
  return (await run('docker', ['image', 'inspect', ref], { env: engine.env })).code === 0;
}

/** The Debian mirror apt uses on this machine (deb822 .sources or sources.list). */
export function debianMirror(): string {
  const files = ['/etc/apt/sources.list', ...(existsSync('/etc/apt/sources.list.d') ? readdirSync('/etc/apt/sources.list.d').map((f) => join('/etc/apt/sources.list.d', f)) : [])]
    .filter((f) => /\.(sources|list)$/.test(f) && existsSync(f));
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const deb822 = /^URIs:\s*(\S+)[^]*?^Suites:\s*([^\n]*)/m.exec(text);
    if (deb822 && /\bbookworm\b/.test(deb822[2]) && !/security/.test(deb822[1])) return deb822[1];
    const line = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
    if (line) return line[1];
  }
  return 'http://deb.debian.org/debian';
}

function hashOf(parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 12);
}

const dockerfile = (name: string): string => readFileSync(join(IMAGES_DIR, name, 'Dockerfile'), 'utf8');

async function build(engine: Engine, tag: string, context: string, args: Record<string, string>, log: (l: string) => void): Promise<void> {
  log(`building ${tag}`);
  const argv = ['build', '--network', 'host', '-t', tag, ...Object.entries(args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]), context];
  await must('docker', argv, { env: engine.env, timeoutMs: 900_000 });
}

/** debootstrap's minbase bookworm, imported once (the tarball is kept in ENGINE_ROOT/cache). */
async function debianRootfs(engine: Engine, log: (l: string) => void): Promise<string> {
  const tag = 'keelson-standin/debian-rootfs:bookworm';
  if (await imageExists(engine, tag)) return tag;
  const cache = join(ENGINE_ROOT, 'cache');
  mkdirSync(cache, { recursive: true });
  const tarball = join(cache, 'debian-bookworm-minbase.tar');
  if (!existsSync(tarball)) {
    const hasDebootstrap = await run('debootstrap', ['--version']).then((r) => r.code === 0, () => false);
    if (!hasDebootstrap) await aptInstall(['debootstrap'], log);
    const rootfs = mkdtempSync(join(cache, 'rootfs-'));
    const mirror = debianMirror();
    log(`debootstrap --variant=minbase bookworm from ${mirror}`);
    try {
      await must('debootstrap', ['--variant=minbase', 'bookworm', rootfs, mirror], { timeoutMs: 900_000 });
      await must('tar', ['-C', rootfs, '-cf', `${tarball}.tmp`, '.'], { timeoutMs: 300_000 });
      await must('mv', [`${tarball}.tmp`, tarball]);
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  }
  log(`docker import ${tarball}`);
  await must('docker', ['import', tarball, tag], { env: engine.env, timeoutMs: 300_000 });
  return tag;
}

/** Builds (or finds cached) every stand-in; returns the compose variables naming them. */
export async function buildStandins(engine: Engine, log: (l: string) => void): Promise<{ env: ImageEnv; cached: boolean }> {
  const ca = existsSync(CA_BUNDLE) ? readFileSync(CA_BUNDLE) : Buffer.alloc(0);
  const nodeBin = realpathSync(process.execPath);
  // npm beside node: <prefix>/bin/node → <prefix>/lib/node_modules/npm.
  const npmDir = [join(dirname(dirname(nodeBin)), 'lib', 'node_modules', 'npm'), '/usr/lib/node_modules/npm', '/usr/local/lib/node_modules/npm'].find((d) => existsSync(join(d, 'package.json')));
  if (!npmDir) throw new Error(`no npm found beside ${nodeBin}`);
  const nodeId = `${process.version}:${statSync(nodeBin).size}`;

  const debianTag = `keelson-standin/debian:bookworm-${hashOf([dockerfile('debian'), ca])}`;
  const nodeTag = `keelson-standin/node:20-${hashOf([debianTag, dockerfile('node'), nodeId])}`;
  const etcdTag = `keelson-standin/etcd:3.4-${hashOf([debianTag, dockerfile('etcd')])}`;
  const natsTag = `keelson-standin/nats:2.9-${hashOf([debianTag, dockerfile('nats')])}`;
  const receiverTag = `keelson-standin/otlp-receiver:1-${hashOf([nodeTag, dockerfile('otlp-receiver'), readFileSync(join(IMAGES_DIR, 'otlp-receiver', 'receiver.js'))])}`;
  const env: ImageEnv = { KEELSON_DEBIAN_IMAGE: debianTag, KEELSON_NODE_IMAGE: nodeTag, KEELSON_ETCD_IMAGE: etcdTag, KEELSON_NATS_IMAGE: natsTag, KEELSON_JAEGER_IMAGE: receiverTag };
  const present = await Promise.all(Object.values(env).map((t) => imageExists(engine, t)));
  if (present.every(Boolean)) return { env, cached: true };

  if (!(await imageExists(engine, debianTag))) {
    const rootfs = await debianRootfs(engine, log);
    const ctx = mkdtempSync(join(tmpdir(), 'keelson-debian-'));
    try {
      cpSync(join(IMAGES_DIR, 'debian', 'Dockerfile'), join(ctx, 'Dockerfile'));
      cpSync(CA_BUNDLE, join(ctx, 'ca-certificates.crt'));
      await build(engine, debianTag, ctx, { ROOTFS_IMAGE: rootfs }, log);
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
  }
  if (!(await imageExists(engine, nodeTag))) {
    const ctx = mkdtempSync(join(tmpdir(), 'keelson-node-'));
    try {
      cpSync(join(IMAGES_DIR, 'node', 'Dockerfile'), join(ctx, 'Dockerfile'));
      cpSync(nodeBin, join(ctx, 'node'));
      cpSync(npmDir, join(ctx, 'npm'), { recursive: true });
      await build(engine, nodeTag, ctx, { DEBIAN_IMAGE: debianTag }, log);
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
  }
  // etcd, NATS and the receiver only need the two above: build them side by side.
  await Promise.all([
    imageExists(engine, etcdTag).then((ok) => (ok ? undefined : build(engine, etcdTag, join(IMAGES_DIR, 'etcd'), { DEBIAN_IMAGE: debianTag }, log))),
    imageExists(engine, natsTag).then((ok) => (ok ? undefined : build(engine, natsTag, join(IMAGES_DIR, 'nats'), { DEBIAN_IMAGE: debianTag }, log))),
    imageExists(engine, receiverTag).then((ok) => (ok ? undefined : build(engine, receiverTag, join(IMAGES_DIR, 'otlp-receiver'), { NODE_IMAGE: nodeTag }, log))),
  ]);
  return { env, cached: false };
}

/**
 * The images for docker-compose.yml: the official ones when they are present or can be pulled,
 * else local stand-ins. KEELSON_COMPOSE_STANDINS=1 forces stand-ins, =0 the official images.
 */
export async function baseImages(engine: Engine, log: (l: string) => void): Promise<{ env: ImageEnv; cached: boolean; standins: boolean }> {
  const mode = process.env.KEELSON_COMPOSE_STANDINS;
  if (mode !== '1') {
    const present = await Promise.all(Object.values(OFFICIAL).map((ref) => imageExists(engine, ref)));
    if (present.every(Boolean)) return { env: OFFICIAL, cached: true, standins: false };
    if (mode === '0' || (await run('docker', ['pull', OFFICIAL.KEELSON_DEBIAN_IMAGE], { env: engine.env, timeoutMs: 30_000 })).code === 0) {
      for (const ref of Object.values(OFFICIAL)) await must('docker', ['pull', ref], { env: engine.env, timeoutMs: 600_000 });
      return { env: OFFICIAL, cached: false, standins: false };
    }
    log('no registry reachable: using local stand-in base images');
  }
  return { ...(await buildStandins(engine, log)), standins: true };
}
