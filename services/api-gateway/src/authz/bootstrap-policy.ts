// Bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), ensured by the gateway
// at start: cluster-admin for system:masters, the aggregated admin/edit/view roles, the roles every
// authenticated user holds (system:basic-user, system:discovery, system:public-info-viewer), and
// one ClusterRole and binding per Keelson system service with what it reconciles and nothing more.
// Objects carry `rbac.authorization.kubernetes.io/autoupdate: "true"` and are reconciled to this
// definition on every start, as kube-apiserver's storage post-start hook does.
import { ApiError, type KubeObject } from '@keelson/api';
import type { Logger } from '@keelson/telemetry';
import type { RequestContext } from '../registry/request-context';
import type { ResourceStore } from '../registry/resource-store';
import { settleAggregation } from './aggregation';
import type { PolicyRule } from './rules';

const GROUP = 'rbac.authorization.k8s.io';
const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };
const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
/** The user a Keelson service authenticates as (infra/local credentials: `system:keelson:<svc>`). */
export const serviceUserName = (svc: string): string => `system:keelson:${svc}`;

const rule = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]): PolicyRule =>
  ({ apiGroups, resources, verbs, ...(resourceNames ? { resourceNames } : {}) });
const urls = (nonResourceURLs: string[], verbs: string[]): PolicyRule => ({ nonResourceURLs, verbs });

const EVENTS = [rule([''], ['events'], ['create', 'patch', 'update']), rule(['events.k8s.io'], ['events'], ['create', 'patch', 'update'])];
const LEADER_ELECTION = rule(['coordination.k8s.io'], ['leases'], ['get', 'list', 'watch', 'create', 'update', 'patch']);
/** Every controller: its informers discover resources and follow the API's health. */
const CONTROLLER_BASE = [...EVENTS, LEADER_ELECTION];

