// apps/v1 Deployment (pkg/registry/apps/deployment/strategy.go): SetDefaults_Deployment,
// ValidateDeployment with an immutable selector, status and labels written only through
// /status, a generation that grows on spec and on annotation changes (annotations are copied
// to the ReplicaSets), and printDeployment's columns (printers/workloads.ts). The schema
// lives in schema/apps.ts.

import { def, defaultTemplate, objAt, setOrDelete } from '../../defaults';
import { deploymentPrinter } from '../../printers/workloads';
import { Deployment } from '../../protobuf/workloads';
import { APPS } from '../../schema/dsl';
import { resourceInfo, scaleSubresource, statusSubresource, type KindStrategy } from '../../strategy';
import type { KubeObject } from '../../types';
import { jsonEqual } from '../../validation/field-errors';
import { validateDeploymentSpec, validateSelectorUpdate } from '../../validation/workloads';

const info = resourceInfo({
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  singular: 'deployment',
  kind: 'Deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  schemaRef: APPS + 'Deployment',
});
info.subresources = [statusSubresource(info), scaleSubresource];

/** SetDefaults_Deployment. */
function defaultDeployment(o: KubeObject): void {
  const spec = objAt(o, 'spec');
  def(spec, 'replicas', 1);
  const strategy = objAt(spec, 'strategy');
  def(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = objAt(strategy, 'rollingUpdate');
    def(ru, 'maxUnavailable', '25%');
    def(ru, 'maxSurge', '25%');
  }
  def(spec, 'revisionHistoryLimit', 10);
  def(spec, 'progressDeadlineSeconds', 600);
  defaultTemplate(spec);
}

export const deploymentStrategy: KindStrategy = {
  info,
  defaults: defaultDeployment,
  prepareForCreate(obj) {
    obj.status = {};
  },
  prepareForUpdate(obj, old, subresource) {
    const meta = obj.metadata;
    const oldMeta = old.metadata ?? {};
    if (subresource === 'status') {
      // The status strategy keeps the labels too.
      setOrDelete(meta, 'labels', oldMeta.labels);
      return;
    }
    // The generic step bumps the generation on spec changes; annotation changes bump it too.
    if (!jsonEqual(meta.annotations ?? {}, oldMeta.annotations ?? {})) {
      meta.generation = (typeof oldMeta.generation === 'number' ? oldMeta.generation : 0) + 1;
    }
  },
  validate: (obj, old) => [...validateDeploymentSpec(obj.spec), ...(old ? validateSelectorUpdate(obj.spec, old.spec) : [])],
  generation: true,
  printer: deploymentPrinter,
  protobuf: Deployment,
};
