// ControllerRefManager: adoption, release, a deleting owner, and conflicts, against an
// in-memory API that applies the strategic merge patches the manager sends (ownerReferences
// merged by uid, `$patch: delete`, the uid precondition as the gateway answers it).
import { ApiError, errors, labelSelectorFromObject, type KubeObject, type OwnerReference } from '@keelson/api';
import type { ResourceRef } from '@keelson/client';
import { CLAIM_CONFLICT_RETRIES, ClaimError, ControllerRefManager, type ControllerRefKinds } from '../src/controller-ref-manager';

const REPLICASETS: ResourceRef = { group: 'apps', version: 'v1', resource: 'replicasets' };
const PODS: ResourceRef = { group: '', version: 'v1', resource: 'pods' };
const KINDS: ControllerRefKinds = { controllerResource: REPLICASETS, controllerKind: { apiVersion: 'apps/v1', kind: 'ReplicaSet' }, resource: PODS };

const rs = (over: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'default', uid: 'rs-1', ...over },
  spec: { selector: { matchLabels: { app: 'web' } } },
});
const ref = (name: string, uid: string, kind = 'ReplicaSet'): OwnerReference => ({ apiVersion: 'apps/v1', kind, name, uid, controller: true, blockOwnerDeletion: true });
const pod = (name: string, labels: Record<string, string>, over: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `${name}-uid`, labels, ...over },
});

type Call = { verb: 'get' | 'patch'; resource: string; name: string; body?: unknown };

/** The API as far as claiming needs it: GET, and strategic merge PATCH of ownerReferences. */
class FakeApi {
  readonly objects = new Map<string, KubeObject>();
  readonly calls: Call[] = [];
  /** Runs before a patch is applied; throw to answer with an error, or change the stored object. */
  beforePatch?: (name: string, attempt: number) => void | Promise<void>;
  private patches = new Map<string, number>();

  put(resource: ResourceRef, obj: KubeObject): void {
    this.objects.set(`${resource.resource}/${obj.metadata.name}`, structuredClone(obj));
  }

  stored(name: string): KubeObject | undefined {
    return this.objects.get(`pods/${name}`);
  }

  async get<T extends KubeObject>(r: ResourceRef, _ns: string | undefined, name: string): Promise<T> {
    this.calls.push({ verb: 'get', resource: r.resource, name });
    const o = this.objects.get(`${r.resource}/${name}`);
    if (!o) throw errors.notFound(r.resource, name);
    return structuredClone(o) as T;
  }

