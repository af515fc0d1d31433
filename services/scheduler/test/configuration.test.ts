// Profile files (KubeSchedulerConfiguration v1): defaults, kube's merge rules for plugin sets,
// NodeResourcesFit's scoring strategies, and every kind of error a bad file gets.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, readConfig } from '@keelson/controller-runtime';
import { createLogger } from '@keelson/telemetry';
import { schedulerConfigReader } from '../src/config';
import { defaultSchedulerConfiguration, loadSchedulerConfiguration, parseSchedulerConfiguration, SchedulerConfigurationError } from '../src/configuration/load';
import { schedulePod, type Profile } from '../src/framework';
import { resourceAllocationScore } from '../src/plugins/resource-allocation';
import { Scheduler } from '../src/scheduler';
import { info, node, nodeInfo, pod } from './fixtures';

const HEADER = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
const BIN_PACKING_FILE = join(__dirname, '../../bin-packing-scheduler/bin-packing.yaml');

const names = (p: Profile) => ({ filters: p.filters.map((f) => f.name), scores: p.scores.map((s) => `${s.name}:${s.weight}`) });
const DEFAULT_FILTERS = ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodeResourcesFit'];
const DEFAULT_SCORES = ['TaintToleration:3', 'NodeAffinity:2', 'NodeResourcesFit:1', 'SelectorSpread:2', 'NodeResourcesBalancedAllocation:1'];

/** The field errors of a file that must not load. */
function errorsOf(yaml: string): string[] {
  try {
    parseSchedulerConfiguration(yaml, 'test.yaml');
  } catch (err) {
    if (err instanceof SchedulerConfigurationError) return err.errors;
    throw err;
  }
  throw new Error('the configuration was accepted');
}

describe('profiles', () => {
  test('no file, an empty file and a profile without plugins are all kube’s default profile', () => {
    const dflt = defaultSchedulerConfiguration();
    expect(dflt.profiles.map((p) => p.schedulerName)).toEqual(['default-scheduler']);
    expect(names(dflt.profiles[0].profile)).toEqual({ filters: DEFAULT_FILTERS, scores: DEFAULT_SCORES });
    const empty = parseSchedulerConfiguration(HEADER);
    expect(empty.profiles.map((p) => [p.schedulerName, names(p.profile)])).toEqual([['default-scheduler', { filters: DEFAULT_FILTERS, scores: DEFAULT_SCORES }]]);
    const named = parseSchedulerConfiguration(`${HEADER}profiles:\n- schedulerName: other\n`);
    expect(named.profiles[0].schedulerName).toBe('other');
    expect(names(named.profiles[0].profile).scores).toEqual(DEFAULT_SCORES);
    expect(defaultSchedulerConfiguration('my-scheduler').profiles[0].schedulerName).toBe('my-scheduler');
  });

  test('the shipped bin-packing profile: MostAllocated at weight 5, spreading scores off, default filters', () => {
    const cfg = loadSchedulerConfiguration(BIN_PACKING_FILE);
    expect(cfg.profiles.map((p) => [p.schedulerName, names(p.profile)])).toEqual([
      ['bin-packing', { filters: DEFAULT_FILTERS, scores: ['NodeResourcesFit:5', 'TaintToleration:3', 'NodeAffinity:2'] }],
    ]);
    // A busy node beats an empty one for the next pod; the default profile prefers the empty one.
    const busy = nodeInfo(node('busy', { cpu: '4', memory: '4Gi' }), [pod('x', { cpu: '2', memory: '2Gi' })]);
    const empty = nodeInfo(node('empty', { cpu: '4', memory: '4Gi' }));
    const p = info(pod('p', { cpu: '1', memory: '1Gi' }));
    expect(schedulePod(cfg.profiles[0].profile, p, [empty, busy])).toEqual({ ok: true, node: 'busy', evaluated: 2 });
    expect(schedulePod(defaultSchedulerConfiguration().profiles[0].profile, p, [empty, busy])).toEqual({ ok: true, node: 'empty', evaluated: 2 });
    // …but never past what fits.
    const full = nodeInfo(node('full', { cpu: '4', memory: '4Gi' }), [pod('y', { cpu: '3500m' })]);
    expect(schedulePod(cfg.profiles[0].profile, p, [empty, full])).toEqual({ ok: true, node: 'empty', evaluated: 2 });
  });

  test('kube’s merge rules: a disabled default goes, `*` drops every default, a re-enabled default keeps its place with its new weight', () => {
    const cfg = parseSchedulerConfiguration(`${HEADER}profiles:
- schedulerName: a
  plugins:
    multiPoint:
      enabled: [{ name: NodeAffinity, weight: 7 }]
      disabled: [{ name: SelectorSpread }]
    filter:
      disabled: [{ name: NodeName }]
- schedulerName: b
  plugins:
    score:
      disabled: [{ name: '*' }]
      enabled: [{ name: NodeResourcesBalancedAllocation, weight: 4 }]
- schedulerName: c
  plugins:
    multiPoint:
      disabled: [{ name: '*' }]
      enabled: [{ name: NodeResourcesFit }]
    preScore:
      disabled: [{ name: '*' }]
`);
    const [a, b, c] = cfg.profiles.map((p) => names(p.profile));
    expect(a).toEqual({ filters: ['NodeUnschedulable', 'TaintToleration', 'NodeAffinity', 'NodeResourcesFit'], scores: ['TaintToleration:3', 'NodeAffinity:7', 'NodeResourcesFit:1', 'NodeResourcesBalancedAllocation:1'] });
    expect(b).toEqual({ filters: DEFAULT_FILTERS, scores: ['NodeResourcesBalancedAllocation:4'] });
    expect(c).toEqual({ filters: ['NodeResourcesFit'], scores: ['NodeResourcesFit:1'] });
  });

  test('podInitialBackoffSeconds and podMaxBackoffSeconds are honoured; fields set elsewhere are reported as ignored', () => {
    const cfg = parseSchedulerConfiguration(`${HEADER}podInitialBackoffSeconds: 2\npodMaxBackoffSeconds: 20\nparallelism: 16\nleaderElection: { leaderElect: true }\n`);
    expect(cfg).toMatchObject({ backoffInitialMs: 2000, backoffMaxMs: 20_000, ignored: ['parallelism', 'leaderElection'] });
  });
});

