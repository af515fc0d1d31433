// `keelson-operator new NAME [--dir DIR] [--kind KIND] [--group GROUP]`: a working operator
// project outside this repository — a CRD, its generated types, a reconcile, a test against a
// real control plane (envtest), a Dockerfile and a README.
//
// No registry holds @keelson/*: the project depends on this checkout through `file:` links
// (to libs/operator-sdk, and to the checkout's own typescript and @types/node), which npm
// installs offline in seconds as symlinks; the SDK's own dependencies then resolve from the
// checkout's node_modules, exactly the versions Keelson is built and tested with. (npm pack
// tarballs would copy the SDK, but its @keelson/* and third-party dependencies would still
// need a registry or a populated cache.) The price: the project follows the checkout (rebuild
// it, the operator sees the change) and the checkout must stay where it is.
import { existsSync, mkdirSync, readdirSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { generateTypes, parseCrds } from './codegen';

export interface ScaffoldOptions {
  /** The project (and npm package) name, e.g. `greeting-operator`. */
  name: string;
  /** Where to create it; must not exist or be empty. Default `./<name>`. */
  dir?: string;
  /** The custom resource's kind; default from the name (`greeting-operator` → `Greeting`). */
  kind?: string;
  /** The API group; default `example.com`. */
  group?: string;
}

export interface ScaffoldResult {
  dir: string;
  kind: string;
  plural: string;
  group: string;
  files: string[];
}

/** Something the scaffold cannot do as asked (bad name, non-empty directory). */
export class ScaffoldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScaffoldError';
  }
}

const SDK_DIR = resolve(__dirname, '..'); // libs/operator-sdk (from dist/)
const CHECKOUT = resolve(SDK_DIR, '../..');

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`, { paths: [SDK_DIR, CHECKOUT] }));
}

export function pluralOf(kind: string): string {
  const k = kind.toLowerCase();
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  return `${k}s`;
}

export function kindFromName(name: string): string {
  const base = name.replace(/-?(operator|controller)$/, '') || name;
  return base.split(/[^A-Za-z0-9]+/).filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}

export function scaffold(opts: ScaffoldOptions): ScaffoldResult {
  const { name } = opts;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
    throw new ScaffoldError(`name ${JSON.stringify(name)} must be a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit`);
  }
  const kind = opts.kind ?? kindFromName(name);
  if (!/^[A-Z][A-Za-z0-9]*$/.test(kind)) throw new ScaffoldError(`kind ${JSON.stringify(kind)} must be UpperCamelCase (e.g. Greeting)`);
  const group = opts.group ?? 'example.com';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(group)) throw new ScaffoldError(`group ${JSON.stringify(group)} must be a DNS subdomain with a dot (e.g. example.com)`);
  const dir = resolve(opts.dir ?? name);
  if (existsSync(dir) && readdirSync(dir).length) throw new ScaffoldError(`${dir} exists and is not empty`);
  const plural = pluralOf(kind);
  const singular = kind.toLowerCase();
  const constName = plural.toUpperCase();
  const t = { name, kind, plural, singular, group, constName, sdk: SDK_DIR, checkout: CHECKOUT, typesFile: `src/generated/${singular}.ts` };

  const crd = crdYaml(t);
  const files: Record<string, string> = {
    'package.json': packageJson(t),
    'tsconfig.json': TSCONFIG,
    '.gitignore': 'node_modules/\ndist/\n',
    'config/crd.yaml': crd,
    [`config/sample.yaml`]: sampleYaml(t),
    [t.typesFile]: generateTypes(parseCrds(crd), { source: 'config/crd.yaml' }),
    'src/reconciler.ts': reconcilerTs(t),
    'src/main.ts': mainTs(t),
    'test/operator.test.ts': testTs(t),
    Dockerfile: dockerfile(t),
    'README.md': readme(t),
  };
  for (const [rel, text] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  chmodSync(dir, 0o755);
  return { dir, kind, plural, group, files: Object.keys(files) };
}

interface T { name: string; kind: string; plural: string; singular: string; group: string; constName: string; sdk: string; checkout: string; typesFile: string }

function packageJson(t: T): string {
  return JSON.stringify({
    name: t.name,
    version: '0.1.0',
    private: true,
    description: `A Keelson operator for ${t.kind} objects (${t.plural}.${t.group})`,
    scripts: {
      build: 'tsc -p .',
      codegen: `keelson-operator codegen config/crd.yaml -o ${t.typesFile}`,
      start: 'node dist/src/main.js',
      test: 'tsc -p . && node --test dist/test/',
    },
    // file: links into the Keelson checkout this project was made from (see its README).
    dependencies: { '@keelson/operator-sdk': `file:${t.sdk}` },
    devDependencies: { typescript: `file:${packageDir('typescript')}`, '@types/node': `file:${packageDir('@types/node')}` },
    engines: { node: '>=20.6' },
  }, null, 2) + '\n';
}

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: 'ES2022', lib: ['ES2023'], module: 'node16', moduleResolution: 'node16', strict: true,
    esModuleInterop: true, skipLibCheck: true, sourceMap: true, outDir: 'dist', rootDir: '.', types: ['node'],
  },
  include: ['src', 'test'],
}, null, 2) + '\n';

function crdYaml(t: T): string {
  return `# The ${t.kind} custom resource. After editing the schema run \`npm run codegen\` (regenerates ${t.typesFile}).
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${t.plural}.${t.group}
spec:
  group: ${t.group}
  names:
    kind: ${t.kind}
    listKind: ${t.kind}List
    plural: ${t.plural}
    singular: ${t.singular}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
    additionalPrinterColumns:
    - name: Message
      type: string
      jsonPath: .spec.message
    - name: Phase
      type: string
      jsonPath: .status.phase
    - name: ConfigMap
      type: string
      jsonPath: .status.configMap
    schema:
      openAPIV3Schema:
        description: A message the operator publishes as a ConfigMap.
        type: object
        required: [spec]
        properties:
          spec:
            type: object
            required: [message]
            properties:
              message:
                type: string
                minLength: 1
                description: What the ConfigMap says.
              shout:
                type: boolean
                default: false
                description: Upper-case the message.
          status:
            type: object
            properties:
              phase:
                type: string
                enum: [Pending, Ready]
              configMap:
                type: string
                description: The ConfigMap holding the message.
              observedGeneration:
                type: integer
                format: int64
