// The two steps of a container start (or an exec into one) that no shell may do:
//
//  - the container's environment. Kubernetes allows any printable name but '=' (`my.setting`,
//    `CFG_app.conf`), which no shell can hold as a variable: dash drops such names when it execs,
//    bash keeps them but reads its own (BASH_ENV, BASH_FUNC_*, SHELLOPTS) and every shell looks
//    commands up in PATH. The root wrappers that start a container (cgroup join, mounts, the
//    privilege drop) must run on the kubelet's environment, not the pod's. So the wrappers get a
//    fixed environment (WRAPPER_ENV) and the container's comes on file descriptor 3, written by
//    the kubelet (NAME=VALUE entries separated by NUL, never on a command line where `ps` would
//    show Secret values); the innermost step, right before the container's command, reads it,
//    closes the descriptor and execs the command with exactly that environment (same pid).
//  - joining a cgroup: the step writes its own pid into each cgroup.procs file, then execs the
//    rest (environment untouched), so whatever it starts is accounted and limited from its
//    first instruction (an exec into a container joins the container's cgroups this way).
//
// Both steps are Perl (perl-base is Essential on Debian: every Debian or Ubuntu host and the
// kubelet image have /usr/bin/perl). Without Perl a start falls back to passing the environment
// in the spawn's (names a shell cannot hold are then lost, as before).
import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';

/** The descriptor the container's environment arrives on. */
export const ENV_FD = 3;

/** What the wrappers run with: system tools only, nothing the pod chose. */
export const WRAPPER_ENV: Readonly<Record<string, string>> = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };

const ENV_SCRIPT = String.raw`
open(my $f, '<&=', ${ENV_FD}) or die "keelson: no environment on fd ${ENV_FD}: $!\n";
binmode $f; my $d = do { local $/; <$f> }; close $f;
%ENV = ();
for my $kv (split /\0/, $d) { my $i = index($kv, '='); $ENV{substr($kv, 0, $i)} = substr($kv, $i + 1) if $i > 0; }
exec { $ARGV[0] } @ARGV;
print STDERR "keelson: exec $ARGV[0]: $!\n"; exit($!{ENOENT} ? 127 : 126);
`;

const JOIN_SCRIPT = String.raw`
my $n = shift @ARGV;
for (1 .. $n) { my $p = shift @ARGV; open(my $f, '>', $p) or die "keelson: cannot join cgroup $p: $!\n"; print $f "$$\n"; close($f) or die "keelson: cannot join cgroup $p: $!\n"; }
exec { $ARGV[0] } @ARGV;
print STDERR "keelson: exec $ARGV[0]: $!\n"; exit($!{ENOENT} ? 127 : 126);
`;

let perlPath: string | undefined | null = null;

/** /usr/bin/perl (or /bin/perl) when this host has it. */
export function perl(): string | undefined {
  if (perlPath === null) perlPath = ['/usr/bin/perl', '/bin/perl'].find((p) => existsSync(p));
  return perlPath;
}

/** `argv` run with the environment read from ENV_FD (see the header); undefined without Perl. */
export function envFromFdArgv(argv: string[]): string[] | undefined {
  const p = perl();
  return p ? [p, '-e', ENV_SCRIPT, '--', ...argv] : undefined;
}

/** `argv` run after joining the cgroups whose cgroup.procs files are given; unchanged without Perl or files. Spawn as root. */
export function joinCgroupsArgv(procsFiles: string[], argv: string[]): string[] {
  const p = perl();
  return p && procsFiles.length ? [p, '-e', JOIN_SCRIPT, '--', String(procsFiles.length), ...procsFiles, ...argv] : argv;
}

/** Whether a `perl -e` script is one of these steps (a container still starting, not its command). */
export function isHelperScript(script: string | undefined): boolean {
  return script === ENV_SCRIPT || script === JOIN_SCRIPT;
}

/** NAME=VALUE\0… as the innermost step reads it. */
export function encodeEnv(env: Record<string, string>): Buffer {
  return Buffer.from(Object.entries(env).map(([k, v]) => `${k}=${v}\0`).join(''), 'utf8');
}

/** Hands `env` to a child spawned with a pipe at ENV_FD; a child that exits before reading it is not an error here. */
export function sendEnv(child: ChildProcess, env: Record<string, string>): void {
  const pipe = child.stdio[ENV_FD] as Writable | null | undefined;
  if (!pipe) return;
  pipe.on('error', () => undefined); // EPIPE: the start failed earlier, and says so itself
  pipe.end(encodeEnv(env));
}