  async patch<T extends KubeObject>(r: ResourceRef, _ns: string | undefined, name: string, body: Record<string, unknown> | unknown[]): Promise<T> {
    this.calls.push({ verb: 'patch', resource: r.resource, name, body });
    const attempt = this.patches.get(name) ?? 0;
    this.patches.set(name, attempt + 1);
    await this.beforePatch?.(name, attempt);
    const key = `${r.resource}/${name}`;
    const current = this.objects.get(key);
    if (!current) throw errors.notFound(r.resource, name);
    const meta = (body as { metadata: { uid?: string; ownerReferences: (OwnerReference & { $patch?: string })[] } }).metadata;
    if (meta.uid && meta.uid !== current.metadata.uid) {
      throw errors.conflict(r.resource, name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    const next = structuredClone(current);
    let refs = next.metadata.ownerReferences ?? [];
    for (const entry of meta.ownerReferences) {
      refs = refs.filter((x) => x.uid !== entry.uid);
      if (entry.$patch !== 'delete') refs.push(entry);
    }
    next.metadata.ownerReferences = refs;
    this.objects.set(key, next);
    return structuredClone(next) as T;
  }

  count(verb: Call['verb'], resource: string): number {
    return this.calls.filter((c) => c.verb === verb && c.resource === resource).length;
  }
}

function setup(owner = rs()): { api: FakeApi; claim: (pods: KubeObject[]) => Promise<KubeObject[]> } {
  const api = new FakeApi();
  api.put(REPLICASETS, { ...owner, metadata: { ...owner.metadata, deletionTimestamp: undefined } });
  const claim = (pods: KubeObject[]): Promise<KubeObject[]> => {
    for (const p of pods) api.put(PODS, p);
    return new ControllerRefManager<KubeObject, KubeObject>({ client: api, controller: owner, selector: labelSelectorFromObject({ matchLabels: { app: 'web' } }), ...KINDS }).claim(pods);
  };
  return { api, claim };
}

const names = (objs: KubeObject[]): string[] => objs.map((o) => o.metadata.name!).sort();

test('keeps its matching pods, adopts matching orphans with a uid-guarded patch, leaves others alone', async () => {
  const { api, claim } = setup();
  const claimed = await claim([
    pod('mine', { app: 'web' }, { ownerReferences: [ref('web', 'rs-1')] }),
    pod('orphan', { app: 'web' }),
    pod('stranger', { app: 'db' }),
    pod('someone-elses', { app: 'web' }, { ownerReferences: [ref('other', 'rs-2')] }),
  ]);
  expect(names(claimed)).toEqual(['mine', 'orphan']);
  // The adopted pod comes back as the API answered: with our controllerRef.
  expect(claimed.find((p) => p.metadata.name === 'orphan')!.metadata.ownerReferences).toEqual([ref('web', 'rs-1')]);
  expect(api.stored('orphan')!.metadata.ownerReferences).toEqual([ref('web', 'rs-1')]);
  expect(api.calls.filter((c) => c.verb === 'patch')).toEqual([
    { verb: 'patch', resource: 'pods', name: 'orphan', body: { metadata: { ownerReferences: [ref('web', 'rs-1')], uid: 'orphan-uid' } } },
  ]);
  expect(api.stored('someone-elses')!.metadata.ownerReferences).toEqual([ref('other', 'rs-2')]);
});

test('re-reads the owner from the API once before adopting, however many orphans there are', async () => {
  const { api, claim } = setup();
  const claimed = await claim([pod('a', { app: 'web' }), pod('b', { app: 'web' }), pod('c', { app: 'web' })]);
  expect(names(claimed)).toEqual(['a', 'b', 'c']);
  expect(api.count('get', 'replicasets')).toBe(1);
});

test('no owner re-read when there is nothing to adopt', async () => {
  const { api, claim } = setup();
  await claim([pod('mine', { app: 'web' }, { ownerReferences: [ref('web', 'rs-1')] }), pod('stranger', { app: 'db' })]);
  expect(api.calls).toEqual([]);
});

test('releases its pods that stopped matching, by uid, keeping their other owners', async () => {
  const { api, claim } = setup();
  const other: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm-1' };
  const claimed = await claim([pod('relabelled', { app: 'debug' }, { ownerReferences: [other, ref('web', 'rs-1')] })]);
  expect(claimed).toEqual([]);
  expect(api.calls).toEqual([
    { verb: 'patch', resource: 'pods', name: 'relabelled', body: { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'rs-1' }], uid: 'relabelled-uid' } } },
  ]);
  expect(api.stored('relabelled')!.metadata.ownerReferences).toEqual([other]);
});

test('an owner being deleted keeps what it has, adopts nothing and releases nothing', async () => {
  const { api, claim } = setup(rs({ deletionTimestamp: '2026-01-01T00:00:00Z' }));
  const claimed = await claim([
    pod('mine', { app: 'web' }, { ownerReferences: [ref('web', 'rs-1')] }),
    pod('orphan', { app: 'web' }),
    pod('relabelled', { app: 'debug' }, { ownerReferences: [ref('web', 'rs-1')] }),
  ]);
  expect(names(claimed)).toEqual(['mine']);
  expect(api.calls).toEqual([]);
  expect(api.stored('relabelled')!.metadata.ownerReferences).toEqual([ref('web', 'rs-1')]);
});