describe('MostAllocated and LeastAllocated scores', () => {
  const n = () => nodeInfo(node('n', { cpu: '4', memory: '4Gi' }), [pod('x', { cpu: '1', memory: '1Gi' })]);
  test('MostAllocated scores the requested fraction after placing the pod, with resource weights', () => {
    const p = info(pod('p', { cpu: '1', memory: '3Gi' }));
    expect(resourceAllocationScore('MostAllocated').score(p, n())).toBe(Math.floor((50 + 100) / 2));
    expect(resourceAllocationScore('MostAllocated', [{ name: 'cpu', weight: 3 }, { name: 'memory', weight: 1 }]).score(p, n())).toBe(Math.floor((50 * 3 + 100) / 4));
    expect(resourceAllocationScore('LeastAllocated').score(p, n())).toBe(Math.floor((50 + 0) / 2));
  });
  test('MostAllocated caps an over-requested resource at a full node (non-zero defaults can exceed capacity)', () => {
    const tiny = nodeInfo(node('t', { cpu: '100m', memory: '100Mi' }));
    expect(resourceAllocationScore('MostAllocated').score(info(pod('p')), tiny)).toBe(100);
  });
});

describe('errors', () => {
  test('apiVersion and kind must be KubeSchedulerConfiguration v1', () => {
    expect(errorsOf('apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: Config\n')).toEqual([
      'apiVersion: Unsupported value: "kubescheduler.config.k8s.io/v1beta3": supported values: "kubescheduler.config.k8s.io/v1"',
      'kind: Unsupported value: "Config": supported values: "KubeSchedulerConfiguration"',
    ]);
  });

  test('unknown fields are refused, as the strict decoder does, at any depth', () => {
    expect(errorsOf(`${HEADER}profile: []\nprofiles:\n- schedulerName: x\n  plugin: {}\n  plugins:\n    filters: {}\n    score:\n      enable: []\n`)).toEqual([
      'unknown field "profile"',
      'unknown field "profiles[0].plugin"',
      'unknown field "profiles[0].plugins.filters"',
      'unknown field "profiles[0].plugins.score.enable"',
    ]);
  });

  test('several profiles each need a distinct schedulerName', () => {
    expect(errorsOf(`${HEADER}profiles:\n- schedulerName: a\n- {}\n- schedulerName: a\n`)).toEqual([
      'profiles[1].schedulerName: Required value',
      'profiles[2].schedulerName: Duplicate value: "a"',
    ]);
  });

  test('plugins must exist, implement the extension point, appear once, and weigh a non-negative integer', () => {
    expect(errorsOf(`${HEADER}profiles:
- plugins:
    filter:
      enabled: [{ name: NodePorts }, { name: SelectorSpread }, { name: NodeAffinity }, { name: NodeAffinity }]
    score:
      enabled: [{ name: NodeResourcesFit, weight: -1 }, { name: TaintToleration, weight: 1.5 }, { name: NodeName }]
    multiPoint:
      enabled: [{ name: ImageLocality }, { weight: 2 }]
`)).toEqual([
      'profiles[0].plugins.score.enabled[0].weight: Invalid value: -1: must be greater than or equal to 0',
      'profiles[0].plugins.score.enabled[1].weight: Invalid value: 1.5: must be an integer',
      'profiles[0].plugins.multiPoint.enabled[1].name: Required value',
      'profiles[0].plugins.multiPoint.enabled[0].name: Invalid value: "ImageLocality": plugin "ImageLocality" does not exist; known plugins: NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodeResourcesFit, SelectorSpread, NodeResourcesBalancedAllocation',
      'profiles[0].plugins.filter.enabled[0].name: Invalid value: "NodePorts": FilterPlugin "NodePorts" does not exist',
      'profiles[0].plugins.filter.enabled[1].name: Invalid value: "SelectorSpread": plugin "SelectorSpread" does not extend FilterPlugin plugin',
      'profiles[0].plugins.filter.enabled[3].name: Invalid value: "NodeAffinity": plugin "NodeAffinity" already registered as "FilterPlugin"',
      'profiles[0].plugins.score.enabled[2].name: Invalid value: "NodeName": plugin "NodeName" does not extend ScorePlugin plugin',
    ]);
  });

  test('extension points Keelson does not run may only disable; extenders are refused', () => {
    expect(errorsOf(`${HEADER}extenders: [{ urlPrefix: "http://x" }]\nprofiles:\n- plugins:\n    preFilter: { enabled: [{ name: NodeAffinity }] }\n    postFilter: { disabled: [{ name: '*' }] }\n`)).toEqual([
      "extenders: Forbidden: scheduler extenders are not supported by Keelson's scheduler",
      "profiles[0].plugins.preFilter.enabled: Forbidden: Keelson's scheduler runs filter and score plugins only (enable them under multiPoint, filter, score)",
    ]);
  });

  test('NodeResourcesFit args are validated as kube validates them', () => {
    expect(errorsOf(`${HEADER}profiles:
- schedulerName: a
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAlocated
        resources: [{ name: cpu, weight: 0 }, { name: memory, weight: 101 }, { weight: 1 }, { name: cpu, weight: 2 }, { name: cpu, weight: 3 }]
        requestedToCapacityRatio: { shape: [] }
  - name: NodeResourcesFit
  - name: Coscheduling
    args: {}
  - name: TaintToleration
    args: { x: 1 }
- schedulerName: b
  pluginConfig:
  - name: NodeResourcesFit
    args: { scoringStrategy: { type: RequestedToCapacityRatio, requestedToCapacityRatio: { shape: [{ utilization: 0, score: 0 }] } }, ignoredResources: [gpu] }
`)).toEqual([
      'profiles[0].pluginConfig[0].args.scoringStrategy.type: Unsupported value: "MostAlocated": supported values: "LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"',
      'profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio: Forbidden: must be nil when type is not RequestedToCapacityRatio',
      'profiles[0].pluginConfig[0].args.scoringStrategy.resources[0].weight: Invalid value: 0: resource weight of cpu not in valid range (0, 100]',
      'profiles[0].pluginConfig[0].args.scoringStrategy.resources[1].weight: Invalid value: 101: resource weight of memory not in valid range (0, 100]',
      'profiles[0].pluginConfig[0].args.scoringStrategy.resources[2].name: Required value',
      'profiles[0].pluginConfig[0].args.scoringStrategy.resources[4].name: Duplicate value: "cpu"',
      'profiles[0].pluginConfig[1]: Duplicate value: "NodeResourcesFit"',
      'profiles[0].pluginConfig[2].name: Invalid value: "Coscheduling": plugin "Coscheduling" does not exist; known plugins: NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodeResourcesFit, SelectorSpread, NodeResourcesBalancedAllocation',
      'profiles[0].pluginConfig[3].args: Invalid value: {"x":1}: plugin "TaintToleration" takes no args',
      "profiles[1].pluginConfig[0].args.ignoredResources: Forbidden: not supported by Keelson's scheduler",
      "profiles[1].pluginConfig[0].args.scoringStrategy.type: Forbidden: RequestedToCapacityRatio is not supported by Keelson's scheduler (LeastAllocated, MostAllocated)",
    ]);
  });

  test('wrong types, bad back-off, and YAML that does not parse', () => {
    expect(errorsOf(`${HEADER}profiles: {}\npodInitialBackoffSeconds: 0\npodMaxBackoffSeconds: "10"\n`)).toEqual([
      'profiles: Invalid value: {}: must be a list',
      'podMaxBackoffSeconds: Invalid value: "10": must be an integer',
      'podInitialBackoffSeconds: Invalid value: 0: must be greater than 0',
    ]);
    expect(errorsOf(`${HEADER}podInitialBackoffSeconds: 5\npodMaxBackoffSeconds: 2\n`)).toEqual(['podMaxBackoffSeconds: Invalid value: 2: must be greater than or equal to PodInitialBackoffSeconds']);
    expect(errorsOf(`${HEADER}profiles:\n- schedulerName: a\n  schedulerName: b\n`)[0]).toMatch(/^could not parse: Map keys must be unique/);
    expect(errorsOf('profiles: [')[0]).toMatch(/^could not parse: /);
  });
});

