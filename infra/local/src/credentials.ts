// Local PKI and identities: a CA, the gateway's serving certificate, a kube-apiserver style
// static token file, and kubeconfigs. Idempotent: existing files are kept, only what is missing is made.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Credentials {
  caFile: string;
  certFile: string;
  keyFile: string;
  tokenFile: string;
  adminToken: string;
  /** Token per service name (always includes `api-gateway`). */
  serviceTokens: Record<string, string>;
  /** Token per node name: the kubelet of that node authenticates as `system:node:<name>` in `system:nodes`. */
  nodeTokens: Record<string, string>;
  caPem: string;
}

export interface CredentialOptions {
  /** Extra DNS names or IP addresses for the serving certificate (e.g. compose service names). */
  hostnames?: string[];
  /** Services that get their own identity in the token file. */
  services?: string[];
  /** Nodes whose kubelets get their own identity (the Node authorizer's `system:node:<name>`). */
  nodes?: string[];
  /**
   * The Services' cluster IP block (the gateway's KEELSON_SERVICE_CLUSTER_IP_RANGE, default
   * 10.96.0.0/12): the serving certificate names its first address, the `kubernetes` Service's
   * cluster IP, as kube-apiserver's does.
   */
  serviceClusterIpRange?: string;
}

/**
 * Names every serving certificate covers: loopback, the compose host names, and the names pods
 * use for the `kubernetes` Service (kube-apiserver's own alternate names).
 */
export const DEFAULT_SANS = [
  'localhost', '127.0.0.1', '::1', 'api-gateway', 'keelson-api-gateway',
  'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local',
];
export const DEFAULT_SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/12';

