// Every KEELSON_* variable docker-compose.yml gives a Keelson service must be read by that
// service (its own sources, the shared libs, or the image's entrypoint). A variable nobody reads
// is a setting silently lost: compose set KEELSON_EVENTS_REPLICAS=3 for the gateway, the gateway
// never read it, and the events stream ran with 1 replica on a 3-node JetStream cluster.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const REPO = resolve(__dirname, '..', '..', '..');

function sources(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(p).isDirectory()) out += sources(p);
    else if (/\.(ts|js|sh)$/.test(name)) out += readFileSync(p, 'utf8');
  }
  return out;
}

interface ComposeService { image?: string; environment?: Record<string, unknown> | string[] }

const compose = parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const shared = ['libs', 'infra/docker'].map((d) => sources(join(REPO, d))).join('\n');
const ownSources = new Map<string, string>();

function envOf(s: ComposeService): Record<string, string> {
  if (Array.isArray(s.environment)) return Object.fromEntries(s.environment.map((l) => [l.split('=')[0], l.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));
}

const keelsonServices = Object.entries(compose.services).filter(([, s]) => /^keelson\/(service|api-gateway|kubelet|kube-proxy)/.test(s.image ?? ''));

describe('docker-compose.yml settings reach the services', () => {
  it('has Keelson services to check', () => {
    expect(keelsonServices.map(([n]) => n)).toEqual(expect.arrayContaining(['api-gateway-1', 'scheduler-1', 'node-1']));
  });

  it.each(keelsonServices)('%s reads every KEELSON_* variable it is given', (_name, s) => {
    const env = envOf(s);
    const service = env.KEELSON_SERVICE ?? (s.image?.includes('kubelet') ? 'kubelet' : s.image?.includes('api-gateway') ? 'api-gateway' : '');
    expect(service).not.toBe('');
    if (!ownSources.has(service)) ownSources.set(service, sources(join(REPO, 'services', service, 'src')));
    const text = `${ownSources.get(service)}\n${shared}`;
    const unread = Object.keys(env).map((k) => k.replace(/__FILE$/, '')).filter((k) => k.startsWith('KEELSON_') && !text.includes(`'${k}'`) && !text.includes(`"${k}"`) && !text.includes(`$${k}`) && !text.includes(`\${${k}`) && !new RegExp(`\\benv\\.${k}\\b`).test(text));
    expect(unread).toEqual([]);
  });
});
