// Which cluster, credentials and namespace a kubernetes node talks to, resolved in buildx's order: the
// endpoint's `kubeconfig=` file, else $KUBECONFIG (a list) or ~/.kube/config; for a node whose endpoint is
// a docker context, that context's kubernetes endpoint; when none of these is usable, the pod's
// in-cluster service account.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { contextKubernetesEndpoint, type KubernetesContextEndpoint } from '../../docker/context.js';
import { BuildxError } from '../../util/errors.js';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** client-go's words for a config without a cluster; buildx shows them under its namespace error. */
const NO_CONFIGURATION = 'invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable';

export interface KubeAccess {
  kc: KubeConfig;
  /** The kubeconfig context's namespace, else `default`. */
  namespace: string;
}

type Loaded = { kc: KubeConfig } | { error: string };

function homeKubeconfig(env: NodeJS.ProcessEnv): string {
  return join(env.HOME || homedir(), '.kube', 'config');
}

/** One file, as client-go's explicit path: a missing file is an error. */
async function loadFile(path: string): Promise<Loaded> {
  if (!existsSync(path)) return { error: `stat ${path}: no such file or directory` };
  const { KubeConfig } = await import('./kube-client.js');
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (err) {
    return { error: `error loading config file "${path}": ${(err as Error).message}` };
  }
  return { kc };
}

/** client-go's default rules: every existing file of $KUBECONFIG merged (first wins), else ~/.kube/config. */
async function loadDefaultRules(env: NodeJS.ProcessEnv): Promise<Loaded> {
  const { KubeConfig } = await import('./kube-client.js');
  const paths = env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter(Boolean) : [homeKubeconfig(env)];
  const kc = new KubeConfig();
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const one = await loadFile(p);
    if ('error' in one) return one;
    mergeFirstWins(kc, one.kc);
  }
  return { kc };
}

function mergeFirstWins(into: KubeConfig, from: KubeConfig): void {
  const add = <T extends { name: string }>(have: T[], more: T[]): T[] => [...have, ...more.filter((m) => !have.some((h) => h.name === m.name))];
  into.loadFromOptions({
    clusters: add(into.clusters, from.clusters),
    users: add(into.users, from.users),
    contexts: add(into.contexts, from.contexts),
    currentContext: into.currentContext || from.currentContext,
  });
}

/** A docker context's kubernetes endpoint as a one-context kubeconfig (docker/cli's KubernetesConfig). */
async function fromContextEndpoint(ep: KubernetesContextEndpoint): Promise<Loaded> {
  const { KubeConfig } = await import('./kube-client.js');
  const kc = new KubeConfig();
  const b64 = (b?: Buffer) => b?.toString('base64');
  kc.loadFromOptions({
    clusters: [{ name: 'cluster', server: ep.host, skipTLSVerify: ep.skipTLSVerify, caData: b64(ep.tls?.ca), proxyUrl: ep.proxyURL }],
    users: [{ name: 'authInfo', token: ep.token, username: ep.username, password: ep.password, certData: b64(ep.tls?.cert), keyData: b64(ep.tls?.key) }],
    contexts: [{ name: 'context', cluster: 'cluster', user: 'authInfo', namespace: ep.defaultNamespace }],
    currentContext: 'context',
  });
  return { kc };
}

/** The single file docker/cli falls back to when a context has no kubernetes endpoint. */
function envKubeconfigFile(env: NodeJS.ProcessEnv): string {
  return env.KUBECONFIG || homeKubeconfig(env);
}

async function fromContext(name: string, env: NodeJS.ProcessEnv): Promise<Loaded> {
  const ep = await contextKubernetesEndpoint(name, { env });
  return ep ? fromContextEndpoint(ep) : loadFile(envKubeconfigFile(env));
}

async function fromEndpoint(endpoint: string, env: NodeJS.ProcessEnv): Promise<Loaded> {
  if (endpoint.startsWith('kubernetes://')) {
    let explicit = '';
    try {
      explicit = new URL(endpoint).searchParams.get('kubeconfig') ?? '';
    } catch {
      // buildx ignores a malformed endpoint here and uses the default rules
    }
    return explicit ? loadFile(explicit) : loadDefaultRules(env);
  }
  return fromContext(endpoint, env);
}

/** Why `kc` cannot reach a cluster, or undefined when it can. */
function unusable(kc: KubeConfig): string | undefined {
  const ctx = kc.getContextObject(kc.getCurrentContext());
  if (!ctx) return NO_CONFIGURATION;
  const cluster = kc.getCluster(ctx.cluster);
  if (!cluster?.server) return NO_CONFIGURATION;
  return undefined;
}

async function inCluster(env: NodeJS.ProcessEnv): Promise<KubeAccess | undefined> {
  if (!env.KUBERNETES_SERVICE_HOST || !env.KUBERNETES_SERVICE_PORT || !existsSync(join(SERVICE_ACCOUNT_DIR, 'token'))) return undefined;
  const { KubeConfig } = await import('./kube-client.js');
  const kc = new KubeConfig();
  kc.loadFromCluster();
  let namespace = 'default';
  try {
    namespace = readFileSync(join(SERVICE_ACCOUNT_DIR, 'namespace'), 'utf8').trim() || 'default';
  } catch {
    // the namespace file is optional; client-go then uses `default`
  }
  return { kc, namespace };
}

export async function resolveKubeAccess(endpoint: string, env: NodeJS.ProcessEnv = process.env): Promise<KubeAccess> {
  let loaded: Loaded = await fromEndpoint(endpoint, env).catch((err: Error) => ({ error: err.message }));
  // A node whose endpoint names no usable config falls back to what the default context provides.
  if ('error' in loaded) loaded = await fromContext('default', env);
  const problem = 'error' in loaded ? loaded.error : unusable(loaded.kc);
  if (problem === undefined && 'kc' in loaded) {
    const ctx = loaded.kc.getContextObject(loaded.kc.getCurrentContext());
    return { kc: loaded.kc, namespace: ctx?.namespace || 'default' };
  }
  const cluster = await inCluster(env);
  if (cluster) return cluster;
  throw new BuildxError(`cannot determine Kubernetes namespace, specify manually: ${problem}`);
}