/** The first address of an IPv4 block (`10.96.0.0/12` → `10.96.0.1`): the `kubernetes` Service's cluster IP. */
export function apiServiceIp(cidr: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const bits = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || bits < 8 || bits > 30) throw new Error(`invalid service cluster IP range ${JSON.stringify(cidr)}: want an IPv4 block between /8 and /30, e.g. 10.96.0.0/12`);
  const base = (((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0) & (bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0);
  const first = (base + 1) >>> 0;
  return [first >>> 24, (first >>> 16) & 255, (first >>> 8) & 255, first & 255].join('.');
}
export const ADMIN_USER = 'admin';
/** The user name a service authenticates as; RBAC bootstrap roles bind to these. */
export const serviceUser = (service: string): string => `system:keelson:${service}`;
export const SERVICE_GROUP = 'system:keelson';
/** The user a kubelet authenticates as for its node (kube's node identity). */
export const nodeUser = (node: string): string => `system:node:${node}`;
export const NODES_GROUP = 'system:nodes';

const CERT_DAYS = '3650';

async function openssl(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('openssl', args, { maxBuffer: 4 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.trim() || e.message}`);
  }
}

const isIp = (h: string): boolean => /^[0-9.]+$/.test(h) || h.includes(':');

/** SAN entries (`DNS:x`, `IP Address:y`) of a certificate, as openssl prints them. */
export async function certificateSans(certFile: string): Promise<string[]> {
  const out = await openssl(['x509', '-in', certFile, '-noout', '-ext', 'subjectAltName']);
  return out.split('\n').slice(1).join(',').split(',').map((s) => s.trim()).filter(Boolean);
}

// openssl prints ::1 as "0:0:0:0:0:0:0:1"; compare IPs after normalising that one case.
function sanPresent(sans: string[], host: string): boolean {
  if (!isIp(host)) return sans.includes(`DNS:${host}`);
  const want = host === '::1' ? ['::1', '0:0:0:0:0:0:0:1'] : [host];
  return want.some((h) => sans.includes(`IP Address:${h}`));
}

async function createCa(caFile: string, keyFile: string): Promise<void> {
  await openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${keyFile}.tmp`, '-out', `${caFile}.tmp`, '-days', CERT_DAYS, '-subj', '/CN=keelson-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  // Rename last so an interrupted run never leaves a half-written CA behind.
  await chmod(`${keyFile}.tmp`, 0o600);
  await rename(`${keyFile}.tmp`, keyFile);
  await rename(`${caFile}.tmp`, caFile);
}

/** What a leaf certificate is for: serving TLS, authenticating as a TLS client, or both. */
type CertUsage = 'server' | 'client' | 'both';
const EKU: Record<CertUsage, string> = { server: 'serverAuth', client: 'clientAuth', both: 'serverAuth,clientAuth' };

/** Issues `<name>.crt`/`<name>.key` in `pki`, signed by the CA; the key is mode 0600. */
async function issueCertificate(pki: string, caFile: string, caKey: string, name: string, cn: string, usage: CertUsage, sans: string[]): Promise<void> {
  const certFile = join(pki, `${name}.crt`);
  const keyFile = join(pki, `${name}.key`);
  const csr = join(pki, `${name}.csr`);
  const ext = join(pki, `${name}.ext`);
  const altNames = sans.map((h) => (isIp(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  await writeFile(ext, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${EKU[usage]}`,
    ...(altNames ? [`subjectAltName=${altNames}`] : []),
    '',
  ].join('\n'));
  try {
    await openssl([
      'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${keyFile}.tmp`, '-out', csr, '-subj', `/CN=${cn}`,
    ]);
    await openssl([
      'x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-set_serial', `0x${randomBytes(16).toString('hex')}`,
      '-days', CERT_DAYS, '-extfile', ext, '-out', `${certFile}.tmp`,
    ]);
    await chmod(`${keyFile}.tmp`, 0o600);
    await rename(`${keyFile}.tmp`, keyFile);
    await rename(`${certFile}.tmp`, certFile);
  } finally {
    await rm(csr, { force: true });
    await rm(ext, { force: true });
  }
}

interface TokenRow { token: string; user: string; uid: string; groups: string[] }

/** Parses kube-apiserver's static token CSV: `token,user,uid,"group1,group2"`. */
export function parseTokenFile(text: string): TokenRow[] {
  const rows: TokenRow[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([^,]+),([^,]+),([^,]*)(?:,"?([^"]*)"?)?$/.exec(line);
    if (!m) throw new Error(`malformed token file line: ${line.slice(0, 40)}`);
    rows.push({ token: m[1], user: m[2], uid: m[3], groups: m[4] ? m[4].split(',').filter(Boolean) : [] });
  }
  return rows;
}

const formatTokenRow = (r: TokenRow): string => `${r.token},${r.user},${r.uid},"${r.groups.join(',')}"`;
const newToken = (): string => randomBytes(24).toString('base64url');

async function ensureTokens(tokenFile: string, services: string[], nodes: string[]): Promise<{ adminToken: string; serviceTokens: Record<string, string>; nodeTokens: Record<string, string> }> {
  const rows = existsSync(tokenFile) ? parseTokenFile(await readFile(tokenFile, 'utf8')) : [];
  const before = rows.length;
  // An identity keeps its token across restarts; a missing one gets a fresh token.
  const tokenOf = (user: string, group: string): string => {
    let row = rows.find((r) => r.user === user);
    if (!row) {
      row = { token: newToken(), user, uid: user, groups: [group] };
      rows.push(row);
    }
    return row.token;
  };
  const adminToken = tokenOf(ADMIN_USER, 'system:masters');
  const serviceTokens = Object.fromEntries(services.map((svc) => [svc, tokenOf(serviceUser(svc), SERVICE_GROUP)]));
  const nodeTokens = Object.fromEntries(nodes.map((node) => [node, tokenOf(nodeUser(node), NODES_GROUP)]));
  if (rows.length !== before) {
    await writeFile(`${tokenFile}.tmp`, rows.map(formatTokenRow).join('\n') + '\n', { mode: 0o600 });
    await rename(`${tokenFile}.tmp`, tokenFile);
  }
  return { adminToken, serviceTokens, nodeTokens };
}

/**
 * Makes sure `dir/pki/{ca,apiserver}.{crt,key}` and `dir/tokens.csv` exist and returns them.
 * The serving certificate is re-issued (by the same CA) only when a requested SAN is missing.
 */
export async function ensureCredentials(dir: string, opts: CredentialOptions = {}): Promise<Credentials> {
  const pki = join(dir, 'pki');
  await mkdir(pki, { recursive: true, mode: 0o700 });
  const caFile = join(pki, 'ca.crt');
  const caKey = join(pki, 'ca.key');
  const certFile = join(pki, 'apiserver.crt');
  const keyFile = join(pki, 'apiserver.key');
  const tokenFile = join(dir, 'tokens.csv');

  if (!existsSync(caFile) || !existsSync(caKey)) {
    await createCa(caFile, caKey);
    // A new CA invalidates every certificate the old one signed.
    for (const leaf of ['apiserver', 'etcd-server', 'etcd-client', 'nats-server']) await rm(join(pki, `${leaf}.crt`), { force: true });
  }
  const sans = [...new Set([...DEFAULT_SANS, apiServiceIp(opts.serviceClusterIpRange ?? DEFAULT_SERVICE_CLUSTER_IP_RANGE), ...(opts.hostnames ?? [])])];
  const haveCert = existsSync(certFile) && existsSync(keyFile);
  const existing = haveCert ? await certificateSans(certFile) : [];
  if (!haveCert || !sans.every((h) => sanPresent(existing, h))) {
    await issueCertificate(pki, caFile, caKey, 'apiserver', 'keelson-apiserver', 'server', sans);
  }

  const services = [...new Set(['api-gateway', ...(opts.services ?? [])])];
  const { adminToken, serviceTokens, nodeTokens } = await ensureTokens(tokenFile, services, opts.nodes ?? []);
  // One file per service too, so a container can read its own token at start (`tokens/<svc>.token`).
  await mkdir(join(dir, 'tokens'), { recursive: true, mode: 0o700 });
  // A home made by an older version may have looser modes: credentials are their owner's alone.
  for (const d of [pki, join(dir, 'tokens')]) await chmod(d, 0o700);
  for (const f of [tokenFile, caKey, keyFile]) await chmod(f, 0o600);
  for (const [svc, token] of Object.entries(serviceTokens)) {
    const f = join(dir, 'tokens', `${svc}.token`);
    if (!existsSync(f) || (await readFile(f, 'utf8')) !== token) await writeFile(f, token, { mode: 0o600 });
  }
  // And one per node (`tokens/nodes/<node>.token`): a kubelet container reads only its node's.
  if (Object.keys(nodeTokens).length) await mkdir(join(dir, 'tokens', 'nodes'), { recursive: true, mode: 0o700 });
  for (const [node, token] of Object.entries(nodeTokens)) {
    const f = join(dir, 'tokens', 'nodes', `${node}.token`);
    if (!existsSync(f) || (await readFile(f, 'utf8')) !== token) await writeFile(f, token, { mode: 0o600 });
  }
  return { caFile, certFile, keyFile, tokenFile, adminToken, serviceTokens, nodeTokens, caPem: await readFile(caFile, 'utf8') };
}

export interface EtcdCertificates {
  caFile: string;
  /** etcd's serving certificate (`--cert-file`/`--key-file`). */
  serverCertFile: string;
  serverKeyFile: string;
  /** The gateway's client certificate (`KEELSON_ETCD_CERT_FILE`/`_KEY_FILE`): the only one etcd accepts. */
  clientCertFile: string;
  clientKeyFile: string;
}

/** Names etcd's serving certificate covers: loopback and the compose host name. */
export const ETCD_SANS = ['localhost', '127.0.0.1', '::1', 'etcd'];

/**
 * etcd's serving certificate and the gateway's etcd client certificate, signed by the local CA
 * (`dir/pki/ca.{crt,key}`, made by ensureCredentials; created here when missing). Idempotent.
 * etcd runs with `--client-cert-auth --trusted-ca-file <ca>`: only holders of a certificate
 * from this CA, i.e. the gateway, reach it; the CA key and the client key stay private (0600).
 */
export async function ensureEtcdCertificates(dir: string, hostnames: string[] = []): Promise<EtcdCertificates> {
  const pki = join(dir, 'pki');
  await mkdir(pki, { recursive: true, mode: 0o700 });
  const caFile = join(pki, 'ca.crt');
  const caKey = join(pki, 'ca.key');
  if (!existsSync(caFile) || !existsSync(caKey)) {
    await createCa(caFile, caKey);
    for (const leaf of ['apiserver', 'etcd-server', 'etcd-client', 'nats-server']) await rm(join(pki, `${leaf}.crt`), { force: true });
  }
  const out: EtcdCertificates = {
    caFile,
    serverCertFile: join(pki, 'etcd-server.crt'),
    serverKeyFile: join(pki, 'etcd-server.key'),
    clientCertFile: join(pki, 'etcd-client.crt'),
    clientKeyFile: join(pki, 'etcd-client.key'),
  };
  const sans = [...new Set([...ETCD_SANS, ...hostnames])];
  const existing = existsSync(out.serverCertFile) && existsSync(out.serverKeyFile) ? await certificateSans(out.serverCertFile) : [];
  // Server and client usage, as kubeadm issues etcd's: etcd's own gRPC gateway dials its client
  // port with this certificate, and etcd refuses a client certificate without clientAuth.
  const usable = existing.length > 0 && (await openssl(['x509', '-in', out.serverCertFile, '-noout', '-ext', 'extendedKeyUsage'])).includes('Client Authentication');
  if (!usable || !sans.every((h) => sanPresent(existing, h))) await issueCertificate(pki, caFile, caKey, 'etcd-server', 'keelson-etcd', 'both', sans);
  if (!existsSync(out.clientCertFile) || !existsSync(out.clientKeyFile)) {
    await issueCertificate(pki, caFile, caKey, 'etcd-client', 'keelson-api-gateway', 'client', []);
  }
  return out;
}

/** Names the NATS server certificate covers: loopback and the compose host name. */
export const NATS_SANS = ['localhost', '127.0.0.1', '::1', 'nats'];

/**
 * NATS' serving certificate (`dir/pki/nats-server.{crt,key}`), signed by the local CA (created
 * when missing): clients verify it with the CA (`KEELSON_NATS_CA_FILE`). Idempotent.
 */
export async function ensureNatsCertificate(dir: string, hostnames: string[] = []): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  const pki = join(dir, 'pki');
  await mkdir(pki, { recursive: true, mode: 0o700 });
  const caFile = join(pki, 'ca.crt');
  const caKey = join(pki, 'ca.key');
  if (!existsSync(caFile) || !existsSync(caKey)) {
    await createCa(caFile, caKey);
    for (const leaf of ['apiserver', 'etcd-server', 'etcd-client', 'nats-server']) await rm(join(pki, `${leaf}.crt`), { force: true });
  }
  const out = { caFile, certFile: join(pki, 'nats-server.crt'), keyFile: join(pki, 'nats-server.key') };
  const sans = [...new Set([...NATS_SANS, ...hostnames])];
  const existing = existsSync(out.certFile) && existsSync(out.keyFile) ? await certificateSans(out.certFile) : [];
  if (!sans.every((h) => sanPresent(existing, h))) await issueCertificate(pki, caFile, caKey, 'nats-server', 'keelson-nats', 'server', sans);
  return out;
}

/** Writes a kubeconfig (cluster, user and context all named `keelson`-ish) embedding the CA. */
export async function writeKubeconfig(path: string, server: string, caPem: string, token: string, user = 'admin'): Promise<void> {
  const q = (s: string): string => JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar
  const yaml = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: keelson',
    '  cluster:',
    `    server: ${q(server)}`,
    `    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}`,
    'users:',
    `- name: ${q(user)}`,
    '  user:',
    `    token: ${q(token)}`,
    'contexts:',
    '- name: keelson',
    '  context:',
    '    cluster: keelson',
    `    user: ${q(user)}`,
    'current-context: keelson',
    'preferences: {}',
    '',
  ].join('\n');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, yaml, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}
