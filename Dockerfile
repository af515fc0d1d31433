# One multi-stage build for every Keelson service: `docker build --target api-gateway .`
# Targets: credentials (one-shot PKI/token/NATS-config init), api-gateway, kubelet (adds python3 for
# pod commands), service (any other: --build-arg SERVICE=<folder under services/>).
# Every image runs infra/docker/entrypoint.sh: NAME__FILE=/path sets NAME from that file (secrets
# stay in the credentials volume, not in the compose file).

# No `# syntax=` line: BuildKit would pull that image, and Compose 1.29 builds with the classic builder.
# NODE_IMAGE: the official image by default; tests pass a local stand-in (infra/compose).
ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: install everything, compile all TypeScript projects, then drop dev dependencies.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first: `npm ci` stays a cached layer until a dependency changes (a new workspace needs
# its package.json listed here too).
COPY package.json package-lock.json ./
COPY bench/package.json bench/
COPY e2e/package.json e2e/
COPY fuzz/package.json fuzz/
COPY infra/compose/package.json infra/compose/
COPY infra/local/package.json infra/local/
COPY libs/api/package.json libs/api/
COPY libs/bus/package.json libs/bus/
COPY libs/client/package.json libs/client/
COPY libs/controller-runtime/package.json libs/controller-runtime/
COPY libs/storage/package.json libs/storage/
COPY libs/telemetry/package.json libs/telemetry/
COPY libs/testing/package.json libs/testing/
COPY libs/operator-sdk/package.json libs/operator-sdk/
COPY services/api-gateway/package.json services/api-gateway/
COPY services/cronjob-controller/package.json services/cronjob-controller/
COPY services/daemonset-controller/package.json services/daemonset-controller/
COPY services/deployment-controller/package.json services/deployment-controller/
COPY services/disruption-controller/package.json services/disruption-controller/
COPY services/endpointslice-controller/package.json services/endpointslice-controller/
COPY services/garbage-collector/package.json services/garbage-collector/
COPY services/job-controller/package.json services/job-controller/
COPY services/kubelet/package.json services/kubelet/
COPY services/kube-proxy/package.json services/kube-proxy/
COPY services/namespace-controller/package.json services/namespace-controller/
COPY services/node-lifecycle-controller/package.json services/node-lifecycle-controller/
COPY services/replicaset-controller/package.json services/replicaset-controller/
COPY services/resourcequota-controller/package.json services/resourcequota-controller/
COPY services/metrics-server/package.json services/metrics-server/
COPY services/hpa-controller/package.json services/hpa-controller/
COPY services/cluster-autoscaler/package.json services/cluster-autoscaler/
COPY services/scheduler/package.json services/scheduler/
COPY services/bin-packing-scheduler/package.json services/bin-packing-scheduler/
COPY services/statefulset-controller/package.json services/statefulset-controller/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -b tsconfig.build.json \
 && npm prune --omit=dev --no-audit --no-fund \
 && find . -name '*.tsbuildinfo' -delete

# --- runtime: compiled output and production node_modules, running as the unprivileged `node` user.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    KEELSON_HOME=/var/lib/keelson
WORKDIR /app
# The credentials volume is mounted here; creating it owned by `node` makes a fresh volume writable.
RUN mkdir -p /var/lib/keelson && chown node:node /var/lib/keelson
COPY --from=build --chown=node:node /app /app
USER node
ENTRYPOINT ["sh", "/app/infra/docker/entrypoint.sh"]

# --- credentials: writes CA, serving cert, tokens.csv, tokens/<svc>.token, NATS users (nats/<svc>.password),
#     nats.conf, kubelet-auth.token and an admin kubeconfig to $KEELSON_HOME, then exits.
FROM runtime AS credentials
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl \
 && rm -rf /var/lib/apt/lists/*
# Root in compose: it hands each service a bundle of its own files owned by that service's uid.
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
# --max-semi-space-size: GATEWAY_NODE_FLAGS in infra/local/src/config.ts (npm start and the tests run it so too).
CMD ["node", "--enable-source-maps", "--max-semi-space-size=64", "services/api-gateway/dist/main.js"]

# --- service: any other service (controllers, scheduler, kubelet): --build-arg SERVICE=<folder under services/>.
# Its identity comes from the credentials volume (tokens/<svc>.token, nats/<svc>.password: see
# entrypoint.sh) unless KEELSON_TOKEN / KEELSON_NATS_USER are given.
FROM runtime AS service
ARG SERVICE=unset
ENV KEELSON_SERVICE=${SERVICE} \
    OTEL_SERVICE_NAME=${SERVICE} \
    KEELSON_CA_FILE=/var/lib/keelson/pki/ca.crt \
    KEELSON_HEALTH_PORT=8081
EXPOSE 8081
HEALTHCHECK --interval=5s --timeout=4s --start-period=20s --retries=5 \
  CMD ["sh", "-c", "exec bash infra/docker/healthcheck.sh $KEELSON_HEALTH_PORT"]
CMD ["sh", "-c", "exec node --enable-source-maps services/$KEELSON_SERVICE/dist/main.js"]

# --- kubelet: the service image for services/kubelet, plus python3 for pod commands (the process
# runtime runs a container's command/args as OS processes inside this container; node and sh are there).
FROM service AS kubelet
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/kubelet && chown node:node /var/lib/kubelet
# The kubelet stays root, as a real kubelet: it then runs pod processes as an unprivileged user
# (65534, KEELSON_KUBELET_POD_UID/_GID), who cannot read the credentials volume (0600 files).
# Run as `node`, pods would share its uid and read every credential in the volume.
USER root
ENV KEELSON_SERVICE=kubelet \
    OTEL_SERVICE_NAME=kubelet \
    KEELSON_KUBELET_ROOT=/var/lib/kubelet \
    KEELSON_KUBELET_PORT=10250
EXPOSE 10250

# --- kube-proxy: the Service data plane of a node (services/kube-proxy), with Debian's nftables and
# conntrack. Root with NET_ADMIN in the node container's network namespace (docker-compose.yml).
FROM service AS kube-proxy
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends nftables conntrack kmod \
 && rm -rf /var/lib/apt/lists/*
ENV KEELSON_SERVICE=kube-proxy \
    OTEL_SERVICE_NAME=kube-proxy \
    KEELSON_HEALTH_PORT=10256
HEALTHCHECK --interval=5s --timeout=4s --start-period=20s --retries=5 \
  CMD ["sh", "-c", "exec bash infra/docker/healthcheck.sh $KEELSON_HEALTH_PORT"]
