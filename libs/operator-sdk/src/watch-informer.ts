// An informer over the Kubernetes watch API (client-go's reflector): list, then
// `GET …?watch=1&resourceVersion=R&allowWatchBookmarks=true`, one JSON event per line; the
// stream ending resumes from the last resourceVersion seen, a 410 Gone relists. It needs only
// what kubectl needs (a URL, a token, a CA), so an operator outside the cluster, which has no
// NATS identity, keeps a cache the same way controllers in the cluster do over NATS
// (@keelson/controller-runtime's Informer: the same InformerStore keeps the cache, per-key
// revisions, the sync latch and the handlers for both; only the feed differs).
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeObject, WatchEvent } from '@keelson/api';
import { resourcePath, withQuery, type ClientConfig, type KeelsonClient, type ResourceRef } from '@keelson/client';
import { InformerStore, keyOf, type ReadOnlyCache, type ResourceEventHandler } from '@keelson/controller-runtime';
import { createLogger, type Logger } from '@keelson/telemetry';

export interface WatchInformerOptions {
  client: KeelsonClient;
  resource: ResourceRef;
  /** Only this namespace (default: all). */
  namespace?: string;
  /** Only objects with these labels (`app=web,tier!=db`). */
  labelSelector?: string;
  /** Re-deliver every cached object to onUpdate this often; 0 = never (default). */
  resyncPeriodMs?: number;
  /**
   * Also list every this often while watching, and converge the cache to it (0 = never, the
   * default). A level-based safety net for caches that must not stay wrong: a watch that lost
   * events (a gateway's watch cache that fell behind etcd under load did) keeps sending
   * bookmarks, so nothing else would notice. Changes the list brings reach the handlers.
   */
  relistPeriodMs?: number;
  /**
   * A watch that delivers nothing (not even a bookmark: Keelson's gateway sends one every 10 s)
   * for this long is taken for a dead connection and replaced through a relist. Default 90 s.
   */
  watchIdleTimeoutMs?: number;
  logger?: Logger;
}