describe('the service’s settings', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'scheduler-config-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('KEELSON_SCHEDULER_CONFIG names the file; --config wins over it; the shipped file is the fallback', () => {
    const file = join(dir, 'two.yaml');
    writeFileSync(file, `${HEADER}profiles:\n- schedulerName: one\n- schedulerName: two\n`);
    const viaEnv = readConfig(schedulerConfigReader({ argv: [] }), { KEELSON_SCHEDULER_CONFIG: file });
    expect(viaEnv.configuration.profiles.map((p) => p.schedulerName)).toEqual(['one', 'two']);
    const viaFlag = readConfig(schedulerConfigReader({ argv: ['--config', BIN_PACKING_FILE] }), { KEELSON_SCHEDULER_CONFIG: file });
    expect(viaFlag.configuration.profiles.map((p) => p.schedulerName)).toEqual(['bin-packing']);
    expect(readConfig(schedulerConfigReader({ argv: [`--config=${file}`] }), {}).configFile).toBe(file);
    const shipped = readConfig(schedulerConfigReader({ argv: [], defaultConfigFile: BIN_PACKING_FILE }), {});
    expect(shipped.configuration.profiles.map((p) => p.schedulerName)).toEqual(['bin-packing']);
    const none = readConfig(schedulerConfigReader({ argv: [] }), { KEELSON_SCHEDULER_NAME: 'custom' });
    expect(none.configuration.profiles.map((p) => p.schedulerName)).toEqual(['custom']);
  });

  test('a bad or missing file stops the service with every problem named in one ConfigError', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `${HEADER}profiles:\n- schedulerName: a\n  plugins: { score: { enabled: [{ name: Nope }] } }\n- schedulerName: a\n`);
    const read = () => readConfig(schedulerConfigReader({ argv: [] }), { KEELSON_SCHEDULER_CONFIG: bad, KEELSON_SCHEDULER_BIND_CONCURRENCY: '0' });
    expect(read).toThrow(ConfigError);
    try {
      read();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        { variable: 'KEELSON_SCHEDULER_CONFIG', value: bad, expected: 'a valid KubeSchedulerConfiguration (profiles[0].plugins.score.enabled[0].name: Invalid value: "Nope": ScorePlugin "Nope" does not exist)' },
        { variable: 'KEELSON_SCHEDULER_CONFIG', value: bad, expected: 'a valid KubeSchedulerConfiguration (profiles[1].schedulerName: Duplicate value: "a")' },
        { variable: 'KEELSON_SCHEDULER_BIND_CONCURRENCY', value: '0', expected: 'an integer >= 1' },
      ]);
    }
    expect(() => readConfig(schedulerConfigReader({ argv: ['--config'] }), {})).toThrow('--config must be the path of a KubeSchedulerConfiguration file');
    const missing = join(dir, 'missing.yaml');
    expect(() => readConfig(schedulerConfigReader({ argv: ['--config', missing] }), {})).toThrow(`--config must be a valid KubeSchedulerConfiguration (could not read: ENOENT: no such file or directory, open '${missing}'), got "${missing}"`);
  });
});

