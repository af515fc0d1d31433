// Authentication beyond static tokens and authorization for the gateway, assembled in one place:
// ServiceAccount JWTs, the Node + RBAC authorizer chain over the RBAC watch caches, escalation
// checks on RBAC writes, NodeRestriction on creates, ClusterRole aggregation and the bootstrap
// policy. gateway.ts calls setupAuthorization once; server.ts calls authorizeRequest per request.
import { keyFor, type EtcdStore, type WatchCache } from '@keelson/storage';
import type { ResourceRegistry } from '@keelson/api';
import type { Logger } from '@keelson/telemetry';
import type { TokenAuthenticator, UserInfo } from '../http/auth';
import type { RequestContext } from '../registry/request-context';
import type { AdmissionCheck, ResourceStore } from '../registry/resource-store';
import type { ServiceAccountTokens } from '../serviceaccount/tokens';
import { ClusterRoleAggregator } from './aggregation';
import { Authorizer, parseAuthorizationModes, SYSTEM_MASTERS } from './authorizer';
import { ensureBootstrapPolicy } from './bootstrap-policy';
import { EscalationCheck, RbacPolicyStore } from './escalation';
import { nodeRestriction, type PodLookup } from './node';
import type { PolicyCache } from './rbac';
import { ServiceAccountTokenAuthenticator, UnionAuthenticator } from './serviceaccount-authenticator';

export { attributesFor } from './attributes';
export { handleReview, isReviewRequest } from './reviews';
export type { Authorizer } from './authorizer';
export type { UnionAuthenticator } from './serviceaccount-authenticator';

const RBAC = 'rbac.authorization.k8s.io';

/** Who the gateway is when it writes policy itself (bootstrap, aggregation). */
const GATEWAY_USER: UserInfo = { name: 'system:apiserver', uid: 'system:apiserver', groups: [SYSTEM_MASTERS, 'system:authenticated'] };
const internalContext = (): RequestContext => ({ user: GATEWAY_USER, dryRun: false, fieldValidation: 'Strict', warnings: [] });

export interface AuthorizationSetup {
  authenticator: UnionAuthenticator;
  authorizer: Authorizer;
  /** Ensures the bootstrap policy and starts aggregation (after the caches started). */
  start(): Promise<void>;
  stop(): void;
}

export interface AuthorizationDeps {
  registry: ResourceRegistry;
  stores: Map<string, ResourceStore>;
  caches: Map<string, WatchCache>;
  store: EtcdStore;
  admission: AdmissionCheck[];
  staticTokens: TokenAuthenticator;
  serviceAccountTokens: ServiceAccountTokens;
  log: Logger;
  /** KEELSON_AUTHORIZATION_MODE. */
  mode?: string;
}

/** NodeRestriction, to add to the gateway's admission list before stores are built. */
export const nodeRestrictionAdmission = nodeRestriction;

export function setupAuthorization(deps: AuthorizationDeps): AuthorizationSetup {
  const cache = (group: string, resource: string): WatchCache => {
    const c = deps.caches.get(`${group}/${resource}`);
    if (!c) throw new Error(`no watch cache for ${group}/${resource}`);
    return c;
  };
  const info = (group: string, resource: string) => {
    const i = deps.registry.lookup(group, 'v1', resource);
    if (!i) throw new Error(`${group}/${resource} is not registered`);
    return i;
  };
  const policy = {
    roles: cache(RBAC, 'roles') as PolicyCache,
    clusterRoles: cache(RBAC, 'clusterroles') as PolicyCache,
    roleBindings: cache(RBAC, 'rolebindings') as PolicyCache,
    clusterRoleBindings: cache(RBAC, 'clusterrolebindings') as PolicyCache,
  };
  const podsCache = cache('', 'pods');
  const podsInfo = info('', 'pods');
  const pods: PodLookup = {
    podsOn: (node) => podsCache.list({ filter: (p) => (p.spec as Record<string, unknown> | undefined)?.nodeName === node }).items,
    pod: (ns, name) => podsCache.get(keyFor(podsInfo, ns, name)),
  };
  const authorizer = new Authorizer(parseAuthorizationModes(deps.mode), policy, pods);
  const escalation = new EscalationCheck(authorizer);
  for (const resource of ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']) {
    deps.stores.set(`${RBAC}/${resource}`, new RbacPolicyStore(info(RBAC, resource), deps.store, deps.admission, escalation));
  }
  const objectInfo = { serviceaccounts: info('', 'serviceaccounts'), pods: podsInfo, secrets: info('', 'secrets') };
  const saAuth = new ServiceAccountTokenAuthenticator(deps.serviceAccountTokens, {
    get: (resource, ns, name) => cache('', resource).get(keyFor(objectInfo[resource], ns, name)),
  });
  const authenticator = new UnionAuthenticator(deps.staticTokens, saAuth);
  const aggregator = new ClusterRoleAggregator(policy.clusterRoles, deps.stores.get(`${RBAC}/clusterroles`)!, internalContext, deps.log);
  return {
    authenticator,
    authorizer,
    async start() {
      const s = (r: string) => deps.stores.get(`${RBAC}/${r}`)!;
      await ensureBootstrapPolicy({ clusterRoles: s('clusterroles'), clusterRoleBindings: s('clusterrolebindings') }, internalContext, deps.log);
      // Aggregate only once the cache holds what bootstrap wrote (a partial view would write partial rules).
      const written = await deps.store.currentRevision();
      await Promise.all(Object.values(policy).map((c) => (c as WatchCache).waitUntilFresh(written, 10_000)));
      aggregator.start();
      await aggregator.sync();
      deps.log.info('authorization', { modes: authorizer.modes.join(',') });
    },
    stop() {
      aggregator.stop();
    },
  };
}
