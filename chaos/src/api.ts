// A small Kubernetes REST client for the workload and the checks: bearer token, the cluster CA,
// and fail-over across the gateway replicas (a killed replica must not stop the workload).
import { request } from 'node:https';

export interface ApiTarget {
  urls: string[];
  token: string;
  caPem: string;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly body: string) {
    super(`HTTP ${status}: ${body.slice(0, 200)}`);
  }
}

/** Parses the server, CA and token out of a kubeconfig written by infra/local (one cluster, one user). */
export function parseKubeconfig(text: string): { server: string; caPem: string; token: string } {
  const server = /server:\s*(\S+)/.exec(text)?.[1];
  const ca = /certificate-authority-data:\s*(\S+)/.exec(text)?.[1];
  const token = /token:\s*"?([^"\s]+)"?/.exec(text)?.[1];
  if (!server || !ca || !token) throw new Error('kubeconfig lacks server, certificate-authority-data or token');
  return { server: server.replace(/^"|"$/g, ''), caPem: Buffer.from(ca, 'base64').toString('utf8'), token };
}

export class Api {
  private next = 0;
  constructor(private readonly target: ApiTarget, private readonly timeoutMs = 10_000) {}

  /** One attempt against the next gateway replica (round robin). Throws ApiError or a transport error. */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const url = this.target.urls[this.next++ % this.target.urls.length];
    return this.once<T>(url, method, path, body);
  }

  /** Whether every gateway replica answers /readyz now. */
  async allReady(): Promise<boolean> {
    const answers = await Promise.all(this.target.urls.map((u) => this.once(u, 'GET', '/readyz').then(() => true, () => false)));
    return answers.every(Boolean);
  }

  /** Retries transport errors and 5xx/429 until `deadlineMs`; other statuses are the caller's. */
  async retrying<T = unknown>(method: string, path: string, body?: unknown, deadlineMs = 60_000): Promise<T> {
    const until = Date.now() + deadlineMs;
    for (;;) {
      try {
        return await this.call<T>(method, path, body);
      } catch (err) {
        const retriable = !(err instanceof ApiError) || err.status >= 500 || err.status === 429;
        if (!retriable || Date.now() > until) throw err;
        await sleep(250);
      }
    }
  }

  private once<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
    const u = new URL(path, base);
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const contentType = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
    return new Promise<T>((resolve, reject) => {
      const req = request(u, {
        method, ca: this.target.caPem, timeout: this.timeoutMs,
        headers: { authorization: `Bearer ${this.target.token}`, accept: 'application/json', ...(data ? { 'content-type': contentType, 'content-length': data.length } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 300) return reject(new ApiError(res.statusCode ?? 0, text));
          try { resolve((text && res.headers['content-type']?.includes('json') ? JSON.parse(text) : {}) as T); } catch (e) { reject(e as Error); }
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`timeout after ${this.timeoutMs} ms`)));
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The subset of object fields the checks read. */
export interface Obj {
  metadata: {
    name: string; namespace?: string; uid: string; generation?: number; resourceVersion?: string;
    annotations?: Record<string, string>; labels?: Record<string, string>; deletionTimestamp?: string;
    ownerReferences?: Array<{ kind: string; name: string; uid: string; controller?: boolean }>;
  };
  spec?: Record<string, unknown> & { replicas?: number; nodeName?: string };
  status?: Record<string, unknown> & { conditions?: Array<{ type: string; status: string }>; observedGeneration?: number };
  data?: Record<string, string>;
}
export interface List { items: Obj[]; metadata: { resourceVersion?: string } }
