import type { Obj } from '../src/api';
import { kindOf } from '../src/driver';
import { checkDeployments, checkNodes, checkOwners, type ClusterState } from '../src/invariants';
import { writeStall } from '../src/stall';

const meta = (name: string, uid: string, extra: Partial<Obj['metadata']> = {}): Obj['metadata'] => ({ name, uid, namespace: 'chaos', ...extra });
const ready = { conditions: [{ type: 'Ready', status: 'True' }] };

function state(podsOfLatest: number, podsOfOld: number, replicas = 2): ClusterState {
  const d: Obj = { metadata: meta('web-0', 'd1', { generation: 3, annotations: { 'deployment.kubernetes.io/revision': '2' } }), spec: { replicas }, status: { observedGeneration: 3 } };
  const rs = (uid: string, rev: string): Obj => ({ metadata: meta(`web-0-${rev}`, uid, { annotations: { 'deployment.kubernetes.io/revision': rev }, ownerReferences: [{ kind: 'Deployment', name: 'web-0', uid: 'd1', controller: true }] }) });
  const pod = (i: number, owner: string): Obj => ({ metadata: meta(`p-${owner}-${i}`, `${owner}-${i}`, { ownerReferences: [{ kind: 'ReplicaSet', name: 'x', uid: owner, controller: true }] }), spec: { nodeName: 'node-1' }, status: ready });
  return {
    deployments: [d],
    replicaSets: [rs('rs1', '1'), rs('rs2', '2')],
    pods: [...Array.from({ length: podsOfLatest }, (_, i) => pod(i, 'rs2')), ...Array.from({ length: podsOfOld }, (_, i) => pod(i, 'rs1'))],
    nodes: [{ metadata: { name: 'node-1', uid: 'n1' } }],
  };
}

describe('chaos invariants', () => {
  test('a Deployment holds with exactly `replicas` Ready pods of its latest template', () => {
    expect(checkDeployments(state(2, 0)).violations).toEqual([]);
  });

  test('a leftover pod of an old template, or a missing pod, is a violation', () => {
    expect(checkDeployments(state(2, 1)).violations).toEqual(['web-0: want 2, has 3 pods, 2 Ready of the latest template']);
    expect(checkDeployments(state(1, 0)).violations).toEqual(['web-0: want 2, has 1 pods, 1 Ready of the latest template']);
  });

  test('a pod whose ReplicaSet is gone, or on a node that is gone, is a violation', () => {
    const s = state(2, 0);
    s.replicaSets = s.replicaSets.filter((r) => r.metadata.uid !== 'rs2');
    expect(checkOwners(s).violations).toHaveLength(2);
    const t = state(1, 0);
    t.nodes = [];
    expect(checkNodes(t).violations).toEqual(['chaos/p-rs2-0 on gone node node-1']);
  });

  test('write stall: the longest time without an acknowledged write after a hit', () => {
    const w = (ackedAt?: number) => ({ key: 'k', value: 1, sentAt: 0, ackedAt });
    expect(writeStall([w(900), w(1100), w(4100), w(4200), w(undefined)], 1000)).toBe(3000);
    expect(writeStall([w(1500), w(1600)], 1000, 600)).toBe(500);
    // A gap that runs past the next hit (window end) counts only up to it: the later stall is the next hit's.
    expect(writeStall([w(1100), w(1500), w(30_000)], 1000, 16_000)).toBe(15_500);
    expect(writeStall([w(1100), w(14_000), w(30_000)], 1000, 16_000)).toBe(12_900);
    expect(writeStall([w(1100), w(15_000), w(28_300)], 1000, 16_000)).toBe(13_900);
    expect(writeStall([w(1100), w(16_900), w(28_300)], 1000, 16_000)).toBe(15_800);
  });

  test('targets are classified by process or compose service name', () => {
    expect(kindOf('api-gateway/1')).toEqual({ kind: 'gateway', service: 'relay' });
    expect(kindOf('api-gateway-2')).toEqual({ kind: 'gateway', service: 'relay' });
    expect(kindOf('deployment-controller/0')).toEqual({ kind: 'controller', service: 'deployment-controller' });
    expect(kindOf('garbage-collector-1')).toEqual({ kind: 'controller', service: 'garbage-collector' });
    expect(kindOf('scheduler-2')).toEqual({ kind: 'scheduler', service: 'scheduler' });
    expect(kindOf('etcd/2')).toEqual({ kind: 'etcd', service: 'etcd' });
    expect(kindOf('kubelet/node-1')).toEqual({ kind: 'kubelet', service: 'kubelet' });
  });
});
