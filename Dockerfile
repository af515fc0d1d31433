# syntax=docker/dockerfile:1
# One multi-stage build for every Keelson service: `docker build --target api-gateway .`
# Targets: credentials (one-shot PKI/token init), api-gateway, service (any other: --build-arg SERVICE=<name>).

# --- build: install everything, compile all TypeScript projects, then drop dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && npx tsc -b tsconfig.build.json \
 && npm prune --omit=dev --no-audit --no-fund \
 && find . -name '*.tsbuildinfo' -delete

# --- runtime: compiled output and production node_modules, running as the unprivileged `node` user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    KEELSON_HOME=/var/lib/keelson
WORKDIR /app
# The credentials volume is mounted here; creating it owned by `node` makes a fresh volume writable.
RUN mkdir -p /var/lib/keelson && chown node:node /var/lib/keelson
COPY --from=build --chown=node:node /app /app
USER node

# --- credentials: writes CA, serving cert, tokens.csv and an admin kubeconfig to $KEELSON_HOME, then exits.
FROM runtime AS credentials
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl \
 && rm -rf /var/lib/apt/lists/*
USER node
CMD ["node", "--enable-source-maps", "infra/local/dist/init-credentials.js"]

# --- api-gateway: the only process that talks to etcd.
FROM runtime AS api-gateway
ENV OTEL_SERVICE_NAME=api-gateway \
    KEELSON_API_HOST=0.0.0.0 \
    KEELSON_API_PORT=6443 \
    KEELSON_TLS_CERT_FILE=/var/lib/keelson/pki/apiserver.crt \
    KEELSON_TLS_KEY_FILE=/var/lib/keelson/pki/apiserver.key \
    KEELSON_TOKEN_FILE=/var/lib/keelson/tokens.csv \
    KEELSON_CA_FILE=/var/lib/keelson/pki/ca.crt
EXPOSE 6443
HEALTHCHECK --interval=5s --timeout=4s --start-period=20s --retries=5 \
  CMD ["node", "infra/docker/healthcheck.js", "https://127.0.0.1:6443/readyz"]
CMD ["node", "--enable-source-maps", "services/api-gateway/dist/main.js"]

# --- service: any other service (controllers, scheduler, kubelet): --build-arg SERVICE=<folder under services/>.
FROM runtime AS service
ARG SERVICE=unset
ENV KEELSON_SERVICE=${SERVICE} \
    OTEL_SERVICE_NAME=${SERVICE} \
    KEELSON_CA_FILE=/var/lib/keelson/pki/ca.crt
# Its identity comes from the credentials volume unless KEELSON_TOKEN is given.
CMD ["sh", "-c", "export KEELSON_TOKEN=\"${KEELSON_TOKEN:-$(cat $KEELSON_HOME/tokens/$KEELSON_SERVICE.token)}\" && exec node --enable-source-maps services/$KEELSON_SERVICE/dist/main.js"]