test('an orphan being deleted, or in another namespace, is not adopted', async () => {
  const { api, claim } = setup();
  const claimed = await claim([
    pod('leaving', { app: 'web' }, { deletionTimestamp: '2026-01-01T00:00:00Z' }),
    pod('elsewhere', { app: 'web' }, { namespace: 'other' }),
  ]);
  expect(claimed).toEqual([]);
  expect(api.calls).toEqual([]);
});

test('a cached owner that was deleted meanwhile adopts nothing: the uncached read says so', async () => {
  const owner = rs();
  const { api, claim } = setup(owner);
  api.objects.get('replicasets/web')!.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  await expect(claim([pod('a', { app: 'web' }), pod('b', { app: 'web' })])).rejects.toThrow('ReplicaSet default/web has just been deleted at 2026-01-01T00:00:00Z');
  expect(api.count('patch', 'pods')).toBe(0);
  expect(api.stored('a')!.metadata.ownerReferences).toBeUndefined();
});

test('a cached owner replaced by a namesake adopts nothing', async () => {
  const { api, claim } = setup();
  api.objects.get('replicasets/web')!.metadata.uid = 'rs-new';
  await expect(claim([pod('a', { app: 'web' })])).rejects.toThrow('original ReplicaSet default/web is gone: got uid rs-new, wanted rs-1');
  expect(api.count('patch', 'pods')).toBe(0);
});

test('an owner gone from the API adopts nothing', async () => {
  const { api, claim } = setup();
  api.objects.delete('replicasets/web');
  await expect(claim([pod('a', { app: 'web' })])).rejects.toThrow(`can't recheck DeletionTimestamp of ReplicaSet default/web: replicasets "web" not found`);
});

test('a pod deleted before the adoption patch is simply not claimed', async () => {
  const { api, claim } = setup();
  api.beforePatch = (name) => {
    if (name === 'gone') api.objects.delete('pods/gone');
  };
  expect(names(await claim([pod('gone', { app: 'web' }), pod('kept', { app: 'web' })]))).toEqual(['kept']);
});

test('conflict retry: a 409 on adoption re-reads the pod and adopts it on the next try', async () => {
  const { api, claim } = setup();
  api.beforePatch = (name, attempt) => {
    if (attempt === 0) throw errors.conflict('pods', name, 'gave up after 5 concurrent modifications');
  };
  const claimed = await claim([pod('busy', { app: 'web' })]);
  expect(names(claimed)).toEqual(['busy']);
  expect(api.stored('busy')!.metadata.ownerReferences).toEqual([ref('web', 'rs-1')]);
  expect(api.calls.map((c) => `${c.verb} ${c.resource}/${c.name}`)).toEqual(['get replicasets/web', 'patch pods/busy', 'get pods/busy', 'patch pods/busy']);
});

test('conflict retry: a pod replaced by a namesake (uid precondition) is not adopted, and is no error', async () => {
  const { api, claim } = setup();
  api.beforePatch = (name) => {
    if (name === 'swapped') api.objects.get('pods/swapped')!.metadata.uid = 'swapped-2';
  };
  expect(await claim([pod('swapped', { app: 'web' })])).toEqual([]);
  expect(api.stored('swapped')!.metadata.ownerReferences).toBeUndefined();
  expect(api.count('patch', 'pods')).toBe(1);
});

test('conflict retry: a pod another controller adopted meanwhile is left to it', async () => {
  const { api, claim } = setup();
  api.beforePatch = (name, attempt) => {
    if (attempt > 0) return;
    api.objects.get(`pods/${name}`)!.metadata.ownerReferences = [ref('other', 'rs-2')];
    throw errors.conflict('pods', name, 'the object has been modified; please apply your changes to the latest version and try again');
  };
  expect(await claim([pod('contested', { app: 'web' })])).toEqual([]);
  expect(api.stored('contested')!.metadata.ownerReferences).toEqual([ref('other', 'rs-2')]);
  expect(api.count('patch', 'pods')).toBe(1);
});