/** What controllers need of an informer (both this one and the NATS-fed Informer have it). */
export interface SharedInformer<T extends KubeObject = KubeObject> {
  readonly cache: ReadOnlyCache<T>;
  hasSynced(): boolean;
  waitForSync(): Promise<void>;
  addEventHandler(h: ResourceEventHandler<T>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

class Gone extends Error {}

export class WatchInformer<T extends KubeObject = KubeObject> implements SharedInformer<T> {
  private readonly s: InformerStore<T>;
  private readonly log: Logger;
  private readonly config: ClientConfig;
  private rv = '';
  private stopped = false;
  private loop?: Promise<void>;
  private req?: ClientRequest;
  private resyncTimer?: NodeJS.Timeout;
  private relistTimer?: NodeJS.Timeout;
  private relisting = false;
  private wake?: () => void;

  constructor(private readonly opts: WatchInformerOptions) {
    const r = opts.resource;
    this.config = opts.client.config;
    this.log = (opts.logger ?? createLogger('informer')).child({ informer: r.group ? `${r.resource}.${r.group}` : r.resource });
    this.s = new InformerStore<T>(this.log);
  }

  get cache(): ReadOnlyCache<T> {
    return this.s.cache;
  }

  /** The resourceVersion the cache is at. */
  get resourceVersion(): string {
    return this.rv;
  }

  hasSynced(): boolean {
    return this.s.hasSynced();
  }

  waitForSync(): Promise<void> {
    return this.s.waitForSync();
  }

  /** Handlers added after the first sync first get every cached object as an add. */
  addEventHandler(h: ResourceEventHandler<T>): void {
    this.s.addEventHandler(h);
  }

  /** Lists and resolves once the cache holds the list; watches from there on until stop(). */
  async start(): Promise<void> {
    this.loop ??= this.run();
    await Promise.race([this.waitForSync(), this.loop]);
    if (this.opts.resyncPeriodMs && !this.resyncTimer) this.resyncTimer = setInterval(() => this.resyncNow(), this.opts.resyncPeriodMs);
    if (this.opts.relistPeriodMs && !this.relistTimer) this.relistTimer = setInterval(() => void this.relistNow(), this.opts.relistPeriodMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    clearInterval(this.relistTimer);
    this.req?.destroy();
    this.wake?.();
    await this.loop;
  }

  /** Re-delivers every cached object to onUpdate now (what the periodic resync does). */
  resyncNow(): void {
    this.s.resync();
  }

  private async run(): Promise<void> {
    let delay = 100;
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.list();
          needList = false;
        }
        await this.watch();
        delay = 100; // the server closed a healthy watch (timeoutSeconds): resume from rv
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof Gone) {
          this.log.info('watch expired; relisting', { resourceVersion: this.rv });
          needList = true;
          continue;
        }
        this.log.warn('list/watch failed; retrying', { err: String(err), delayMs: delay });
        needList = true; // level-based: converge through a fresh list
        await this.sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  /**
   * A list beside the running watch (relistPeriodMs): the cache converges to it; events the
   * watch delivers later for revisions the list already holds are dropped as stale.
   */
  async relistNow(): Promise<void> {
    if (this.relisting || this.stopped || !this.s.hasSynced()) return;
    this.relisting = true;
    try {
      await this.list(true);
    } catch (err) {
      this.log.warn('periodic relist failed', { err: String(err) });
    } finally {
      this.relisting = false;
    }
  }

  private async list(periodic = false): Promise<void> {
    const list = await this.opts.client.list<T>(this.opts.resource, this.opts.namespace, { labelSelector: this.opts.labelSelector });
    if (this.stopped) return;
    this.s.replace(list.items, Number(list.metadata.resourceVersion));
    // The watch resumes from wherever is newer: the list, or what the watch already delivered.
    const rv = list.metadata.resourceVersion ?? '';
    if (!periodic || !(Number(this.rv) >= Number(rv))) this.rv = rv;
    this.s.markSynced();
  }

  private apply(ev: WatchEvent<T>): void {
    if (ev.type === 'ERROR') {
      const status = ev.object as unknown as { code?: number; message?: string };
      if (status.code === 410) throw new Gone(status.message);
      throw new Error(`watch error: ${status.message ?? JSON.stringify(status)}`);
    }
    const obj = ev.object;
    if (obj?.metadata?.resourceVersion) this.rv = obj.metadata.resourceVersion;
    if (ev.type === 'BOOKMARK' || !obj?.metadata?.name) return;
    const revision = Number(obj.metadata.resourceVersion);
    this.s.apply(ev.type, keyOf(obj), obj, revision, { revision });
  }

  /** One watch request; resolves when the server ends it, rejects on errors (Gone for 410). */
  private watch(): Promise<void> {
    const timeoutSeconds = 240 + Math.floor(Math.random() * 120);
    const path = withQuery(resourcePath(this.opts.resource, this.opts.namespace), {
      watch: 'true', resourceVersion: this.rv, allowWatchBookmarks: 'true', timeoutSeconds, labelSelector: this.opts.labelSelector,
    });
    const url = new URL(path, this.config.url);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.config.token) headers.authorization = `Bearer ${this.config.token}`;
    if (this.config.userAgent) headers['user-agent'] = this.config.userAgent;
    return new Promise<void>((resolve, reject) => {
      const onResponse = (res: IncomingMessage): void => {
        if (res.statusCode === 410) return void (res.resume(), reject(new Gone('410 Gone')));
        if (res.statusCode !== 200) {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => reject(new Error(`watch ${url.pathname}: HTTP ${res.statusCode}: ${body.slice(0, 300)}`)));
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            try {
              this.apply(JSON.parse(line) as WatchEvent<T>);
            } catch (err) {
              req.destroy();
              return reject(err);
            }
          }
        });
        res.on('end', () => resolve());
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('watch aborted')));
      };
      const req = url.protocol === 'https:'
        ? httpsRequest(url, { method: 'GET', headers, ca: this.config.ca }, onResponse)
        : httpRequest(url, { method: 'GET', headers }, onResponse);
      this.req = req;
      req.on('error', reject);
      // Any byte resets it; a half-open connection (a peer gone without FIN) would otherwise hang here.
      const idleMs = this.opts.watchIdleTimeoutMs ?? 90_000;
      req.setTimeout(idleMs, () => req.destroy(new Error(`watch idle for ${idleMs} ms (no event or bookmark)`)));
      req.end();
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(() => { this.wake = undefined; r(); }, ms);
      this.wake = () => { clearTimeout(t); r(); };
    });
  }
}
