// apps/v1, coordination/v1 and autoscaling/v1 descriptors (batch/v1 lives in kinds/batch).

import { bool, type Descriptor, int, intstr, microtime, msg, msgs, str, strs, time } from './decode';
import { LabelSelector, ObjectMeta } from './meta';
import { PodTemplateSpec } from './pod';

const metadata = msg('metadata', () => ObjectMeta);
const selector = (n: number): Descriptor => ({ [n]: msg('selector', () => LabelSelector) });

// ---- apps/v1 Deployment ----
const RollingUpdateDeployment: Descriptor = { 1: intstr('maxUnavailable'), 2: intstr('maxSurge') };
const DeploymentStrategy: Descriptor = { 1: str('type'), 2: msg('rollingUpdate', () => RollingUpdateDeployment) };
const DeploymentSpec: Descriptor = {
  1: int('replicas', true),
  ...selector(2),
  3: msg('template', () => PodTemplateSpec),
  4: msg('strategy', () => DeploymentStrategy),
  5: int('minReadySeconds'),
  6: int('revisionHistoryLimit', true),
  7: bool('paused'),
  9: int('progressDeadlineSeconds', true),
  10: str('podReplacementPolicy', true),
};
const DeploymentCondition: Descriptor = {
  1: str('type', true),
  2: str('status', true),
  4: str('reason'),
  5: str('message'),
  6: time('lastUpdateTime'),
  7: time('lastTransitionTime'),
};
const DeploymentStatus: Descriptor = {
  1: int('observedGeneration'),
  2: int('replicas'),
  3: int('updatedReplicas'),
  4: int('availableReplicas'),
  5: int('unavailableReplicas'),
  6: msgs('conditions', () => DeploymentCondition),
  7: int('readyReplicas'),
  8: int('collisionCount', true),
  9: int('terminatingReplicas', true),
};
export const Deployment: Descriptor = {
  1: metadata,
  2: msg('spec', () => DeploymentSpec),
  3: msg('status', () => DeploymentStatus),
};

// ---- apps/v1 ReplicaSet ----
const ReplicaSetSpec: Descriptor = {
  1: int('replicas', true),
  ...selector(2),
  3: msg('template', () => PodTemplateSpec),
  4: int('minReadySeconds'),
};
const ReplicaSetCondition: Descriptor = {
  1: str('type', true),
  2: str('status', true),
  3: time('lastTransitionTime'),
  4: str('reason'),
  5: str('message'),
};
const ReplicaSetStatus: Descriptor = {
  1: int('replicas', true),
  2: int('fullyLabeledReplicas'),
  3: int('observedGeneration'),
  4: int('readyReplicas'),
  5: int('availableReplicas'),
  6: msgs('conditions', () => ReplicaSetCondition),
  7: int('terminatingReplicas', true),
};
export const ReplicaSet: Descriptor = {
  1: metadata,
  2: msg('spec', () => ReplicaSetSpec),
  3: msg('status', () => ReplicaSetStatus),
};

// ---- autoscaling/v1 Scale (replicas kept even when 0: scaling to zero must survive) ----
export const Scale: Descriptor = {
  1: metadata,
  2: msg('spec', () => ({ 1: int('replicas', true) })),
  3: msg('status', () => ({ 1: int('replicas', true), 2: str('selector') })),
};

// ---- coordination.k8s.io/v1 Lease ----
const LeaseSpec: Descriptor = {
  1: str('holderIdentity', true),
  2: int('leaseDurationSeconds', true),
  3: microtime('acquireTime'),
  4: microtime('renewTime'),
  5: int('leaseTransitions', true),
  6: str('strategy', true),
  7: str('preferredHolder', true),
};
export const Lease: Descriptor = { 1: metadata, 2: msg('spec', () => LeaseSpec) };