test('conflict retry: a release that conflicts is tried again on the re-read pod', async () => {
  const { api, claim } = setup();
  api.beforePatch = (name, attempt) => {
    if (attempt === 0) throw errors.conflict('pods', name, 'gave up after 5 concurrent modifications');
  };
  expect(await claim([pod('relabelled', { app: 'debug' }, { ownerReferences: [ref('web', 'rs-1')] })])).toEqual([]);
  expect(api.stored('relabelled')!.metadata.ownerReferences).toEqual([]);
  expect(api.count('patch', 'pods')).toBe(2);
});

test('conflict retry gives up after a bounded number of tries and reports the conflict', async () => {
  const { api, claim } = setup();
  api.beforePatch = (name) => {
    throw errors.conflict('pods', name, 'gave up after 5 concurrent modifications');
  };
  await expect(claim([pod('hot', { app: 'web' })])).rejects.toMatchObject({ code: 409, reason: 'Conflict' });
  expect(api.count('patch', 'pods')).toBe(CLAIM_CONFLICT_RETRIES + 1);
});

test('a release answered NotFound or Invalid counts as released', async () => {
  const { api, claim } = setup();
  api.beforePatch = (name) => {
    if (name === 'vanished') throw errors.notFound('pods', name);
    if (name === 'no-ref') throw new ApiError(422, 'Invalid', 'Pod "no-ref" is invalid');
  };
  const mineButRelabelled = (n: string): KubeObject => pod(n, { app: 'debug' }, { ownerReferences: [ref('web', 'rs-1')] });
  await expect(claim([mineButRelabelled('vanished'), mineButRelabelled('no-ref')])).resolves.toEqual([]);
});

test('every candidate is tried before failing; distinct failures are all reported', async () => {
  const { api, claim } = setup();
  api.beforePatch = (name) => {
    if (name === 'bad-1') throw new ApiError(500, 'InternalError', 'etcd unavailable');
    if (name === 'bad-2') throw new ApiError(403, 'Forbidden', 'pods "bad-2" is forbidden');
  };
  const err = await claim([pod('bad-1', { app: 'web' }), pod('good', { app: 'web' }), pod('bad-2', { app: 'web' })]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ClaimError);
  expect((err as ClaimError).errors.map((e) => (e as ApiError).code).sort()).toEqual([403, 500]);
  expect((err as ClaimError).message).toMatch(/etcd unavailable.*forbidden|forbidden.*etcd unavailable/);
  // The good one was adopted all the same.
  expect(api.stored('good')!.metadata.ownerReferences).toEqual([ref('web', 'rs-1')]);
});

test('a filter narrows what is claimed beyond the selector', async () => {
  const api = new FakeApi();
  api.put(REPLICASETS, rs());
  const pods = [pod('running', { app: 'web' }), pod('done', { app: 'web' }, { annotations: { done: 'true' } })];
  for (const p of pods) api.put(PODS, p);
  const claimed = await new ControllerRefManager<KubeObject, KubeObject>({
    client: api, controller: rs(), selector: labelSelectorFromObject({ matchLabels: { app: 'web' } }), filter: (p) => !p.metadata.annotations?.done, ...KINDS,
  }).claim(pods);
  expect(names(claimed)).toEqual(['running']);
});

test('claimed objects keep the order of the candidates, adopted or not', async () => {
  const { api, claim } = setup();
  api.beforePatch = async (name) => {
    if (name === 'a') await new Promise((r) => setTimeout(r, 20)); // the first adoption answers last
  };
  const claimed = await claim([pod('a', { app: 'web' }), pod('b', { app: 'web' }, { ownerReferences: [ref('web', 'rs-1')] }), pod('c', { app: 'web' })]);
  expect(claimed.map((p) => p.metadata.name)).toEqual(['a', 'b', 'c']);
});
