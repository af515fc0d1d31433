// The pod-start part of a user action's trace: from the binding the kubelet saw (the event's
// trace, else the pod's keelson.dev/traceparent) to every container's first probe success.
// `pod start` is the parent of `sandbox` (runtime state for the pod), `pull image`,
// `start process` and `first probe success` per container; it ends once every container
// is ready (or the pod stops first). Later restarts are not part of it.
import { SpanStatusCode, backgroundContext, context, contextFromTraceparent, trace, tracer, withSpan, type Attributes, type Context, type Span } from '@keelson/telemetry';

export interface PodStartCause {
  traceparent?: string;
  tracestate?: string;
  /** A resync or relist sighting of an already known pod: background, not a trace. */
  background?: boolean;
}

export class PodStartTrace {
  private readonly span: Span;
  private readonly ctx: Context;
  private readonly probing = new Map<string, Span>();
  private readonly waitingFor: Set<string>;
  private ended = false;

  constructor(pod: { metadata: { namespace?: string; name?: string; uid?: string }; spec: { containers: { name: string }[] } }, node: string, cause: PodStartCause) {
    const parent = cause.traceparent ? contextFromTraceparent(cause.traceparent, cause.tracestate) : cause.background ? backgroundContext() : context.active();
    this.span = tracer().startSpan('pod start', {
      attributes: { 'k8s.namespace.name': pod.metadata.namespace ?? '', 'k8s.pod.name': pod.metadata.name ?? '', 'k8s.pod.uid': pod.metadata.uid ?? '', 'k8s.node.name': node },
    }, parent);
    this.ctx = trace.setSpan(parent, this.span);
    this.waitingFor = new Set(pod.spec.containers.map((c) => c.name));
  }

  /** Runs one step of the start under its own span (or untraced once the start is over). */
  step<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
    if (this.ended) return fn();
    return withSpan(name, attributes, fn, this.ctx);
  }

  /** A container's process runs: its first probe success is now awaited. */
  processStarted(container: string, probe: 'startup' | 'readiness' | 'none'): void {
    if (this.ended || this.probing.has(container) || !this.waitingFor.has(container)) return;
    this.probing.set(container, tracer().startSpan('first probe success', { attributes: { 'k8s.container.name': container, 'keelson.probe': probe } }, this.ctx));
  }

  /** A container became ready (or started, with no probe): ends the pod start once all are. */
  ready(container: string): void {
    if (this.ended || !this.waitingFor.delete(container)) return;
    this.probing.get(container)?.end();
    this.probing.delete(container);
    if (this.waitingFor.size === 0) this.end();
  }

  /** The start is over before every container got ready (stopped, deleted, kubelet exit). */
  end(reason?: string): void {
    if (this.ended) return;
    this.ended = true;
    for (const s of this.probing.values()) s.end();
    if (reason) {
      this.span.setAttribute('keelson.pod_start.ended', reason);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
    }
    this.span.end();
  }
}
