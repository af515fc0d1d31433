// The audit log (kube-apiserver's --audit-log-path with --audit-policy-file): one JSON line,
// an audit.k8s.io/v1 Event at stage ResponseComplete, per authenticated request the policy
// does not set to None; a refused credential gets one line at ResponseStarted with no user, as
// kube's. Request level adds the request body, RequestResponse the response body (both
// bounded). Secrets, ConfigMaps and TokenRequests never log bodies: their data is credentials
// (kube's advice is a Metadata rule for them; Keelson enforces it).
// Latency and the trace id are annotations, kube's place for what its Event has no field for.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeKubernetesProtobuf, isProtobufContentType, microTime } from '@keelson/api';
import { envNumber } from '@keelson/controller-runtime';
import { activeIds } from '@keelson/telemetry';
import { RotatingFileSink, stdoutSink, type AuditSink } from './audit-sink';
import { DEFAULT_POLICY, auditLevelOf, parseAuditPolicy, type AuditLevel, type AuditPolicy } from './audit-policy';
import type { UserInfo } from './auth';
import type { ResourceRequest } from './request-info';

export interface AuditConfig {
  /** `KEELSON_AUDIT_LOG_PATH`: a file (appended), `-` for stdout; unset: no audit log. */
  path?: string;
  /** `KEELSON_AUDIT_POLICY_FILE`: an audit.k8s.io/v1 Policy (YAML or JSON). */
  policyFile?: string;
  /** `KEELSON_AUDIT_MAX_BODY_BYTES` (64 KiB): larger request/response bodies are left out. */
  maxBodyBytes: number;
  /** `KEELSON_AUDIT_LOG_MAXSIZE_MB` (100, 0 = never): the file is rotated past this size (kube's --audit-log-maxsize). */
  maxSizeBytes: number;
  /** `KEELSON_AUDIT_LOG_MAXBACKUP` (3): rotated files kept (kube's --audit-log-maxbackup). */
  maxBackups: number;
}

export function auditConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AuditConfig {
  const num = (name: string, fallback: number): number => envNumber(env, name, fallback);
  return {
    path: env.KEELSON_AUDIT_LOG_PATH || undefined,
    policyFile: env.KEELSON_AUDIT_POLICY_FILE || undefined,
    maxBodyBytes: num('KEELSON_AUDIT_MAX_BODY_BYTES', 64 * 1024),
    maxSizeBytes: num('KEELSON_AUDIT_LOG_MAXSIZE_MB', 100) * 1024 * 1024,
    maxBackups: num('KEELSON_AUDIT_LOG_MAXBACKUP', 3),
  };
}

/** Bodies of these (group/resource[/subresource]) are never logged. */
const SENSITIVE = new Set(['/secrets', '/configmaps', '/serviceaccounts/token', 'authentication.k8s.io/tokenreviews']);

export class AuditLog {
  private constructor(
    private readonly policy: AuditPolicy,
    private readonly out: AuditSink,
    private readonly maxBodyBytes: number,
  ) {}

  /** undefined when no log path is configured; throws on an invalid policy file (at start, like kube). */
  static fromConfig(config: AuditConfig): AuditLog | undefined {
    if (!config.path) return undefined;
    const policy = config.policyFile ? parseAuditPolicy(readFileSync(config.policyFile, 'utf8')) : DEFAULT_POLICY;
    const sink = config.path === '-' ? stdoutSink : new RotatingFileSink(config.path, config.maxSizeBytes, config.maxBackups);
    return new AuditLog(policy, sink, config.maxBodyBytes);
  }

  close(): Promise<void> {
    return this.out.close();
  }

  /**
   * Called synchronously once the user is known: decides the level, taps the bodies it needs
   * and writes the event when the response completes (or the client goes away).
   */
  record(req: IncomingMessage, res: ServerResponse, user: UserInfo, rr: ResourceRequest | undefined, url: URL): void {
    this.begin(req, res, user, rr, url);
  }

  /**
   * A request whose credentials were refused (401), as kube's WithFailedAuthenticationAudit
   * logs it: no user, stage ResponseStarted, and in responseStatus which methods were tried.
   */
  recordFailedAuthentication(req: IncomingMessage, res: ServerResponse, rr: ResourceRequest | undefined, url: URL): void {
    this.begin(req, res, undefined, rr, url);
  }