describe('a scheduler serving several profiles', () => {
  test('each pod is scheduled by the profile its schedulerName names, its Events recorded as that profile; other pods are left alone', async () => {
    const events: string[] = [];
    const recorder = (name: string) => ({ event: (_o: unknown, _t: string, reason: string) => void events.push(`${name}:${reason}`) });
    const cfg = parseSchedulerConfiguration(`${HEADER}profiles:\n- schedulerName: default-scheduler\n- schedulerName: bin-packing\n  pluginConfig: [{ name: NodeResourcesFit, args: { scoringStrategy: { type: MostAllocated } } }]\n  plugins: { score: { enabled: [{ name: NodeResourcesFit, weight: 5 }], disabled: [{ name: SelectorSpread }, { name: NodeResourcesBalancedAllocation }] } }\n`);
    const pods = new Map<string, ReturnType<typeof pod>>();
    const bound: Record<string, string> = {};
    const enqueued: string[] = [];
    const s = new Scheduler({
      client: { bind: async (_ns, name, n) => ((bound[name] = n), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' }), patch: async () => ({}) as never },
      pods: { get: (k: string) => pods.get(k) } as never,
      profiles: cfg.profiles.map((p) => ({ ...p, recorder: recorder(p.schedulerName) })),
      config: { schedulerName: 'default-scheduler', configuration: cfg, backoffInitialMs: 1000, backoffMaxMs: 4000, bindConcurrency: 4, assumedTtlMs: 30_000, scheduledEvents: true },
      log: createLogger('test', { write: () => undefined }),
      queue: { enqueue: (k) => enqueued.push(k), enqueueAfter: () => undefined },
    });
    for (const n of ['a', 'b', 'c']) s.nodeHandler().onAdd!(node(n, { cpu: '4', memory: '8Gi' }), { revision: 1 });
    const make = (name: string, schedulerName: string) => {
      const p = pod(name, { cpu: '1', schedulerName });
      pods.set(`default/${name}`, p);
      s.podHandler().onAdd!(p, { revision: 2 });
      return `default/${name}`;
    };
    // The default profile spreads its pods one per node; the bin-packing one then stacks its
    // pods onto a single node (each already holds one), where spreading would not.
    const spread = ['s0', 's1', 's2'].map((n) => make(n, 'default-scheduler'));
    const packed = ['p0', 'p1', 'p2'].map((n) => make(n, 'bin-packing'));
    make('x', 'nobody-runs-this');
    expect(enqueued).toEqual([...spread, ...packed]);
    for (const k of [...spread, ...packed, 'default/x']) await s.reconcile(k);
    await new Promise((r) => setTimeout(r, 10));
    expect(new Set(['p0', 'p1', 'p2'].map((n) => bound[n])).size).toBe(1);
    expect(new Set(['s0', 's1', 's2'].map((n) => bound[n])).size).toBe(3);
    expect(bound.x).toBeUndefined();
    expect(events.sort()).toEqual([...Array(3).fill('bin-packing:Scheduled'), ...Array(3).fill('default-scheduler:Scheduled')]);
  });
});
