// ClusterRole aggregation (pkg/controller/clusterroleaggregation): an aggregated ClusterRole's
// rules are the union, without duplicates, of the rules of every other ClusterRole matching one
// of its clusterRoleSelectors. The gateway keeps them filled: after each change of the
// clusterroles watch cache it recomputes and writes the roles whose rules differ.
import { selectorMatches, type KubeObject } from '@keelson/api';
import type { Logger } from '@keelson/telemetry';
import type { RequestContext } from '../registry/request-context';
import type { ResourceStore } from '../registry/resource-store';
import type { PolicyCache } from './rbac';

type Json = Record<string, unknown>;

/** The rules `role` aggregates from `all` (in name order, first occurrence kept), or undefined when it aggregates nothing. */
export function aggregatedRules(role: KubeObject, all: KubeObject[]): unknown[] | undefined {
  const rule = role.aggregationRule as Json | undefined;
  const selectors = Array.isArray(rule?.clusterRoleSelectors) ? (rule.clusterRoleSelectors as Json[]) : undefined;
  if (!selectors || selectors.length === 0) return undefined;
  const out: unknown[] = [];
  const seen = new Set<string>();
  const sorted = [...all].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const other of sorted) {
    if (other.metadata.name === role.metadata.name) continue;
    const labels = other.metadata.labels ?? {};
    if (!selectors.some((s) => selectorMatches(s ?? {}, labels))) continue;
    for (const r of Array.isArray(other.rules) ? other.rules : []) {
      const k = JSON.stringify(r);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(r);
    }
  }
  return out;
}

/**
 * Every aggregated role's rules once aggregation has settled: roles aggregating other aggregated
 * roles (admin ← edit ← view) are recomputed until nothing changes, so one pass writes final
 * rules. Returns the roles whose rules change, with their new rules.
 */
export function settleAggregation(roles: KubeObject[]): Map<string, unknown[]> {
  const current = roles.map((r) => ({ ...r }));
  const changed = new Map<string, unknown[]>();
  for (let pass = 0; pass <= current.length; pass++) {
    let progress = false;
    for (const role of current) {
      const want = aggregatedRules(role, current);
      if (!want || JSON.stringify(want) === JSON.stringify(role.rules ?? [])) continue;
      role.rules = want;
      changed.set(role.metadata.name ?? '', want);
      progress = true;
    }
    if (!progress) break;
  }
  return changed;
}

export class ClusterRoleAggregator {
  private timer: NodeJS.Timeout | undefined;
  private seenRevision = -1;
  private running = false;

  constructor(
    private readonly cache: PolicyCache,
    private readonly store: ResourceStore,
    private readonly ctx: () => RequestContext,
    private readonly log: Logger,
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sync(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass: writes every aggregated role whose rules are not the union it should hold. */
  async sync(): Promise<void> {
    const revision = this.cache.currentRevision();
    if (this.running || revision === this.seenRevision) return;
    this.running = true;
    try {
      for (const [name, rules] of settleAggregation(this.cache.list().items)) {
        await this.store.update(undefined, name, (current) => ({ ...current, rules }), this.ctx());
      }
      this.seenRevision = revision;
    } catch (e) {
      this.log.warn('clusterrole aggregation failed', { err: String(e) });
    } finally {
      this.running = false;
    }
  }
}
