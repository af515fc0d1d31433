// The pod network's pure parts: names, the gateway, the API path's rules, the Node condition wording.
import { loopbackApi, podApiRules } from '../src/runtime/network/api-access';
import { gatewayOf, nextFreeAddress, vethName } from '../src/runtime/network/pod-network';
import { podNetworkSweeper } from '../src/runtime/network/sweeper';

test('a veth is named from the pod uid and fits the 15-character interface name limit', () => {
  const a = vethName('0b5c9d0e-8d7f-4a8a-9d55-0f1f3b0c2a11');
  expect(a).toMatch(/^kv[0-9a-f]{12}$/);
  expect(a.length).toBeLessThanOrEqual(15);
  expect(vethName('0b5c9d0e-8d7f-4a8a-9d55-0f1f3b0c2a11')).toBe(a);
  expect(vethName('another-uid')).not.toBe(a);
});

test('the gateway is the first host address of the block', () => {
  expect(gatewayOf('10.244.3.0/24')).toBe('10.244.3.1');
  expect(gatewayOf('10.244.3.77/24')).toBe('10.244.3.1');
  expect(gatewayOf('192.168.0.128/25')).toBe('192.168.0.129');
  expect(() => gatewayOf('10.0.0.0/31')).toThrow(/between \/8 and \/30/);
});

test('addresses are handed out round-robin after the last one, not the lowest free (a released address is not reused at once)', () => {
  const block = '10.244.3.0/29'; // pod range .2–.6
  expect(nextFreeAddress(block, new Set())).toBe('10.244.3.2');
  expect(nextFreeAddress(block, new Set(['10.244.3.2']), '10.244.3.2')).toBe('10.244.3.3');
  // .2 was released just now: the next pod still gets .4, after the last one handed out.
  expect(nextFreeAddress(block, new Set(['10.244.3.3']), '10.244.3.3')).toBe('10.244.3.4');
  // Past the end it wraps to the first free one, skipping the taken.
  expect(nextFreeAddress(block, new Set(['10.244.3.2', '10.244.3.5']), '10.244.3.6')).toBe('10.244.3.3');
  // A last address from another block (the Node got a new podCIDR) starts from the beginning.
  expect(nextFreeAddress(block, new Set(), '10.244.9.4')).toBe('10.244.3.2');
  expect(nextFreeAddress(block, new Set(['10.244.3.2', '10.244.3.3', '10.244.3.4', '10.244.3.5', '10.244.3.6']), '10.244.3.4')).toBeUndefined();
  expect(nextFreeAddress('10.0.0.0/30', new Set())).toBe('10.0.0.2');
});

test('pods get a path to the API only when it listens on loopback', () => {
  expect(loopbackApi('https://127.0.0.1:6443')).toEqual({ host: '127.0.0.1', port: 6443 });
  expect(loopbackApi('https://localhost')).toEqual({ host: '127.0.0.1', port: 443 });
  expect(loopbackApi('https://10.0.0.5:6443')).toBeUndefined();
  expect(loopbackApi(undefined)).toBeUndefined();
});

test('inside the pod, 127.0.0.1:<port> goes to the relay on the gateway, from the pod IP; other loopback traffic from outside is dropped', () => {
  const rules = podApiRules('10.244.3.7', '10.244.3.1', 6443);
  expect(rules).toContain('-A OUTPUT -d 127.0.0.1/32 -p tcp --dport 6443 -j DNAT --to-destination 10.244.3.1:6443');
  expect(rules).toContain('-A POSTROUTING -s 127.0.0.1/32 -o eth0 -j SNAT --to-source 10.244.3.7');
  expect(rules).toContain('-A INPUT ! -i lo -d 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP');
  expect(rules.match(/^COMMIT$/gm)).toHaveLength(2);
  expect(rules).not.toContain('10.96.0.1');
});

test('with the kubernetes Service known, its cluster IP and port go to the same relay', () => {
  const rules = podApiRules('10.244.3.7', '10.244.3.1', 6443, { host: '10.96.0.1', port: 443 });
  expect(rules).toContain('-A OUTPUT -d 10.96.0.1/32 -p tcp --dport 443 -j DNAT --to-destination 10.244.3.1:6443');
  expect(rules).toContain('-A OUTPUT -d 127.0.0.1/32 -p tcp --dport 6443 -j DNAT --to-destination 10.244.3.1:6443');
});

test('the sweeper lists one resource per recorded pod network and removes it by pod uid', async () => {
  const removed: string[] = [];
  const s = podNetworkSweeper({
    listPodNetworks: async () => [{ uid: 'u1', netns: 'keelson-u1', ip: '10.244.0.2' }, { uid: 'u2' }],
    removePodNetwork: async (uid) => void removed.push(uid),
  });
  expect(s.order).toBe(40);
  const found = await s.list();
  expect(found).toEqual([{ kind: 'pod-network', id: 'keelson-u1', podUid: 'u1' }, { kind: 'pod-network', id: 'u2', podUid: 'u2' }]);
  await s.remove(found[1]);
  expect(removed).toEqual(['u2']);
});
