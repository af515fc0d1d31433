// Drives @kubernetes/client-node (ESM-only, so it runs outside jest as its own process).
// stdout: one JSON object per line; stdin: commands `crud`, `informer <namespace>`, `cache`.
import { createInterface } from 'node:readline';
import { CoreV1Api, KubeConfig, makeInformer, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

const kc = new KubeConfig();
kc.loadFromFile(process.env.KUBECONFIG);
const core = kc.makeApiClient(CoreV1Api);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
let informer;

async function crud(namespace) {
  const body = { metadata: { name: 'cn-pod', labels: { via: 'client-node' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } };
  const created = await core.createNamespacedPod({ namespace, body });
  const read = await core.readNamespacedPod({ name: 'cn-pod', namespace });
  read.metadata.labels.step = 'replaced';
  const replaced = await core.replaceNamespacedPod({ name: 'cn-pod', namespace, body: read });
  const patched = await core.patchNamespacedPod(
    { name: 'cn-pod', namespace, body: { metadata: { labels: { step: 'patched' } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  const listed = await core.listNamespacedPod({ namespace, labelSelector: 'via=client-node' });
  await core.deleteNamespacedPod({ name: 'cn-pod', namespace });
  let gone = false;
  try {
    await core.readNamespacedPod({ name: 'cn-pod', namespace });
  } catch (e) {
    gone = e.code === 404;
  }
  say({
    crud: {
      createdUid: created.metadata.uid,
      readUid: read.metadata.uid,
      replacedLabels: replaced.metadata.labels,
      patchedLabels: patched.metadata.labels,
      listed: listed.items.map((p) => p.metadata.name),
      listRv: listed.metadata.resourceVersion,
      gone,
    },
  });
}

function startInformer(namespace) {
  informer = makeInformer(kc, `/api/v1/namespaces/${namespace}/pods`, () => core.listNamespacedPod({ namespace }));
  for (const verb of ['add', 'update', 'delete']) informer.on(verb, (o) => say({ event: verb, name: o.metadata.name }));
  // client-node 1.x stops on errors; restarting relists, as its docs recommend.
  informer.on('error', (err) => {
    say({ event: 'error', message: String(err?.message ?? err) });
    setTimeout(() => informer.start().catch(() => undefined), 300);
  });
  informer.on('connect', () => say({ event: 'connect' }));
  informer.start().then(() => say({ event: 'started' }), (e) => say({ event: 'error', message: String(e) }));
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  const run = async () => {
    if (cmd === 'crud') await crud(arg);
    else if (cmd === 'informer') startInformer(arg);
    else if (cmd === 'cache') say({ cache: informer.list().map((p) => p.metadata.name).sort() });
  };
  run().catch((e) => say({ failure: String(e?.stack ?? e) }));
});
say({ ready: true });
