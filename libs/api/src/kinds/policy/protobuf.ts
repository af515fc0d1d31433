// policy/v1 protobuf field numbers (staging/src/k8s.io/api/policy/v1/generated.proto):
// PodDisruptionBudget, and the Eviction that `kubectl drain` posts to pods/eviction.

import { type Descriptor, type Field, int, intstr, msg, msgs, str } from '../../protobuf/decode';
import { Condition, DeleteOptions, LabelSelector, ObjectMeta } from '../../protobuf/meta';

const metadata = msg('metadata', () => ObjectMeta);
/** map<string, metav1.Time>: entries whose value is a Time message. */
const timeMap = (name: string): Field => ({ name, kind: { map: 'time' } });

const PodDisruptionBudgetSpec: Descriptor = {
  1: intstr('minAvailable'),
  2: msg('selector', () => LabelSelector),
  3: intstr('maxUnavailable'),
  4: str('unhealthyPodEvictionPolicy', true),
};
const PodDisruptionBudgetStatus: Descriptor = {
  1: int('observedGeneration'),
  2: timeMap('disruptedPods'),
  3: int('disruptionsAllowed', true),
  4: int('currentHealthy', true),
  5: int('desiredHealthy', true),
  6: int('expectedPods', true),
  7: msgs('conditions', () => Condition),
};
export const PodDisruptionBudget: Descriptor = {
  1: metadata,
  2: msg('spec', () => PodDisruptionBudgetSpec),
  3: msg('status', () => PodDisruptionBudgetStatus),
};

export const Eviction: Descriptor = { 1: metadata, 2: msg('deleteOptions', () => DeleteOptions) };
