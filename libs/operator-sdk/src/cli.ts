// keelson-operator: `codegen CRD.yaml... [-o OUT.ts] [--import MODULE]` and
// `new NAME [--dir DIR] [--kind KIND] [--group GROUP]`. Relative paths are the caller's:
// under `npm run` (whose working directory is the package root) that is $INIT_CWD.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CodegenError, generateTypes, parseCrds } from './codegen';
import { scaffold, ScaffoldError } from './scaffold';

const USAGE = `usage:
  keelson-operator new NAME [--dir DIR] [--kind KIND] [--group GROUP]
      a new operator project (default ./NAME): CRD, generated types, reconcile, test, Dockerfile
  keelson-operator codegen CRD.yaml... [-o OUT.ts] [--import MODULE]
      TypeScript types from CRDs' openAPIV3Schema (default OUT: CRD.ts beside the first CRD)`;

function parseArgs(args: string[], flags: string[]): { positional: string[]; opts: Record<string, string> } {
  const positional: string[] = [];
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const flag = a.startsWith('-') ? (eq > 0 ? a.slice(0, eq) : a) : undefined;
    if (!flag) {
      positional.push(a);
      continue;
    }
    if (!flags.includes(flag)) throw new UsageError(`unknown option ${flag}`);
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    opts[flag.replace(/^-+/, '')] = value;
  }
  return { positional, opts };
}

class UsageError extends Error {}

export function main(argv: string[], cwd = process.env.INIT_CWD || process.cwd()): number {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === 'new') {
      const { positional, opts } = parseArgs(rest, ['--dir', '--kind', '--group']);
      if (positional.length !== 1) throw new UsageError('new takes exactly one NAME');
      const name = positional[0];
      const r = scaffold({ name, dir: resolve(cwd, opts.dir ?? name), kind: opts.kind, group: opts.group });
      process.stdout.write(`created ${r.dir} (${r.kind}, ${r.plural}.${r.group}):\n${r.files.map((f) => `  ${f}`).join('\n')}\nnext:\n  cd ${r.dir}\n  npm install && npm test\n`);
      return 0;
    }
    if (cmd === 'codegen') {
      const { positional, opts } = parseArgs(rest, ['-o', '--out', '--import']);
      if (!positional.length) throw new UsageError('codegen needs a CRD file');
      const inputs = positional.map((p) => resolve(cwd, p));
      const crds = inputs.flatMap((f) => parseCrds(readFileSync(f, 'utf8')));
      const out = resolve(cwd, opts.o ?? opts.out ?? inputs[0].replace(/\.(ya?ml|json)$/i, '') + '.ts');
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, generateTypes(crds, { importFrom: opts.import, source: positional.join(', ') }));
      process.stdout.write(`wrote ${out} (${crds.map((c) => c.spec.names.kind).join(', ')})\n`);
      return 0;
    }
    throw new UsageError(cmd ? `unknown command ${cmd}` : 'no command');
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`keelson-operator: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ScaffoldError || err instanceof CodegenError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`keelson-operator: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
}
