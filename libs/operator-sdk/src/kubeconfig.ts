// Where an operator outside the cluster finds the API: a kubeconfig, as kubectl does
// (`$KUBECONFIG`, else `~/.kube/config`), or Keelson's own variables (KEELSON_API_URL,
// KEELSON_TOKEN(_FILE), KEELSON_CA_FILE) that `npm start` gives every service.
// Bearer tokens only (what Keelson's gateway authenticates); client certificates and exec
// plugins are refused with a message, not ignored.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { clientConfigFromEnv, type ClientConfig } from '@keelson/client';

/** A kubeconfig this SDK cannot use, with the reason. */
export class KubeconfigError extends Error {
  constructor(message: string, readonly path: string) {
    super(`${path}: ${message}`);
    this.name = 'KubeconfigError';
  }
}

interface Named<T> { name: string; [k: string]: unknown; cluster?: T; user?: T; context?: T }
interface RawKubeconfig {
  'current-context'?: string;
  clusters?: Named<{ server?: string; 'certificate-authority'?: string; 'certificate-authority-data'?: string }>[];
  users?: Named<{ token?: string; tokenFile?: string; 'client-certificate'?: string; 'client-certificate-data'?: string; exec?: unknown }>[];
  contexts?: Named<{ cluster?: string; user?: string; namespace?: string }>[];
}

export interface KubeconfigOptions {
  /** A kubeconfig file; default the first entry of $KUBECONFIG, else ~/.kube/config. */
  path?: string;
  /** A context other than current-context. */
  context?: string;
  /** Sent as User-Agent (shows in managedFields and the gateway's logs). */
  userAgent?: string;
}

/** The kubeconfig kubectl would use. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = (env.KUBECONFIG ?? '').split(':').find(Boolean);
  return first ?? join(homedir(), '.kube', 'config');
}

/** Client settings from a kubeconfig: server, CA (inline or file) and bearer token (inline or tokenFile). */
export function clientConfigFromKubeconfig(opts: KubeconfigOptions = {}): ClientConfig & { namespace?: string } {
  const path = resolve(opts.path ?? defaultKubeconfigPath());
  let raw: RawKubeconfig;
  try {
    raw = parse(readFileSync(path, 'utf8')) as RawKubeconfig;
  } catch (err) {
    throw new KubeconfigError(`cannot read: ${err instanceof Error ? err.message : String(err)}`, path);
  }
  const ctxName = opts.context ?? raw['current-context'];
  if (!ctxName) throw new KubeconfigError('no current-context', path);
  const ctx = raw.contexts?.find((c) => c.name === ctxName)?.context;
  if (!ctx) throw new KubeconfigError(`context ${JSON.stringify(ctxName)} not found`, path);
  const cluster = raw.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster?.server) throw new KubeconfigError(`cluster ${JSON.stringify(ctx.cluster)} has no server`, path);
  const user = raw.users?.find((u) => u.name === ctx.user)?.user ?? {};
  const rel = (p: string): string => (isAbsolute(p) ? p : join(dirname(path), p));
  const cfg: ClientConfig & { namespace?: string } = { url: cluster.server };
  if (cluster['certificate-authority-data']) cfg.ca = Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8');
  else if (cluster['certificate-authority']) cfg.ca = readFileSync(rel(cluster['certificate-authority']), 'utf8');
  if (user.token) cfg.token = user.token;
  else if (user.tokenFile) cfg.token = readFileSync(rel(user.tokenFile), 'utf8').trim();
  else if (user['client-certificate'] || user['client-certificate-data'] || user.exec) {
    throw new KubeconfigError(`user ${JSON.stringify(ctx.user)}: only bearer tokens are supported (token or tokenFile)`, path);
  }
  if (ctx.namespace) cfg.namespace = ctx.namespace;
  if (opts.userAgent) cfg.userAgent = opts.userAgent;
  return cfg;
}

/**
 * The configuration an operator runs with: Keelson's variables when KEELSON_API_URL is set
 * (in the cluster, or started by `npm start`), else the kubeconfig kubectl would use.
 */
export function loadClientConfig(opts: KubeconfigOptions & { env?: NodeJS.ProcessEnv } = {}): ClientConfig {
  const env = opts.env ?? process.env;
  if (!opts.path && env.KEELSON_API_URL) return clientConfigFromEnv(env, opts.userAgent);
  return clientConfigFromKubeconfig({ ...opts, path: opts.path ?? defaultKubeconfigPath(env) });
}