/** What each system service reconciles, read from its code under services/. */
export const SERVICE_RULES: Record<string, PolicyRule[]> = {
  // Binds pods to nodes and reports why it cannot; never creates or deletes pods.
  scheduler: [
    rule([''], ['pods', 'nodes'], READ),
    rule([''], ['pods/binding'], ['create']),
    rule([''], ['pods/status'], ['patch', 'update']),
    ...CONTROLLER_BASE,
  ],
  // A second scheduler (its own profile under another schedulerName) does what the default one does.
  'bin-packing-scheduler': [
    rule([''], ['pods', 'nodes'], READ),
    rule([''], ['pods/binding'], ['create']),
    rule([''], ['pods/status'], ['patch', 'update']),
    ...CONTROLLER_BASE,
  ],
  'replicaset-controller': [
    rule(['apps'], ['replicasets'], [...READ, 'update', 'patch']),
    rule(['apps'], ['replicasets/status'], ['update', 'patch']),
    // ReplicationControllers run on the same logic (replication-controller.ts).
    rule([''], ['replicationcontrollers'], [...READ, 'update', 'patch']),
    rule([''], ['replicationcontrollers/status'], ['update', 'patch']),
    rule([''], ['pods'], [...READ, 'create', 'delete', 'patch']),
    ...CONTROLLER_BASE,
  ],
  'deployment-controller': [
    rule(['apps'], ['deployments'], [...READ, 'update', 'patch']),
    rule(['apps'], ['deployments/status'], ['update', 'patch']),
    rule(['apps'], ['replicasets'], [...READ, ...WRITE]),
    rule([''], ['pods'], READ),
    ...CONTROLLER_BASE,
  ],
  // Pods named by ordinal, their claims, and the set's ControllerRevisions.
  'statefulset-controller': [
    rule(['apps'], ['statefulsets'], [...READ, 'update', 'patch']),
    rule(['apps'], ['statefulsets/status'], ['update', 'patch']),
    rule(['apps'], ['controllerrevisions'], [...READ, ...WRITE]),
    rule([''], ['pods'], [...READ, 'create', 'delete', 'update', 'patch']),
    rule([''], ['persistentvolumeclaims'], [...READ, 'create', 'update', 'patch']),
    ...CONTROLLER_BASE,
  ],
  // One pod per eligible node (the scheduler binds them), and the set's ControllerRevisions.
  'daemonset-controller': [
    rule(['apps'], ['daemonsets'], [...READ, 'update', 'patch']),
    rule(['apps'], ['daemonsets/status'], ['update', 'patch']),
    rule(['apps'], ['controllerrevisions'], [...READ, ...WRITE]),
    rule([''], ['pods'], [...READ, 'create', 'delete', 'patch']),
    rule([''], ['nodes'], READ),
    ...CONTROLLER_BASE,
  ],
  // Runs Jobs' pods (the tracking finalizer is removed with a patch) and deletes finished Jobs past their TTL.
  'job-controller': [
    rule(['batch'], ['jobs'], [...READ, 'update', 'patch', 'delete']),
    rule(['batch'], ['jobs/status'], ['update', 'patch']),
    rule([''], ['pods'], [...READ, 'create', 'delete', 'patch', 'update']),
    ...CONTROLLER_BASE,
  ],
  'cronjob-controller': [
    rule(['batch'], ['cronjobs'], [...READ, 'update', 'patch']),
    rule(['batch'], ['cronjobs/status'], ['update', 'patch']),
    rule(['batch'], ['jobs'], [...READ, 'create', 'delete', 'patch', 'update']),
    rule([''], ['pods'], [...READ, 'delete', 'deletecollection']),
    ...CONTROLLER_BASE,
  ],
  // Reads every resource and deletes or patches (owner references, finalizers) any of them.
  'garbage-collector': [rule(['*'], ['*'], ['get', 'list', 'watch', 'patch', 'update', 'delete']), ...CONTROLLER_BASE],
  'namespace-controller': [
    rule([''], ['namespaces'], [...READ, 'update', 'patch', 'delete']),
    rule([''], ['namespaces/finalize', 'namespaces/status'], ['update', 'patch']),
    rule(['*'], ['*'], ['get', 'list', 'watch', 'delete', 'deletecollection']),
    ...CONTROLLER_BASE,
  ],
  'node-lifecycle-controller': [
    rule([''], ['nodes'], [...READ, 'update', 'patch']),
    rule([''], ['nodes/status'], ['update', 'patch']),
    rule([''], ['pods'], [...READ, 'delete']),
    rule([''], ['pods/status'], ['update', 'patch']),
    ...CONTROLLER_BASE,
  ],
  // EndpointSlices and Endpoints of Services with selectors, from the pods they select.
  'endpointslice-controller': [
    rule([''], ['services', 'pods'], READ),
    rule([''], ['endpoints'], [...READ, 'create', 'update', 'delete']),
    rule(['discovery.k8s.io'], ['endpointslices'], [...READ, 'create', 'update', 'delete']),
    ...CONTROLLER_BASE,
  ],
  // PodDisruptionBudget status from the pods it selects and their controllers' scale.
  'disruption-controller': [
    rule(['policy'], ['poddisruptionbudgets'], READ),
    rule(['policy'], ['poddisruptionbudgets/status'], ['update', 'patch']),
    rule([''], ['pods', 'replicationcontrollers'], READ),
    rule(['apps'], ['replicasets', 'deployments', 'statefulsets'], READ),
    ...CONTROLLER_BASE,
  ],
  // ResourceQuota usage: counts and sums what each namespace holds.
  // Scrapes kubelets (nodes' addresses) for pods it reports and registers its APIService and Endpoints.
  'metrics-server': [
    rule([''], ['pods', 'nodes', 'namespaces'], READ),
    rule([''], ['endpoints'], [...READ, 'create', 'update']),
    rule(['apiregistration.k8s.io'], ['apiservices'], [...READ, 'create', 'update']),
    ...CONTROLLER_BASE,
  ],
  // HorizontalPodAutoscalers: reads pods and metrics.k8s.io, writes its targets' scale and its status.
  'hpa-controller': [
    rule(['autoscaling'], ['horizontalpodautoscalers'], READ),
    rule(['autoscaling'], ['horizontalpodautoscalers/status'], ['update', 'patch']),
    rule([''], ['pods'], READ),
    rule(['metrics.k8s.io'], ['pods'], READ),
    rule(['apps'], ['deployments/scale', 'replicasets/scale', 'statefulsets/scale'], ['get', 'update', 'patch']),
    rule([''], ['replicationcontrollers/scale'], ['get', 'update', 'patch']),
    ...CONTROLLER_BASE,
  ],
  // NodePools: installs their CRD, provisions and removes Nodes, evicts pods from nodes it drains.
  'cluster-autoscaler': [
    rule(['apiextensions.k8s.io'], ['customresourcedefinitions'], [...READ, 'create', 'update']),
    rule(['autoscaling.keelson.dev'], ['nodepools'], READ),
    rule(['autoscaling.keelson.dev'], ['nodepools/status'], ['update', 'patch']),
    rule([''], ['nodes'], [...READ, 'create', 'update', 'patch', 'delete']),
    rule([''], ['pods'], READ),
    rule([''], ['pods/eviction'], ['create']),
    ...CONTROLLER_BASE,
  ],
  'resourcequota-controller': [
    rule([''], ['resourcequotas'], READ),
    rule([''], ['resourcequotas/status'], ['update', 'patch']),
    rule(['*'], ['*'], ['list', 'watch']),
    ...CONTROLLER_BASE,
  ],
  // The shared kubelet identity (simulated nodes; kubelets without a node credential): kube's
  // system:node role. Kubelets authenticated as system:node:<name> get the Node authorizer instead.
  kubelet: [
    rule([''], ['nodes'], [...READ, 'create', 'update', 'patch', 'delete']),
    rule([''], ['nodes/status'], ['patch', 'update']),
    rule([''], ['pods'], [...READ, 'delete']),
    rule([''], ['pods/status'], ['patch', 'update']),
    rule([''], ['services', 'endpoints'], READ),
    rule(['discovery.k8s.io'], ['endpointslices'], READ), // its pods' cluster DNS
    rule([''], ['secrets', 'configmaps', 'persistentvolumeclaims', 'serviceaccounts'], ['get']),
    rule([''], ['serviceaccounts/token'], ['create']),
    rule(['authentication.k8s.io'], ['tokenreviews'], ['create']),
    rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
    ...EVENTS,
    LEADER_ELECTION,
  ],
  // kube's system:node-proxier, plus pods (endpoints computed from them while no slices exist).
  'kube-proxy': [
    rule([''], ['services', 'endpoints', 'pods', 'nodes'], READ),
    rule(['discovery.k8s.io'], ['endpointslices'], READ),
    ...EVENTS,
  ],
  // The gateway reaches kubelets with its token; it calls nothing on its own API.
  'api-gateway': [],
};

