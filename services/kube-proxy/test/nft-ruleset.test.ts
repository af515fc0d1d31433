import { parseTableListing, renderRuleset } from '../src/nft-ruleset';
import type { ServicePortInfo } from '../src/service-endpoints';

const port = (over: Partial<ServicePortInfo> = {}): ServicePortInfo => ({
  id: 'default/web:80', namespace: 'default', name: 'web', portName: '', protocol: 'TCP', clusterIP: '10.96.0.50', port: 80,
  externalIPs: [], endpoints: [{ ip: '10.244.1.2', port: 8080 }, { ip: '10.244.1.3', port: 8080 }], source: 'pods', ...over,
});
const opts = { table: 'keelson-proxy-node-1', masqueradeAll: false, localhostNodePorts: false };

describe('renderRuleset', () => {
  it('maps the VIP to a service chain that picks an endpoint at random and DNATs to it', () => {
    const { script } = renderRuleset([port()], opts);
    const svc = /add element ip keelson-proxy-node-1 service-ips \{ 10\.96\.0\.50 \. tcp \. 80 : goto (svc-[0-9a-f]+) \}/.exec(script)?.[1];
    expect(svc).toBeDefined();
    expect(script).toMatch(new RegExp(`add rule ip keelson-proxy-node-1 ${svc} numgen random mod 2 vmap \\{ 0 : goto ep-[0-9a-f]+, 1 : goto ep-[0-9a-f]+ \\}`));
    expect(script).toContain('meta l4proto tcp dnat to 10.244.1.2:8080');
    expect(script).toContain('meta l4proto tcp dnat to 10.244.1.3:8080');
    expect(script).not.toContain('add element ip keelson-proxy-node-1 no-endpoint-services');
  });

  it('rejects a Service port without endpoints, on its VIP and its node port', () => {
    const { script } = renderRuleset([port({ endpoints: [], nodePort: 30080 })], opts);
    expect(script).toContain('add element ip keelson-proxy-node-1 no-endpoint-services { 10.96.0.50 . tcp . 80 : goto reject-chain }');
    expect(script).toContain('add element ip keelson-proxy-node-1 no-endpoint-nodeports { tcp . 30080 : goto reject-chain }');
    expect(script).not.toContain('dnat to');
  });

  it('keeps ClientIP affinity in one timed set per endpoint, consulted before the random pick', () => {
    const { script, sets } = renderRuleset([port({ affinityTimeoutSeconds: 60 })], opts);
    const affinity = sets.filter((s) => s.startsWith('aff-'));
    expect(affinity).toHaveLength(2);
    for (const s of affinity) {
      expect(script).toContain(`add set ip keelson-proxy-node-1 ${s} { type ipv4_addr; flags dynamic,timeout; timeout 60s; }`);
      expect(script).toContain(`update @${s} { ip saddr }`);
    }
    expect(script.indexOf('ip saddr @aff-')).toBeLessThan(script.indexOf('numgen random'));
  });

  it('flushes, then deletes chains and sets no longer wanted; the affinity sets of kept endpoints stay', () => {
    const first = renderRuleset([port({ affinityTimeoutSeconds: 60 })], opts);
    const second = renderRuleset([port({ affinityTimeoutSeconds: 60, endpoints: [{ ip: '10.244.1.2', port: 8080 }] })], opts, { chains: first.chains, sets: first.sets });
    const deleted = second.script.split('\n').filter((l) => l.startsWith('delete '));
    expect(deleted).toHaveLength(2); // one endpoint chain and its affinity set
    expect(second.script.indexOf('flush table')).toBeLessThan(second.script.indexOf('delete chain'));
    expect(second.script).not.toMatch(/delete set .*(service-ips|no-endpoint)/);
  });

  it('masquerades node-port traffic, hairpin traffic and (without br_netfilter) everything', () => {
    const { script } = renderRuleset([port({ nodePort: 30080 })], { ...opts, masqueradeAll: true });
    expect(script).toMatch(/add rule ip \S+ ext-[0-9a-f]+ jump mark-for-masquerade/);
    expect(script).toMatch(/add rule ip \S+ ep-[0-9a-f]+ ip saddr 10\.244\.1\.2 jump mark-for-masquerade/);
    expect(script).toMatch(/add rule ip \S+ svc-[0-9a-f]+ jump mark-for-masquerade\n/);
    expect(script).toContain('ip daddr != 127.0.0.0/8 fib daddr type local meta l4proto . th dport vmap @service-nodeports');
  });
});

describe('parseTableListing', () => {
  it('reads chain, set and map names', () => {
    const text = 'table ip t {\n\tmap service-ips {\n\t}\n\tset aff-1 {\n\t}\n\tchain services {\n\t}\n}\n';
    expect(parseTableListing(text)).toEqual({ chains: ['services'], sets: ['service-ips', 'aff-1'] });
  });
});
