#!/bin/sh
# Container entrypoint for every Keelson image: turns file-held secrets into environment, then execs.
#   NAME__FILE=/path  →  NAME=<contents of /path>   (e.g. KEELSON_NATS_PASSWORD__FILE)
# For a service image (KEELSON_SERVICE set), with nothing given explicitly, its identity comes from
# the credentials volume: KEELSON_TOKEN_FILE=$KEELSON_HOME/tokens/<svc>.token and NATS user <svc>
# with the password in $KEELSON_HOME/nats/<svc>.password.
set -eu
for name in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)__FILE=.*/\1/p'); do
  eval "file=\${${name}__FILE}"
  if [ ! -r "$file" ]; then
    echo "entrypoint: ${name}__FILE=$file is not readable" >&2
    exit 1
  fi
  value=$(cat "$file")
  export "$name=$value"
  unset "${name}__FILE"
done
if [ -n "${KEELSON_SERVICE:-}" ]; then
  home=${KEELSON_HOME:-/var/lib/keelson}
  if [ -z "${KEELSON_TOKEN:-}${KEELSON_TOKEN_FILE:-}" ] && [ -r "$home/tokens/$KEELSON_SERVICE.token" ]; then
    export KEELSON_TOKEN_FILE="$home/tokens/$KEELSON_SERVICE.token"
  fi
  if [ -z "${KEELSON_NATS_USER:-}${KEELSON_NATS_TOKEN:-}" ] && [ -r "$home/nats/$KEELSON_SERVICE.password" ]; then
    export KEELSON_NATS_USER="$KEELSON_SERVICE"
    KEELSON_NATS_PASSWORD=$(cat "$home/nats/$KEELSON_SERVICE.password")
    export KEELSON_NATS_PASSWORD
  fi
fi
exec "$@"
