// The NodePool CustomResourceDefinition, installed (created, or updated to this version) by the
// autoscaler at start, before its informers list NodePools.
import { isAlreadyExists, isConflict, type KeelsonClient } from '@keelson/client';
import type { KubeObject, ResourceCoordinates } from '@keelson/api';
import { GROUP, NODEPOOLS } from './types';

const CRDS: ResourceCoordinates = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };
export const CRD_NAME = `${NODEPOOLS.resource}.${GROUP}`;

const quantity = { 'x-kubernetes-int-or-string': true };
const str = { type: 'string' };

export function nodePoolCrd(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CRD_NAME },
    spec: {
      group: GROUP,
      scope: 'Cluster',
      names: { plural: 'nodepools', singular: 'nodepool', kind: 'NodePool', listKind: 'NodePoolList', shortNames: ['np'] },
      versions: [{
        name: 'v1alpha1', served: true, storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Min', type: 'integer', jsonPath: '.spec.minNodes' },
          { name: 'Max', type: 'integer', jsonPath: '.spec.maxNodes' },
          { name: 'Nodes', type: 'integer', jsonPath: '.status.nodes' },
          { name: 'Ready', type: 'integer', jsonPath: '.status.readyNodes' },
          { name: 'Last-Decision', type: 'string', jsonPath: '.status.lastDecision.type' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: 'NodePool is a group of identical nodes the cluster autoscaler adds when pods cannot be scheduled and removes when they stay empty.',
            properties: {
              spec: {
                type: 'object',
                required: ['minNodes', 'maxNodes', 'nodeTemplate'],
                'x-kubernetes-validations': [{ rule: 'self.minNodes <= self.maxNodes', message: 'minNodes must be less than or equal to maxNodes' }],
                properties: {
                  minNodes: { type: 'integer', minimum: 0, description: 'The pool never has fewer nodes.' },
                  maxNodes: { type: 'integer', minimum: 0, description: 'The pool never has more nodes.' },
                  provider: { type: 'string', enum: ['simulated'], default: 'simulated', description: 'Who makes the machines: simulated (a simulated kubelet hosts each new Node).' },
                  nodeTemplate: {
                    type: 'object',
                    required: ['allocatable'],
                    description: 'The shape of every node of the pool.',
                    properties: {
                      allocatable: {
                        type: 'object', required: ['cpu', 'memory'],
                        properties: { cpu: quantity, memory: quantity, pods: { ...quantity, default: '110' } },
                      },
                      labels: { type: 'object', additionalProperties: str },
                      taints: {
                        type: 'array',
                        items: {
                          type: 'object', required: ['key', 'effect'],
                          properties: { key: str, value: str, effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] } },
                        },
                      },
                    },
                  },
                },
              },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      }],
    },
  };
}

/** Creates the CRD, or brings an older one to this definition, then waits until it is Established. */
export async function installNodePoolCrd(client: KeelsonClient, timeoutMs = 60_000): Promise<void> {
  const want = nodePoolCrd();
  try {
    await client.create(CRDS, want, { fieldManager: 'cluster-autoscaler' });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    for (;;) {
      const cur = await client.get(CRDS, undefined, CRD_NAME);
      if (JSON.stringify(cur.spec) === JSON.stringify({ ...(cur.spec as object), ...(want.spec as object) })) break;
      try {
        await client.update(CRDS, { ...cur, spec: { ...(cur.spec as object), ...(want.spec as object) } }, { fieldManager: 'cluster-autoscaler' });
        break;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const cur = await client.get(CRDS, undefined, CRD_NAME);
    const conditions = ((cur.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions) ?? [];
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline) throw new Error(`CRD ${CRD_NAME} not Established after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
