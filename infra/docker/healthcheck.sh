#!/bin/bash
# Cheap container health probe for a plain-HTTP endpoint on this container's loopback:
#   healthcheck.sh PORT [PATH]   (exit 0 on a 2xx status)
# bash's /dev/tcp, no new interpreter: the node probe (healthcheck.js) costs ≈ 0.3 s of CPU per run,
# and 30+ containers probing every 15 s kept most of a core busy on a 2-core machine. The gateway's
# HTTPS /readyz still uses healthcheck.js.
port=${1:?port}
path=${2:-/readyz}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3
IFS= read -r -t 5 status <&3 || { echo "no answer from :$port$path" >&2; exit 1; }
case "$status" in
  "HTTP/1."?" 2"*) exit 0 ;;
esac
echo "$port$path: $status" >&2
exit 1
