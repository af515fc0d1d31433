// Scaling behaviour of kube's HPA (horizontal.go: stabilizeRecommendationWithBehaviors,
// convertDesiredReplicasWithBehaviorRate, calculateScale{Up,Down}Limit...): recommendations are
// stabilised over each direction's window (scale-down keeps the highest recent recommendation),
// then the policies cap how many pods may be added or removed per period, then min/maxReplicas.
// Per-HPA history lives in BehaviorState; the clock is an argument, so all of it is testable.

export interface ScalingPolicy { type: 'Pods' | 'Percent' | string; value: number; periodSeconds: number }
export interface ScalingRules { stabilizationWindowSeconds?: number; selectPolicy?: 'Max' | 'Min' | 'Disabled' | string; policies?: ScalingPolicy[] }
export interface Behavior { scaleUp?: ScalingRules; scaleDown?: ScalingRules }

interface Recommendation { replicas: number; at: number }
interface ScaleEvent { change: number; at: number; outdated: boolean }

/** The remembered recommendations and scale events of one HPA. */
export interface BehaviorState {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export const newBehaviorState = (): BehaviorState => ({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });

/** The API's defaults, with the controller's scale-down window (--horizontal-pod-autoscaler-downscale-stabilization). */
export function withDefaults(b: Behavior | undefined, downscaleWindowSeconds: number): Required<Behavior> & { scaleUp: Required<ScalingRules>; scaleDown: Required<ScalingRules> } {
  const up = b?.scaleUp ?? {};
  const down = b?.scaleDown ?? {};
  return {
    scaleUp: {
      stabilizationWindowSeconds: up.stabilizationWindowSeconds ?? 0,
      selectPolicy: up.selectPolicy ?? 'Max',
      policies: up.policies ?? [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }],
    },
    scaleDown: {
      stabilizationWindowSeconds: down.stabilizationWindowSeconds ?? downscaleWindowSeconds,
      selectPolicy: down.selectPolicy ?? 'Max',
      policies: down.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    },
  };
}

export interface ConditionVerdict { status: 'True' | 'False'; reason: string; message: string }

export interface NormalizeArgs {
  behavior: ReturnType<typeof withDefaults>;
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
  now: number;
}

export interface NormalizeResult {
  replicas: number;
  ableToScale: ConditionVerdict;
  scalingLimited: ConditionVerdict;
}

/** stabilizeRecommendationWithBehaviors: records the raw recommendation and returns the stabilised one. */
export function stabilize(state: BehaviorState, a: NormalizeArgs): { replicas: number; reason: string; message: string } {
  const upCutoff = a.now - a.behavior.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoff = a.now - a.behavior.scaleDown.stabilizationWindowSeconds * 1000;
  let up = a.desiredReplicas;
  let down = a.desiredReplicas;
  let oldIndex = -1;
  state.recommendations.forEach((r, i) => {
    if (r.at > upCutoff) up = Math.min(up, r.replicas);
    if (r.at > downCutoff) down = Math.max(down, r.replicas);
    if (r.at < upCutoff && r.at < downCutoff) oldIndex = i;
  });
  let replicas = a.currentReplicas;
  if (replicas < up) replicas = up;
  if (replicas > down) replicas = down;
  const rec = { replicas: a.desiredReplicas, at: a.now };
  if (oldIndex >= 0) state.recommendations[oldIndex] = rec;
  else state.recommendations.push(rec);
  return a.desiredReplicas >= a.currentReplicas
    ? { replicas, reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
    : { replicas, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
}

function changeInPeriod(periodSeconds: number, events: ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.filter((e) => e.at > cutoff).reduce((s, e) => s + e.change, 0);
}

/** calculateScaleUpLimitWithScalingRules. */
export function scaleUpLimit(current: number, state: BehaviorState, rules: Required<ScalingRules>, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules.policies) {
    const start = current - changeInPeriod(p.periodSeconds, state.scaleUpEvents, now) + changeInPeriod(p.periodSeconds, state.scaleDownEvents, now);
    // Rounded up: a small percentage of few pods must still allow one more pod.
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors. */
export function scaleDownLimit(current: number, state: BehaviorState, rules: Required<ScalingRules>, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies) {
    const start = current - changeInPeriod(p.periodSeconds, state.scaleUpEvents, now) + changeInPeriod(p.periodSeconds, state.scaleDownEvents, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pickMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** convertDesiredReplicasWithBehaviorRate: the policies' rate limits, then min/maxReplicas. */
export function applyRate(state: BehaviorState, a: NormalizeArgs): { replicas: number; reason: string; message: string } {
  if (a.desiredReplicas > a.currentReplicas) {
    const limit = Math.max(scaleUpLimit(a.currentReplicas, state, a.behavior.scaleUp, a.now), a.currentReplicas);
    const capped = a.maxReplicas > limit;
    const maximum = capped ? limit : a.maxReplicas;
    if (a.desiredReplicas > maximum) {
      return capped
        ? { replicas: maximum, reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' }
        : { replicas: maximum, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
    }
  } else if (a.desiredReplicas < a.currentReplicas) {
    const limit = Math.min(scaleDownLimit(a.currentReplicas, state, a.behavior.scaleDown, a.now), a.currentReplicas);
    const capped = a.minReplicas < limit;
    const minimum = capped ? limit : a.minReplicas;
    if (a.desiredReplicas < minimum) {
      return capped
        ? { replicas: minimum, reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' }
        : { replicas: minimum, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
    }
  }
  return { replicas: a.desiredReplicas, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}

/** normalizeDesiredReplicasWithBehaviors: stabilise, rate-limit, clamp; with the AbleToScale and ScalingLimited verdicts. */
export function normalizeWithBehavior(state: BehaviorState, a: NormalizeArgs): NormalizeResult {
  const stabilized = stabilize(state, a);
  const ableToScale: ConditionVerdict = stabilized.replicas !== a.desiredReplicas
    ? { status: 'True', reason: stabilized.reason, message: stabilized.message }
    : { status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
  const rated = applyRate(state, { ...a, desiredReplicas: stabilized.replicas });
  const scalingLimited: ConditionVerdict = { status: rated.replicas === stabilized.replicas ? 'False' : 'True', reason: rated.reason, message: rated.message };
  return { replicas: rated.replicas, ableToScale, scalingLimited };
}

/** storeScaleEvent: remembers a rescale for the policies' periods, reusing outdated entries. */
export function recordScaleEvent(state: BehaviorState, behavior: ReturnType<typeof withDefaults>, previous: number, next: number, now: number): void {
  const longest = (rules: Required<ScalingRules>) => Math.max(0, ...rules.policies.map((p) => p.periodSeconds)) * 1000;
  const store = (events: ScaleEvent[], change: number, periodMs: number) => {
    for (const e of events) if (e.at < now - periodMs) e.outdated = true;
    const fresh = { change, at: now, outdated: false };
    const i = events.findIndex((e) => e.outdated);
    if (i >= 0) events[i] = fresh;
    else events.push(fresh);
  };
  if (next > previous) store(state.scaleUpEvents, next - previous, longest(behavior.scaleUp));
  else if (next < previous) store(state.scaleDownEvents, previous - next, longest(behavior.scaleDown));
}
