// The service CIDR and node port range the gateway allocates from.
import { NodePortRange, ServiceCIDR } from '../src/registry/service-ranges';

test('a service CIDR knows its addresses, first usable address and bounds', () => {
  const cidr = new ServiceCIDR('10.96.0.0/12');
  expect(cidr.size).toBe(2 ** 20);
  expect(cidr.first).toBe('10.96.0.1');
  expect(cidr.at(2 ** 20 - 1)).toBe('10.111.255.255');
  expect(cidr.offsetOf('10.100.1.2')).toBe(4 * 65536 + 256 + 2);
  expect(cidr.offsetOf('10.112.0.0')).toBeUndefined();
  expect(cidr.isAllocatable('10.96.0.0')).toBe(false); // network address
  expect(cidr.isAllocatable('10.111.255.255')).toBe(false); // broadcast address
  expect(cidr.isAllocatable('10.96.0.1')).toBe(true);
  expect(cidr.isAllocatable('not-an-ip')).toBe(false);
  // A host address with bits beyond the prefix names its block.
  expect(new ServiceCIDR('192.168.7.9/24').first).toBe('192.168.7.1');
});

test('bad ranges are refused at start', () => {
  expect(() => new ServiceCIDR('10.96.0.0')).toThrow(/invalid service CIDR/);
  expect(() => new ServiceCIDR('10.96.0.0/31')).toThrow(/invalid service CIDR/);
  expect(() => new ServiceCIDR('fd00::/108')).toThrow(/invalid service CIDR/);
  expect(() => new NodePortRange('32767-30000')).toThrow(/invalid node port range/);
  expect(() => new NodePortRange('30000')).toThrow(/invalid node port range/);
});

test('a node port range contains its ends', () => {
  const r = new NodePortRange('30000-32767');
  expect(r.size).toBe(2768);
  expect([r.contains(29999), r.contains(30000), r.contains(32767), r.contains(32768)]).toEqual([false, true, true, false]);
});
