import { detectHierarchy } from '../src/runtime/cgroups/hierarchy';
import { sharesToWeight } from '../src/runtime/cgroups/driver';
import { containerLimits, milliCpuToQuota, milliCpuToShares, podCgroupPath, podLimits, qosOf } from '../src/runtime/cgroups/resources';
import type { Container, Pod } from '../src/types';

const MOUNTINFO_V1 = [
  '30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');

describe('cgroup hierarchy detection', () => {
  test('v1: each controller under the cgroup the kubelet runs in', () => {
    const h = detectHierarchy(MOUNTINFO_V1, '8:pids:/\n4:memory:/session/abc\n2:cpuacct:/\n1:cpu:/\n0::/\n');
    expect(h).toEqual({ version: 1, base: { cpu: '/sys/fs/cgroup/cpu', cpuacct: '/sys/fs/cgroup/cpuacct', memory: '/sys/fs/cgroup/memory/session/abc', pids: '/sys/fs/cgroup/pids' } });
  });

  test('v1 with cpu,cpuacct co-mounted and a container view of a sub-tree', () => {
    const mi = '25 20 0:22 /docker/c1 /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n26 20 0:23 /docker/c1 /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory';
    const h = detectHierarchy(mi, '3:cpu,cpuacct:/docker/c1/kubelet\n2:memory:/docker/c1\n');
    expect(h).toEqual({ version: 1, base: { cpu: '/sys/fs/cgroup/cpu,cpuacct/kubelet', cpuacct: '/sys/fs/cgroup/cpu,cpuacct/kubelet', memory: '/sys/fs/cgroup/memory' } });
  });

  test('v2 when only the unified hierarchy is mounted', () => {
    const h = detectHierarchy('29 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate', '0::/system.slice/keelson.service\n');
    expect(h).toEqual({ version: 2, base: '/sys/fs/cgroup/system.slice/keelson.service', controllers: [] });
  });

  test('none: a reason instead of a driver', () => {
    expect(detectHierarchy('1 0 0:1 / / rw - ext4 /dev/sda rw', '')).toMatchObject({ version: 0 });
  });
});

const container = (name: string, resources?: Record<string, Record<string, string>>): Container => ({ name, command: ['true'], ...(resources ? { resources } : {}) }) as Container;
const pod = (containers: Container[], initContainers: Container[] = []): Pod => ({ metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers, initContainers } }) as Pod;

describe('cgroup settings from resources (as the kubelet computes them)', () => {
  test('cpu shares and CFS quota', () => {
    expect(milliCpuToShares(undefined)).toBe(2);
    expect(milliCpuToShares(0.1)).toBe(102);
    expect(milliCpuToShares(1)).toBe(1024);
    expect(milliCpuToQuota(0.1)).toBe(10_000);
    expect(milliCpuToQuota(0.001)).toBe(1000); // at least 1 ms per period
    expect(milliCpuToQuota(undefined)).toBe(-1);
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(262_144)).toBe(10_000);
  });

  test('a container: requests (defaulted from limits) as shares, limits as quota and memory', () => {
    expect(containerLimits(container('c', { limits: { cpu: '100m', memory: '64Mi' } }))).toEqual({ cpuShares: 102, cpuPeriodUs: 100_000, cpuQuotaUs: 10_000, memoryBytes: 64 * 2 ** 20 });
    expect(containerLimits(container('c'))).toEqual({ cpuShares: 2, cpuPeriodUs: 100_000, cpuQuotaUs: -1, memoryBytes: -1 });
  });

  test('a pod: sums when every container is limited, else unlimited; init containers as kube counts them', () => {
    const limited = pod([container('a', { limits: { cpu: '200m', memory: '64Mi' } }), container('b', { limits: { cpu: '300m', memory: '32Mi' } })], [container('i', { limits: { cpu: '1', memory: '16Mi' } })]);
    expect(podLimits(limited, 4096)).toEqual({ cpuShares: 1024, cpuPeriodUs: 100_000, cpuQuotaUs: 100_000, memoryBytes: 96 * 2 ** 20, pidsMax: 4096 });
    const partly = pod([container('a', { limits: { memory: '64Mi' } }), container('b', { requests: { cpu: '250m' } })]);
    expect(podLimits(partly, -1)).toEqual({ cpuShares: 256, cpuPeriodUs: 100_000, cpuQuotaUs: -1, memoryBytes: -1, pidsMax: -1 });
  });

  test('QoS class and the cgroupfs path it selects', () => {
    const g = pod([container('a', { limits: { cpu: '100m', memory: '64Mi' } })]);
    expect(qosOf(g)).toBe('Guaranteed');
    expect(podCgroupPath(g)).toBe('kubepods/podu1');
    const b = pod([container('a', { limits: { memory: '64Mi' } })]);
    expect(qosOf(b)).toBe('Burstable');
    expect(podCgroupPath(b)).toBe('kubepods/burstable/podu1');
    const e = pod([container('a')]);
    expect(qosOf(e)).toBe('BestEffort');
    expect(podCgroupPath(e)).toBe('kubepods/besteffort/podu1');
    // requests equal to limits in other units are still equal (1 = 1000m, 1Gi = 1024Mi)
    expect(qosOf(pod([container('a', { requests: { cpu: '1000m', memory: '1024Mi' }, limits: { cpu: '1', memory: '1Gi' } })]))).toBe('Guaranteed');
    expect(qosOf(pod([container('a', { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })]))).toBe('Burstable');
  });

  test('the class the API server recorded in status.qosClass wins (kube: it never changes after create)', () => {
    // In-place resize may change resources later; the recorded class stays, and so does the cgroup.
    const resized = { ...pod([container('a', { requests: { cpu: '200m', memory: '64Mi' }, limits: { cpu: '400m', memory: '64Mi' } })]), status: { qosClass: 'Guaranteed' } };
    expect(qosOf(resized)).toBe('Guaranteed');
    expect(podCgroupPath(resized)).toBe('kubepods/podu1');
    // An unknown value is not trusted: computed from the spec.
    expect(qosOf({ ...resized, status: { qosClass: 'Platinum' } })).toBe('Burstable');
  });
});