`;
}

function sampleYaml(t: T): string {
  return `apiVersion: ${t.group}/v1
kind: ${t.kind}
metadata:
  name: sample
spec:
  message: hello from ${t.name}
`;
}

function reconcilerTs(t: T): string {
  return `// The reconcile: read the ${t.kind}, make its ConfigMap say what it asks, report in status.
// Level-based: it runs on every change of a ${t.kind} or of a ConfigMap it owns, and always
// converges to the same result, whatever happened in between.
import { CONFIGMAPS, controllerReference, type ConfigMap, type Controller, type Operator } from '@keelson/operator-sdk';
import { ${t.constName}, type ${t.kind} } from './generated/${t.singular}';

export const FIELD_MANAGER = '${t.name}';

export function setupController(op: Operator): Controller {
  return op.for<${t.kind}>(${t.constName}).owns(CONFIGMAPS).reconcile(async (obj, req, ctx) => {
    // Gone, or going: the ConfigMap carries a controller reference, so it is garbage-collected with it.
    if (!obj || obj.metadata.deletionTimestamp) return;
    const message = obj.spec.shout ? obj.spec.message.toUpperCase() : obj.spec.message;
    const configMap = \`\${req.name}-message\`;
    // Server-side apply: creates the ConfigMap or puts back exactly the fields this operator owns.
    await ctx.client.resource<ConfigMap>(CONFIGMAPS).namespace(req.namespace!).apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: configMap, labels: { 'app.kubernetes.io/managed-by': FIELD_MANAGER }, ownerReferences: [controllerReference(obj)] },
      data: { message },
    }, { fieldManager: FIELD_MANAGER, force: true });
    const generation = obj.metadata.generation;
    if (obj.status?.phase !== 'Ready' || obj.status.configMap !== configMap || obj.status.observedGeneration !== generation) {
      await ctx.client.resource(${t.constName}).namespace(req.namespace!).patchStatus(req.name, { phase: 'Ready', configMap, observedGeneration: generation });
      ctx.recorder.event(obj, 'Normal', 'Reconciled', \`ConfigMap \${configMap} says "\${message}"\`);
    }
  });
}
`;
}

function mainTs(t: T): string {
  return `// ${t.name}: runs against the cluster in $KUBECONFIG (or KEELSON_API_URL + KEELSON_TOKEN_FILE +
// KEELSON_CA_FILE, as Keelson gives its services) until SIGTERM or Ctrl-C.
import { Operator } from '@keelson/operator-sdk';
import { setupController } from './reconciler';

const op = new Operator({ name: '${t.name}' });
setupController(op);
op.run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
`;
}

function testTs(t: T): string {
  return `// The operator against a real Keelson control plane (etcd, NATS, the API gateway), started by
// envtest from the Keelson checkout with this project's CRD installed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CONFIGMAPS, Operator, type ConfigMap } from '@keelson/operator-sdk';
import { startEnvtest, type Envtest } from '@keelson/operator-sdk/envtest';
import { ${t.constName}, type ${t.kind} } from '../src/generated/${t.singular}';
import { setupController } from '../src/reconciler';

let env: Envtest;
let op: Operator;

before(async () => {
  env = await startEnvtest({ crds: [join(__dirname, '../../config/crd.yaml')] });
  op = new Operator({ name: '${t.name}', config: env.config });
  setupController(op);
  await op.start();
});

after(async () => {
  await op?.stop();
  await env?.stop();
});

test('a ${t.kind} gets a ConfigMap with its message, and status Ready', async () => {
  const objects = env.dynamic.resource<${t.kind}>(${t.constName}).namespace('default');
  const configMaps = env.dynamic.resource<ConfigMap>(CONFIGMAPS).namespace('default');
  await objects.create({ apiVersion: '${t.group}/v1', kind: '${t.kind}', metadata: { name: 'first' }, spec: { message: 'hello' } });

  const cm = await env.eventually('the ConfigMap', () => configMaps.get('first-message'));
  assert.deepEqual(cm.data, { message: 'hello' });
  assert.equal(cm.metadata.ownerReferences?.[0]?.name, 'first');
  const ready = await env.eventually('status Ready', async () => {
    const o = await objects.get('first');
    return o.status?.phase === 'Ready' ? o : undefined;
  });
  assert.equal(ready.status?.configMap, 'first-message');
  assert.equal(ready.spec.shout, false); // defaulted by the CRD's schema

  // A spec change is reconciled…
  await objects.patch('first', { spec: { shout: true } });
  await env.eventually('the shouted message', async () => (await configMaps.get('first-message')).data?.message === 'HELLO');

  // …and so is someone else's change to the ConfigMap it owns.
  await configMaps.patch('first-message', { data: { message: 'tampered' } });
  await env.eventually('the message restored', async () => (await configMaps.get('first-message')).data?.message === 'HELLO');
});

test('an invalid ${t.kind} is refused by the API with the schema\\'s message', async () => {
  const objects = env.dynamic.resource<${t.kind}>(${t.constName}).namespace('default');
  await assert.rejects(
    objects.create({ apiVersion: '${t.group}/v1', kind: '${t.kind}', metadata: { name: 'bad' }, spec: { message: '' } }),
    /spec\\.message/,
  );
});
`;
}

function dockerfile(t: T): string {
  return `# ${t.name} as an image. The SDK is not on a registry: package.json links it from the Keelson
# checkout at ${t.checkout}, so the image carries that checkout's built libraries at the same path.
#   docker build --build-context keelson=${t.checkout} -t ${t.name} .
# In the cluster the operator reads KEELSON_API_URL, KEELSON_TOKEN_FILE and KEELSON_CA_FILE
# (or a kubeconfig mounted at $KUBECONFIG).
FROM node:20-bookworm-slim
COPY --from=keelson package.json package-lock.json ${t.checkout}/
COPY --from=keelson node_modules ${t.checkout}/node_modules
COPY --from=keelson libs ${t.checkout}/libs
COPY --from=keelson infra/local ${t.checkout}/infra/local
# '@keelson/operator-sdk/scheduling' runs the scheduler's own filter plugins.
COPY --from=keelson services/scheduler ${t.checkout}/services/scheduler
WORKDIR /operator
COPY package.json tsconfig.json ./
COPY config config
COPY src src
COPY test test
RUN npm install --offline --no-audit --no-fund && npx tsc -p .
USER node
CMD ["node", "dist/src/main.js"]
`;
}

function readme(t: T): string {
  return `# ${t.name}

A Keelson operator (made by \`npm run new-operator -- ${t.name}\` in ${t.checkout}). It reconciles
\`${t.kind}\` objects (\`${t.plural}.${t.group}\`): each gets a ConfigMap \`<name>-message\` holding its
\`spec.message\` (upper-cased with \`spec.shout: true\`), and \`status.phase: Ready\`.

    npm install                      # offline: file: links into the Keelson checkout
    npm test                         # compiles, then runs test/ against a real control plane (envtest)
    export KUBECONFIG=${t.checkout}/.keelson/kubeconfig   # the cluster \`npm start\` runs
    kubectl apply -f config/crd.yaml
    npm run build && npm start       # the operator, until Ctrl-C
    kubectl apply -f config/sample.yaml
    kubectl get ${t.plural}              # MESSAGE, PHASE Ready, CONFIGMAP sample-message

- \`config/crd.yaml\`: the CRD; after changing its schema, \`npm run codegen\` regenerates \`${t.typesFile}\`.
- \`src/reconciler.ts\`: the reconcile; \`src/main.ts\`: the process.
- \`test/operator.test.ts\`: the operator against envtest (etcd, NATS and the API gateway of the checkout).
- \`Dockerfile\`: \`docker build --build-context keelson=${t.checkout} -t ${t.name} .\`

See ${t.checkout}/docs/operators.md.
`;
}