const clusterRole = (name: string, rules: PolicyRule[], extra: Partial<KubeObject> = {}, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: `${GROUP}/v1`,
  kind: 'ClusterRole',
  metadata: { name, labels: { ...BOOTSTRAP_LABELS, ...labels }, annotations: { ...AUTOUPDATE } },
  rules,
  ...extra,
});
const binding = (name: string, role: string, subjects: Array<{ kind: string; name: string; namespace?: string }>): KubeObject => ({
  apiVersion: `${GROUP}/v1`,
  kind: 'ClusterRoleBinding',
  metadata: { name, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } },
  roleRef: { apiGroup: GROUP, kind: 'ClusterRole', name: role },
  subjects: subjects.map((s) => (s.kind === 'ServiceAccount' ? s : { apiGroup: GROUP, ...s })),
});
const aggregated = (name: string, label: string, labels: Record<string, string> = {}): KubeObject =>
  clusterRole(name, [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/${label}`]: 'true' } }] } }, labels);

// Read-only and read-write resource sets of kube's aggregate-to-view/edit/admin roles.
const VIEW_CORE = ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status', 'namespaces'];
const VIEW_APPS = ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'];
const EDIT_CORE = ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'pods/eviction', 'configmaps', 'endpoints', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'];
const EDIT_APPS = ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'];
const VIEW_RULES: PolicyRule[] = [
  rule([''], VIEW_CORE, READ),
  rule(['apps'], VIEW_APPS, READ),
  rule(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], READ),
  rule(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], READ),
  rule(['discovery.k8s.io'], ['endpointslices'], READ),
  rule(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], READ),
  rule(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], READ),
  rule(['coordination.k8s.io'], ['leases'], READ),
];
const EDIT_RULES: PolicyRule[] = [
  rule([''], EDIT_CORE, WRITE),
  rule([''], ['serviceaccounts/token'], ['create']),
  rule(['apps'], EDIT_APPS, WRITE),
  rule(['autoscaling'], ['horizontalpodautoscalers'], WRITE),
  rule(['batch'], ['cronjobs', 'jobs'], WRITE),
  rule(['policy'], ['poddisruptionbudgets'], WRITE),
  rule(['networking.k8s.io'], ['ingresses', 'networkpolicies'], WRITE),
  rule(['discovery.k8s.io'], ['endpointslices'], WRITE),
  rule(['coordination.k8s.io'], ['leases'], WRITE),
  rule([''], ['secrets'], READ),
];
const ADMIN_RULES: PolicyRule[] = [
  rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
  rule([GROUP], ['rolebindings', 'roles'], [...READ, ...WRITE]),
];

/** The bootstrap ClusterRoles and ClusterRoleBindings, for `services` (their names under services/). */
export function bootstrapPolicy(services: string[] = Object.keys(SERVICE_RULES)): { clusterRoles: KubeObject[]; clusterRoleBindings: KubeObject[] } {
  const clusterRoles: KubeObject[] = [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    aggregated('admin', 'aggregate-to-admin'),
    aggregated('edit', 'aggregate-to-edit', { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' }),
    aggregated('view', 'aggregate-to-view', { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' }),
    clusterRole('system:aggregate-to-admin', ADMIN_RULES, {}, { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' }),
    clusterRole('system:aggregate-to-edit', EDIT_RULES, {}, { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' }),
    clusterRole('system:aggregate-to-view', VIEW_RULES, {}, { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }),
    clusterRole('system:basic-user', [
      rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']),
      rule(['authentication.k8s.io'], ['selfsubjectreviews'], ['create']),
    ]),
    clusterRole('system:discovery', [urls(['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], ['get'])]),
    clusterRole('system:public-info-viewer', [urls(['/healthz', '/livez', '/readyz', '/version', '/version/'], ['get'])]),
    // kube's: scraping /metrics (and the health endpoints) for members of group system:monitoring.
    clusterRole('system:monitoring', [urls(['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'], ['get'])]),
  ];
  const clusterRoleBindings: KubeObject[] = [
    binding('cluster-admin', 'cluster-admin', [{ kind: 'Group', name: 'system:masters' }]),
    binding('system:basic-user', 'system:basic-user', [{ kind: 'Group', name: 'system:authenticated' }]),
    binding('system:discovery', 'system:discovery', [{ kind: 'Group', name: 'system:authenticated' }]),
    binding('system:public-info-viewer', 'system:public-info-viewer', [{ kind: 'Group', name: 'system:authenticated' }, { kind: 'Group', name: 'system:unauthenticated' }]),
    binding('system:monitoring', 'system:monitoring', [{ kind: 'Group', name: 'system:monitoring' }]),
  ];
  for (const svc of services) {
    const rules = SERVICE_RULES[svc];
    if (!rules) continue;
    const name = `system:keelson:${svc}`;
    clusterRoles.push(clusterRole(name, rules));
    clusterRoleBindings.push(binding(name, name, [{ kind: 'User', name: serviceUserName(svc) }]));
  }
  return { clusterRoles, clusterRoleBindings };
}

/** Creates what is missing and reconciles auto-updated objects that drifted (rules, selectors, subjects). */
export async function ensureBootstrapPolicy(stores: { clusterRoles: ResourceStore; clusterRoleBindings: ResourceStore }, ctx: () => RequestContext, log: Logger): Promise<void> {
  const { clusterRoles, clusterRoleBindings } = bootstrapPolicy();
  // Aggregated roles are created with their settled rules, so nothing rewrites them after start.
  for (const [name, rules] of settleAggregation(clusterRoles)) clusterRoles.find((r) => r.metadata.name === name)!.rules = rules;
  const ensure = async (store: ResourceStore, want: KubeObject, fields: string[]): Promise<void> => {
    const name = want.metadata.name!;
    let current: KubeObject | undefined;
    try {
      current = await store.get(undefined, name);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
    if (!current) {
      try {
        await store.create(undefined, want, ctx());
        log.info('created bootstrap RBAC object', { kind: want.kind, name });
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 409)) throw e; // another replica was first
      }
      return;
    }
    if (current.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'] !== 'true') return;
    // Aggregated roles' rules are the aggregator's: only their selectors are reconciled here.
    const compared = fields.filter((f) => !(f === 'rules' && want.aggregationRule));
    if (compared.every((f) => JSON.stringify(current![f] ?? null) === JSON.stringify(want[f] ?? null))) return;
    await store.update(undefined, name, (c) => {
      const next = { ...c };
      for (const f of compared) next[f] = want[f];
      return next;
    }, ctx());
    log.info('reconciled bootstrap RBAC object', { kind: want.kind, name });
  };
  for (const r of clusterRoles) await ensure(stores.clusterRoles, r, ['rules', 'aggregationRule']);
  for (const b of clusterRoleBindings) await ensure(stores.clusterRoleBindings, b, ['subjects']);
}
