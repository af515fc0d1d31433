// envtest for Keelson operators: a real control plane for a test, started in seconds — etcd,
// NATS and the api-gateway from this Keelson checkout (@keelson/testing's startControlPlane,
// the harness of Keelson's own e2e suite) — with the operator's CRDs installed and Established.
// No controllers, no kubelets: the test runs the operator's controllers itself, against the API
// a real cluster serves (validation, defaulting, status subresource, watch).
//
//   const env = await startEnvtest({ crds: ['config/crd.yaml'] });
//   const op = new Operator({ name: 'my-operator', config: env.config });
//   ...; await op.start(); ... await env.eventually('the ConfigMap', () => ...); ...
//   await op.stop(); await env.stop();
import { readFileSync } from 'node:fs';
import type { KubeObject } from '@keelson/api';
import { KeelsonClient, type ClientConfig } from '@keelson/client';
import { startControlPlane, until, type ControlPlane } from '@keelson/testing';
import { DynamicClient } from './dynamic-client';
import { createManifests, parseManifests } from './manifests';

export interface EnvtestOptions {
  /** CRD manifests (YAML files, several documents each) to install before the test. */
  crds?: string[];
  /** Also start NATS with the gateway relaying change events, as `npm start` runs it (default true). */
  nats?: boolean;
  /** Extra environment for the gateway. */
  gatewayEnv?: Record<string, string>;
}

export interface Envtest {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** An admin kubeconfig (for kubectl, or `new Operator({ config: clientConfigFromKubeconfig({ path }) })`). */
  kubeconfig: string;
  /** Admin client settings: `new Operator({ name, config: env.config })`. */
  config: ClientConfig;
  client: KeelsonClient;
  dynamic: DynamicClient;
  /** Runs the real kubectl against this control plane; resolves stdout, rejects on a non-zero exit. */
  kubectl(...args: string[]): Promise<string>;
  /** Creates every object of a YAML text (CRDs are waited on until Established). */
  apply(yaml: string): Promise<KubeObject[]>;
  /** Polls `fn` until it returns something truthy (errors count as "not yet"); throws after `timeoutMs` (default 30 s). */
  eventually<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs?: number): Promise<T>;
  /** The underlying harness (gateway log, restarts, more services). */
  controlPlane: ControlPlane;
  stop(): Promise<void>;
}

export async function startEnvtest(opts: EnvtestOptions = {}): Promise<Envtest> {
  const cp = await startControlPlane({ nats: opts.nats ?? true, env: opts.gatewayEnv });
  const config: ClientConfig = { url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem, userAgent: 'envtest' };
  const client = new KeelsonClient(config);
  const dynamic = new DynamicClient(client);

  const eventually: Envtest['eventually'] = (what, fn, timeoutMs = 30_000) => until(what, fn, timeoutMs);

  const apply = (yaml: string): Promise<KubeObject[]> => createManifests(dynamic, parseManifests(yaml));

  try {
    for (const file of opts.crds ?? []) await apply(readFileSync(file, 'utf8'));
  } catch (err) {
    client.close();
    await cp.stop();
    throw err;
  }

  return {
    url: cp.url, kubeconfig: cp.kubeconfig, config, client, dynamic, apply, eventually, controlPlane: cp,
    kubectl: (...args: string[]) => cp.k(...args),
    async stop() {
      client.close();
      await cp.stop();
    },
  };
}