  private begin(req: IncomingMessage, res: ServerResponse, user: UserInfo | undefined, rr: ResourceRequest | undefined, url: URL): void {
    const received = new Date();
    const verb = rr ? rr.verb : (req.method ?? 'GET').toLowerCase();
    let level: AuditLevel = auditLevelOf(this.policy, {
      user: user?.name ?? '',
      groups: user?.groups ?? [],
      verb,
      resourceRequest: rr !== undefined,
      group: rr?.group ?? '',
      resource: rr?.resource ?? '',
      subresource: rr?.subresource,
      namespace: rr?.namespace,
      name: rr?.name,
      path: url.pathname,
    });
    if (level === 'None') return;
    if (rr && (SENSITIVE.has(`${rr.group}/${rr.resource}/${rr.subresource ?? ''}`.replace(/\/$/, '')) || SENSITIVE.has(`${rr.group}/${rr.resource}`))) level = 'Metadata';
    const auditID = headerOf(req, 'audit-id') ?? randomUUID();
    res.setHeader('Audit-Id', auditID);
    const traceId = activeIds()?.traceId;
    const requestBody = level === 'Request' || level === 'RequestResponse' ? tapRequest(req, this.maxBodyBytes) : undefined;
    // A create names its object in the body: kube's objectRef carries the created name at every level.
    const createsUnnamed = rr?.verb === 'create' && !rr.name;
    const responseTap = level === 'RequestResponse' || createsUnnamed ? tapResponse(res, this.maxBodyBytes) : undefined;
    let written = false;
    const write = (): void => {
      if (written) return;
      written = true;
      const done = new Date();
      const event: Record<string, unknown> = {
        kind: 'Event',
        apiVersion: 'audit.k8s.io/v1',
        level,
        auditID,
        stage: user ? 'ResponseComplete' : 'ResponseStarted',
        requestURI: req.url ?? url.pathname,
        verb,
        user: user ? { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups } : {},
        sourceIPs: sourceIPs(req),
        userAgent: headerOf(req, 'user-agent'),
        ...(rr
          ? {
              objectRef: {
                resource: rr.resource,
                ...(rr.namespace ? { namespace: rr.namespace } : {}),
                ...(rr.name ? { name: rr.name } : {}),
                apiGroup: rr.group,
                apiVersion: rr.version,
                ...(rr.subresource ? { subresource: rr.subresource } : {}),
              },
            }
          : {}),
        responseStatus: { metadata: {}, ...(user ? {} : { message: attemptedAuthentication(req, url) }), code: res.statusCode },
        requestReceivedTimestamp: microTime(received),
        stageTimestamp: microTime(done),
        annotations: {
          'apiserver.latency.k8s.io/total': `${done.getTime() - received.getTime()}ms`,
          ...(traceId && !/^0+$/.test(traceId) ? { 'trace.keelson.io/trace-id': traceId } : {}),
        },
      };
      const reqObj = requestBody && decodeBody(requestBody.bytes(), String(req.headers['content-type'] ?? 'application/json'));
      if (reqObj !== undefined) event.requestObject = reqObj;
      const resObj = responseTap && decodeBody(responseTap.bytes(), String(res.getHeader('content-type') ?? ''));
      if (resObj !== undefined && level === 'RequestResponse') event.responseObject = resObj;
      const created = createsUnnamed && res.statusCode < 300 ? objectName(resObj) : undefined;
      if (created && event.objectRef) (event.objectRef as Record<string, unknown>).name = created;
      this.out.write(JSON.stringify(event) + '\n');
    };
    res.once('finish', write);
    res.once('close', write);
  }
}

/** kube's getAuthMethods: what the client tried, never the credential itself. */
function attemptedAuthentication(req: IncomingMessage, url: URL): string {
  const methods: string[] = [];
  const authorization = (headerOf(req, 'authorization') ?? '').trim();
  if (/^basic\s+\S/i.test(authorization)) methods.push('basic');
  const parts = authorization.split(' ');
  if (parts.length > 1 && parts[0].toLowerCase() === 'bearer') methods.push('bearer');
  if (url.searchParams.get('access_token')?.trim()) methods.push('access_token');
  return methods.length ? `Authentication failed, attempted: ${methods.join(', ')}` : 'Authentication failed, no credentials provided';
}

function objectName(obj: unknown): string | undefined {
  const meta = obj && typeof obj === 'object' ? (obj as { metadata?: unknown }).metadata : undefined;
  const name = meta && typeof meta === 'object' ? (meta as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : undefined;
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** X-Forwarded-For first (as kube's utilnet.SourceIPs), then the peer. */
function sourceIPs(req: IncomingMessage): string[] {
  const forwarded = (headerOf(req, 'x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const peer = req.socket.remoteAddress?.replace(/^::ffff:/, '');
  return [...forwarded, ...(peer && !forwarded.includes(peer) ? [peer] : [])];
}

interface Tap {
  /** The captured bytes, or undefined when they exceeded the limit. */
  bytes(): Buffer | undefined;
}

function collector(limit: number): Tap & { add(chunk: unknown, encoding?: BufferEncoding): void } {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  return {
    add(chunk, encoding) {
      if (over || chunk === null || chunk === undefined || typeof chunk === 'function') return;
      const buf = Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk instanceof Uint8Array ? Buffer.from(chunk) : undefined;
      if (!buf) return;
      size += buf.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(buf);
    },
    bytes: () => (over ? undefined : Buffer.concat(chunks)),
  };
}

/**
 * Sees the request body as the HTTP parser pushes it into the stream, without consuming it
 * (the handler still reads it however it likes).
 */
function tapRequest(req: IncomingMessage, limit: number): Tap {
  const c = collector(limit);
  const push = req.push.bind(req);
  req.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    c.add(chunk, encoding);
    return push(chunk, encoding);
  };
  return c;
}

function tapResponse(res: ServerResponse, limit: number): Tap {
  const c = collector(limit);
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    c.add(chunk, typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : undefined);
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    c.add(chunk, typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : undefined);
    return end(chunk, ...rest);
  }) as ServerResponse['end'];
  return c;
}

/** JSON (or protobuf, decoded) bodies become objects; anything else is left out. */
function decodeBody(bytes: Buffer | undefined, contentType: string): unknown {
  if (!bytes || bytes.length === 0) return undefined;
  const type = contentType.split(';')[0].trim().toLowerCase();
  try {
    if (isProtobufContentType(type)) return decodeKubernetesProtobuf(bytes);
    if (type === 'application/json' || type.endsWith('+json') || type === '') return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  return undefined;
}
