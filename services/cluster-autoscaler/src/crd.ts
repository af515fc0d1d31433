// The NodePool CustomResourceDefinition (config/nodepool-crd.yaml, the file its types are
// generated from), installed by the autoscaler at start — created, or brought to this version —
// and waited on until Established, before its informer lists NodePools.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createManifests, parseManifests, type DynamicClient, type KubeObject } from '@keelson/operator-sdk';

export const CRD_FILE = join(__dirname, '../config/nodepool-crd.yaml');

export function nodePoolCrd(): KubeObject {
  const [crd] = parseManifests(readFileSync(CRD_FILE, 'utf8'));
  return crd;
}

export async function installNodePoolCrd(dynamic: DynamicClient, timeoutMs = 60_000): Promise<void> {
  await createManifests(dynamic, [nodePoolCrd()], { update: true, establishTimeoutMs: timeoutMs });
}
