// The shell the pod sandbox runs, kept apart from the TypeScript that drives it.
//
// HOLDER runs as pid 1 of a new PID namespace, in new UTS, IPC and mount namespaces (started by
// `unshare --pid --uts --ipc --mount --propagation private --fork`, as root). It sets the
// hostname, builds the pod's root filesystem on a tmpfs — the host's system directories
// (/usr, /bin, /lib…) bound read-only, /etc as a writable overlay of the host's (so mount
// points can be made there), a minimal /dev, a /proc of the pod's own PID namespace, an empty
// /tmp, /run, /var and /root, and the pod's own directory — then pivot_roots into it and
// unmounts the host's root. What the control plane keeps on the node (credentials, etcd and
// NATS data, other pods' directories, the repository) is simply not in that tree. It then
// stays as the pod's init (kube's pause container): reaping orphans, holding the namespaces
// that every container of the pod joins.
//
// ENTER runs inside the sandbox (after `nsenter -t <holder> --pid --uts --ipc --mount --net`):
// optional per-container bind mounts (in a private child mount namespace, as kube mounts
// volumes per container), the working directory, then the drop to the container's user.

/** Printed by the holder on stdout once the sandbox is ready to be joined. */
export const READY_LINE = 'keelson-sandbox-ready';

/** Top-level host directories a pod sees, read-only (symlinks such as /bin → usr/bin are copied as links). */
export const SYSTEM_DIRS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'usr', 'opt'];

// args: hostname newroot etcdir nro ro-path... nrw (source target)... ; each step fails the holder (set -e).
// The read-write binds are the pod's own directories (working directory, volume staging) and its
// hostPath volumes; a target is a path inside the pod's root.
export const HOLDER = String.raw`set -eu
h=$1; R=$2; etcsrc=$3; n=$4; shift 4
hostname "$h"
mount -t tmpfs -o mode=0755,nosuid,nodev keelson-pod "$R"
cd "$R"
# Few processes: each one is slow to start on a loaded node (mount -o bind,ro is one command).
mkdir -p etc .etc dev proc sys run home mnt srv media root tmp var/tmp
chmod 1777 tmp var/tmp; chmod 0700 root .etc
ro_bind() { mkdir -p "$R$1"; mount -o rbind,ro "$1" "$R$1"; }
for d in ${SYSTEM_DIRS.join(' ')}; do
  if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$R/$d"
  elif [ -d "/$d" ]; then ro_bind "/$d"; fi
done
while [ "$n" -gt 0 ]; do
  if [ -e "$1" ] && [ ! -e "$R$1" ]; then ro_bind "$1"; fi
  shift; n=$((n - 1))
done
rw=$1; shift
mount -t tmpfs -o mode=0700 keelson-etc "$R/.etc"
mkdir "$R/.etc/upper" "$R/.etc/work"
if ! mount -t overlay keelson-etc -o "lowerdir=/etc,upperdir=$R/.etc/upper,workdir=$R/.etc/work" "$R/etc" 2>/dev/null; then
  mount -o rbind,ro /etc "$R/etc"
fi
umount -l "$R/.etc"; rmdir "$R/.etc"
for f in hosts hostname resolv.conf; do
  if [ -f "$etcsrc/$f" ]; then
    [ -e "$R/etc/$f" ] || : > "$R/etc/$f" 2>/dev/null || true
    if [ -e "$R/etc/$f" ]; then mount -o bind,ro "$etcsrc/$f" "$R/etc/$f"; fi
  fi
done
mount -t tmpfs -o mode=0755,nosuid keelson-dev "$R/dev"
cd "$R/dev"
mkdir pts shm mqueue
ln -s /proc/self/fd fd; ln -s /proc/self/fd/0 stdin; ln -s /proc/self/fd/1 stdout; ln -s /proc/self/fd/2 stderr
for d in null zero full random urandom tty; do : > "$d"; mount --bind "/dev/$d" "$d"; done
if mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,nosuid,noexec devpts pts 2>/dev/null; then ln -s pts/ptmx ptmx; fi
mount -t tmpfs -o mode=1777,nosuid,nodev shm shm
mount -t mqueue -o nosuid,nodev,noexec mqueue mqueue 2>/dev/null || true
mount -t proc -o nosuid,nodev,noexec proc "$R/proc"
# A fresh read-only sysfs, not the host's tree (whose cgroup mounts below it are writable).
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$R/sys" 2>/dev/null || true
while [ "$rw" -gt 0 ]; do
  mkdir -p "$R$2"; mount --rbind "$1" "$R$2"
  shift 2; rw=$((rw - 1))
done
cd "$R"; mkdir .oldroot; pivot_root . .oldroot; cd /
umount -l /.oldroot; rmdir /.oldroot
echo ${READY_LINE}
exec >/dev/null 2>&1 </dev/null
exec /bin/sh -c 'trap "exit 0" TERM INT; while :; do sleep 86400 & wait $!; done' keelson-pause
`;

// args: workdir uid:gid groups|- staging nmounts (src target ro|rw)... -- argv...
// Runs in a private child of the pod's mount namespace: after binding its volumes out of the
// pod's staging directory it unmounts the staging, so it sees the volumes it mounts, no others.
// Capabilities: the bounding set is cut to the runtime default kube containers get (Docker's),
// so a container running as uid 0 cannot mount, load modules or leave its namespaces.
export const DEFAULT_CAPS = ['chown', 'dac_override', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap', 'net_bind_service', 'net_raw', 'sys_chroot', 'mknod', 'audit_write', 'setfcap'];

export const ENTER = [
  'wd=$1; ids=$2; groups=$3; staging=$4; n=$5; shift 5',
  'while [ "$n" -gt 0 ]; do',
  '  if [ -d "$1" ]; then mkdir -p "$2" 2>/dev/null; else mkdir -p "$(dirname "$2")" 2>/dev/null; [ -e "$2" ] || touch "$2" 2>/dev/null; fi',
  '  [ -e "$2" ] || { echo "keelson: cannot create mount point $2" >&2; exit 125; }',
  '  if [ "$3" = ro ]; then mount -o bind,ro "$1" "$2" || exit 125; else mount --bind "$1" "$2" || exit 125; fi',
  '  shift 3; n=$((n - 1))',
  'done',
  'shift', // the "--" before the container's argv
  'umount -l "$staging" 2>/dev/null || true',
  'cd "$wd" 2>/dev/null || cd /',
  'if [ "$groups" = - ]; then g=--clear-groups; else g=--groups=$groups; fi',
  `exec setpriv --reuid="\${ids%:*}" --regid="\${ids#*:}" $g --bounding-set=-all,${DEFAULT_CAPS.map((c) => `+${c}`).join(',')} --inh-caps=-all -- "$@"`,
].join('\n');
