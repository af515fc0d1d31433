#!/usr/bin/env node
// Entry of `npm start`, `npm test`, `npm run bench`, `npm run fuzz` and `npm run chaos`: installs what is missing (etcd, NATS,
// openssl, node_modules), builds, then runs the command. Plain Node, no dependencies: it runs
// before `npm ci`. Usage: node infra/local/bootstrap.js start|test|bench|fuzz|chaos [args...]
'use strict';

const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const SEARCH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const APT_PACKAGES = ['etcd-server', 'etcd-client', 'nats-server', 'openssl', 'python3-kubernetes', 'nftables', 'conntrack', 'iproute2', 'iptables'];
const REQUIRED_BINARIES = { etcd: 'etcd-server', 'nats-server': 'nats-server', openssl: 'openssl', nft: 'nftables', conntrack: 'conntrack', ip: 'iproute2', iptables: 'iptables' };
// Installed files that are no binary: Debian's Python client, which the e2e suite drives
// (e2e/test/python-client.test.ts) as a client nobody on the project wrote.
const REQUIRED_FILES = { '/usr/lib/python3/dist-packages/kubernetes/__init__.py': 'python3-kubernetes' };

// What each command runs once everything is installed and built. Change here.
const COMMANDS = {
  start: (args) => [process.execPath, ['--enable-source-maps', 'infra/local/dist/main.js', ...args]],
  // All jest projects (unit, integration, e2e); extra args pass through (e.g. `npm test -- --selectProjects unit`).
  test: (args) => [process.execPath, [require.resolve('jest/bin/jest', { paths: [ROOT] }), ...args]],
  // The first existing bench entry point wins; `npm run bench -- api` passes `api`.
  bench: (args) => {
    const entry = ['bench/run.js', 'bench/dist/run.js'].find((f) => fs.existsSync(path.join(ROOT, f)));
    if (!entry) fail('no benchmark runner found (expected bench/run.js or bench/dist/run.js)');
    return [process.execPath, ['--enable-source-maps', entry, ...args]];
  },
  // `npm run fuzz`: generated requests against a running gateway (KEELSON_FUZZ_RUNS, default 20,000).
  fuzz: (args) => [process.execPath, ['--enable-source-maps', 'fuzz/dist/run.js', ...args]],
  // `npm run chaos -- --minutes N --driver local|compose`: kills under load, then the invariants table.
  chaos: (args) => [process.execPath, ['--enable-source-maps', 'chaos/dist/run.js', ...args]],
};

function log(msg) {
  process.stderr.write(`[bootstrap] ${msg}\n`);
}

function fail(msg) {
  log(msg);
  process.exit(1);
}

function findBinary(name) {
  const dirs = (process.env.PATH || '').split(path.delimiter).filter(Boolean).concat(SEARCH_DIRS);
  for (const dir of dirs) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (r.error) fail(`${cmd} failed to start: ${r.error.message}`);
  return r.status === null ? 1 : r.status;
}

/** What is still missing: binaries by name, other files by the package that brings them. */
function missingRequirements() {
  const binaries = Object.keys(REQUIRED_BINARIES).filter((b) => !findBinary(b));
  const files = Object.entries(REQUIRED_FILES)
    .filter(([file]) => !fs.existsSync(file))
    .map(([, pkg]) => pkg);
  return [...binaries, ...files];
}

function ensureSystemPackages() {
  if (process.env.KEELSON_SKIP_SYSTEM_PACKAGES === '1') return;
  const missing = missingRequirements();
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = Boolean(findBinary('apt-get'));
  if (!isRoot || !hasApt) {
    fail(
      `missing ${missing.join(', ')}. Install them, then re-run:\n` +
        `  sudo apt-get update && sudo apt-get install -y ${APT_PACKAGES.join(' ')}\n` +
        '  (Debian/Ubuntu; elsewhere install etcd 3.4+, nats-server 2.9+ and openssl, on PATH or in /usr/sbin,\n' +
        "   and the Python 'kubernetes' client for /usr/bin/python3 if you run the e2e tests,\n" +
        '   or set KEELSON_ETCD_BIN / KEELSON_NATS_BIN; KEELSON_SKIP_SYSTEM_PACKAGES=1 skips this check)',
    );
  }
  log(`installing ${APT_PACKAGES.join(' ')} (missing: ${missing.join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (sh('apt-get', ['update'], { env }) !== 0) fail('apt-get update failed');
  if (sh('apt-get', ['install', '-y', '--no-install-recommends', ...APT_PACKAGES], { env }) !== 0) fail('apt-get install failed');
  const still = missingRequirements();
  if (still.length) fail(`still missing after install: ${still.join(', ')}`);
}

function mtime(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

// npm writes node_modules/.package-lock.json on every install: older than the lockfile = stale.
function ensureNodeModules() {
  const lock = path.join(ROOT, 'package-lock.json');
  const installed = path.join(ROOT, 'node_modules', '.package-lock.json');
  const haveLock = fs.existsSync(lock);
  const stale = !fs.existsSync(path.join(ROOT, 'node_modules')) || (haveLock && mtime(installed) + 1000 < mtime(lock));
  if (!stale) return;
  const args = haveLock ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  log(`npm ${args[0]}`);
  if (sh(npmCommand(), args) !== 0) fail(`npm ${args[0]} failed`);
}

function npmCommand() {
  return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

function build() {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!fs.existsSync(tsc)) fail('typescript is not installed (npm ci failed?)');
  log('building (tsc -b tsconfig.build.json)');
  if (sh(process.execPath, [tsc, '-b', 'tsconfig.build.json']) !== 0) fail('build failed; fix the type errors above');
}

// The e2e suites are not built (jest transpiles them) but must type-check like the rest.
function typecheckE2e() {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  log('type-checking e2e (tsc -p e2e/tsconfig.json)');
  if (sh(process.execPath, [tsc, '-p', 'e2e/tsconfig.json']) !== 0) fail('e2e type errors above');
}

// The child handles Ctrl-C itself (the terminal signals the whole foreground group); a SIGTERM
// sent only to us is passed on. We exit with the child's code.
function runForwarding(cmd, args) {
  const child = spawn(cmd, args, { stdio: 'inherit', cwd: ROOT });
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code === null ? (signal === 'SIGINT' ? 130 : 1) : code));
  child.on('error', (err) => fail(`${cmd} failed to start: ${err.message}`));
}

function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!COMMANDS[command]) fail(`usage: node infra/local/bootstrap.js ${Object.keys(COMMANDS).join('|')} [args...]`);
  const [major] = process.versions.node.split('.').map(Number);
  if (major < 20) fail(`Node ${process.versions.node} is too old; Keelson needs Node 20 or newer`);
  ensureSystemPackages();
  ensureNodeModules();
  build();
  if (command === 'test') typecheckE2e();
  const [cmd, cmdArgs] = COMMANDS[command](args);
  runForwarding(cmd, cmdArgs);
}

main();
