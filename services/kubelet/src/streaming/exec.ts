// `kubectl exec`: runs a command in a container (container-process.ts) wired to a channel
// session: stdin, stdout and stderr as pipes, or with `tty=true` a pseudo-terminal made by a
// small Python helper (pty.fork; the session's resize messages set the window size with
// TIOCSWINSZ, which also signals SIGWINCH to the terminal's foreground job). The exit code comes
// back as the error channel's Status. The command is killed if the client leaves first.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import type { Writable } from 'node:stream';
import { exitStatus, failure, STDERR, STDOUT, type StreamSession, type TerminalSize } from './channels';
import { launchIn, type ContainerProcess } from './container-process';

export interface ExecOptions {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

// argv[1:] is the command. fd 3 carries "rows cols" lines. Exits with the command's status
// (128+n when killed by signal n), as a shell reports it.
const PTY_HELPER = String.raw`
import errno, fcntl, os, pty, select, struct, sys, termios
argv = sys.argv[1:]
pid, master = pty.fork()
if pid == 0:
    os.closerange(3, 4096)
    try:
        os.execvp(argv[0], argv)
    except OSError as e:
        os.write(2, ("exec %s: %s\r\n" % (argv[0], e.strerror)).encode())
        os._exit(127 if e.errno == errno.ENOENT else 126)
def write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]
inputs = [0, master, 3]
pending = b""
while True:
    readable = select.select(inputs, [], [])[0]
    if master in readable:
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b""
        if not data:
            break
        write_all(1, data)
    if 0 in readable:
        data = os.read(0, 65536)
        if data:
            write_all(master, data)
        else:
            inputs.remove(0)
            write_all(master, b"\x04")
    if 3 in readable:
        data = os.read(3, 4096)
        if not data:
            inputs.remove(3)
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            rows, cols = (int(x) for x in line.split())
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
status = os.waitpid(pid, 0)[1]
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
`;

export function runExec(session: StreamSession, target: ContainerProcess, opts: ExecOptions, enter: boolean): void {
  const launch = launchIn(target, opts.command, opts.tty ? ['python3', '-c', PTY_HELPER] : [], enter);
  const argv = launch.argv;
  let child: ChildProcess;
  try {
    child = spawn(argv[0], argv.slice(1), {
      cwd: launch.cwd,
      env: launch.env,
      ...(launch.uid !== undefined ? { uid: launch.uid, gid: launch.gid } : {}),
      // Its own process group, so leaving kills the command and whatever it started.
      detached: true,
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', ...(opts.tty ? (['pipe'] as const) : [])],
    });
  } catch (err) {
    return session.finish(failure(`error executing command in container: ${(err as Error).message}`));
  }
  let spawnError: Error | undefined;
  child.on('error', (err) => (spawnError = err));

  const outputs: Promise<void>[] = [];
  const pump = (stream: NodeJS.ReadableStream | null, channel: typeof STDOUT | typeof STDERR, wanted: boolean): void => {
    if (!stream) return;
    outputs.push(new Promise((done) => {
      stream.on('data', (chunk: Buffer) => {
        if (!wanted) return;
        stream.pause();
        void session.write(channel, chunk).then(() => stream.resume());
      });
      stream.on('end', done);
      stream.on('error', () => done());
    }));
  };
  pump(child.stdout, STDOUT, opts.stdout);
  // With a TTY the command's stderr is the terminal too (kubectl asks for no stderr stream); what
  // reaches the helper's own stderr (it could not start) is shown as the terminal's output.
  if (opts.tty) pump(child.stderr, STDOUT, opts.stdout);
  else pump(child.stderr, STDERR, opts.stderr);

  const stdin = child.stdin;
  if (stdin) {
    stdin.on('error', () => undefined); // the command may exit without reading all of it
    session.on('stdin', (data: Buffer) => stdin.write(data));
    session.on('stdin-end', () => stdin.end());
  }
  const resize = child.stdio[3] as Writable | undefined;
  if (resize) {
    resize.on('error', () => undefined);
    session.on('resize', (s: TerminalSize) => resize.write(`${s.height} ${s.width}\n`));
  }
  session.once('gone', () => killGroup(child));

  const exited = new Promise<number>((done) => child.once('close', (code, signal) => done(code ?? 128 + signalNumber(signal))));
  void Promise.all([exited, ...outputs]).then(([code]) => {
    if (spawnError) return session.finish(failure(`error executing command in container: ${spawnError.message}`));
    session.finish(exitStatus(opts.command, code));
  });
}

function killGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (osConstants.signals[signal] ?? 0) : 0;
}
