// The test cluster provisioning starts (scripts/provision.sh k8s): where its kubeconfig, kubectl and the
// registry address its pods use are, and the kubectl calls the kubernetes suite checks the cluster with.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeRun, poll, run, type RunResult } from './helpers.js';

const STATE = process.env.TSBUILDX_STATE ?? '/var/lib/tsbuildx-env';

/** What provisioning wrote into env.sh (`export NAME=value`), for runs that did not source it. */
function provisioned(name: string): string | undefined {
  if (process.env[name]) return process.env[name];
  try {
    const m = new RegExp(`^export ${name}=(.*)$`, 'm').exec(readFileSync(join(STATE, 'env.sh'), 'utf8'));
    return m?.[1];
  } catch {
    return undefined;
  }
}

export const KUBECONFIG_PATH = provisioned('TSBUILDX_KUBECONFIG') ?? join(STATE, 'k8s', 'kubeconfig');
export const KUBECTL = provisioned('TSBUILDX_KUBECTL') ?? join(STATE, 'k8s', 'bin', 'kubectl');
/** The local registry as pods reach it: through the cluster bridge's gateway, never another address. */
export const K8S_REGISTRY = provisioned('TSBUILDX_K8S_REGISTRY') ?? '10.244.0.1:5000';

export function clusterMissing(): string | undefined {
  if (!existsSync(KUBECONFIG_PATH)) return `no kubeconfig at ${KUBECONFIG_PATH} (scripts/provision.sh k8s)`;
  if (!existsSync(KUBECTL)) return `no kubectl at ${KUBECTL}`;
  return undefined;
}

/** buildkitd.toml for pods: the registry through the gateway is plain HTTP. */
export function podBuildkitdConfig(): string {
  return `[registry."${K8S_REGISTRY}"]\n  http = true\n  insecure = true\n`;
}

export function kubectl(args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return run(KUBECTL, args, { timeoutMs: opts.timeoutMs ?? 60_000, input: opts.input }, { ...process.env, KUBECONFIG: KUBECONFIG_PATH });
}

export async function kubectlOk(args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<string> {
  const r = await kubectl(args, opts);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${describeRun(r)}`);
  return r.stdout.toString('utf8');
}

interface KubeObject {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; [k: string]: unknown };
  status?: unknown;
  [k: string]: unknown;
}

/**
 * The builder objects of a namespace as a driver made them: what the API server adds on its own (ids,
 * versions, timestamps, status, the Deployment's revision annotation) left out, the namespace and the
 * given names replaced by placeholders, so two namespaces compare.
 */
export async function builderObjects(namespace: string, rename: Record<string, string> = {}): Promise<string> {
  const list = JSON.parse(await kubectlOk(['-n', namespace, 'get', 'deployments,statefulsets,configmaps', '-o', 'json'])) as { items: KubeObject[] };
  const items = list.items
    .filter((o) => !(o.kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt'))
    .map((o) => {
      const { uid: _u, resourceVersion: _r, creationTimestamp: _c, generation: _g, managedFields: _m, namespace: _n, ...meta } = o.metadata;
      const annotations = { ...(meta.annotations ?? {}) };
      delete annotations['deployment.kubernetes.io/revision'];
      const { status: _s, ...rest } = o;
      return { ...rest, metadata: { ...meta, annotations } };
    })
    .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
  // Go lists the ConfigMap volumes in map order, which changes from run to run: compared by name.
  const byName = (a: { name?: string }, b: { name?: string }) => (a.name ?? '').localeCompare(b.name ?? '');
  let text = JSON.stringify(items, (k, v: unknown) => (Array.isArray(v) && (k === 'volumes' || k === 'volumeMounts') ? [...(v as { name?: string }[])].sort(byName) : v), 1);
  for (const [from, to] of Object.entries(rename)) text = text.split(from).join(to);
  return text;
}

/** The running pods of a builder node that are not being deleted, by the `app` label its Deployment selects. */
export async function podsOf(namespace: string, app: string): Promise<string[]> {
  const out = await kubectlOk(['-n', namespace, 'get', 'pods', '-l', `app=${app}`, '--field-selector=status.phase=Running', '-o', 'json']);
  const pods = (JSON.parse(out) as { items: { metadata: { name: string; deletionTimestamp?: string } }[] }).items;
  return pods.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name).sort();
}

/** podsOf, keeping only the pods whose Ready condition is true. */
export async function readyPodsOf(namespace: string, app: string): Promise<string[]> {
  const out = await kubectlOk(['-n', namespace, 'get', 'pods', '-l', `app=${app}`, '-o', 'json']);
  type Pod = { metadata: { name: string; deletionTimestamp?: string }; status?: { conditions?: { type: string; status: string }[] } };
  const pods = (JSON.parse(out) as { items: Pod[] }).items;
  return pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((p) => p.metadata.name).sort();
}

/** Which pod ran build `ref`: the one whose BuildKit history holds it. */
export async function podWithBuild(namespace: string, pods: string[], ref: string): Promise<string[]> {
  const hits: string[] = [];
  for (const pod of pods) {
    const out = await kubectlOk(['-n', namespace, 'exec', pod, '--', 'buildctl', 'debug', 'histories', '--format', '{{.Record.Ref}}']);
    if (out.split('\n').includes(ref)) hits.push(pod);
  }
  return hits;
}

/** Waits until the namespace holds none of a builder's objects or pods. */
export async function waitEmpty(namespace: string, timeoutMs = 120_000): Promise<string> {
  const list = async () => (await kubectlOk(['-n', namespace, 'get', 'deployments,statefulsets,pods,persistentvolumeclaims,configmaps', '-o', 'name'])).split('\n').filter((l) => l && l !== 'configmap/kube-root-ca.crt').join(' ');
  return poll(list, (s) => s === '', timeoutMs, 500);
}
