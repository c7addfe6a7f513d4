// Puts a builder's objects on the cluster. Creating them is what buildx does; beyond buildx, an existing
// builder whose settings changed (`create --append`/`--node … --driver-opt`/`--config`) gets its objects
// updated, and the caller learns what changed (buildx keeps the old objects: buildx#603, #714, #798).
import type { AppsV1Api, CoreV1Api, V1ConfigMap, V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import { BuildxError } from '../../util/errors.js';
import { apiError, apiFailure, isAlreadyExists, isNotFound } from './api-error.js';
import { labelSelector } from './pods.js';

export interface Objects {
  deployment?: V1Deployment;
  statefulSet?: V1StatefulSet;
  configMaps: V1ConfigMap[];
}

export interface Clients {
  apps: AppsV1Api;
  core: CoreV1Api;
  namespace: string;
}

type Kind = 'Deployment' | 'StatefulSet';

const SYSTEM_ANNOTATION = /(^|\.)kubernetes\.io\//;
type Workload = V1Deployment | V1StatefulSet;

/** Reads, creates, replaces and deletes one kind of workload through the typed client. */
function workloadApi(c: Clients, kind: Kind) {
  const namespace = c.namespace;
  if (kind === 'Deployment') {
    return {
      read: (name: string) => c.apps.readNamespacedDeployment({ name, namespace }) as Promise<Workload>,
      create: (body: Workload) => c.apps.createNamespacedDeployment({ namespace, body: body as V1Deployment }) as Promise<Workload>,
      replace: (name: string, body: Workload, dryRun?: string) => c.apps.replaceNamespacedDeployment({ name, namespace, body: body as V1Deployment, dryRun }) as Promise<Workload>,
      delete: (name: string) => c.apps.deleteNamespacedDeployment({ name, namespace }),
    };
  }
  return {
    read: (name: string) => c.apps.readNamespacedStatefulSet({ name, namespace }) as Promise<Workload>,
    create: (body: Workload) => c.apps.createNamespacedStatefulSet({ namespace, body: body as V1StatefulSet }) as Promise<Workload>,
    replace: (name: string, body: Workload, dryRun?: string) => c.apps.replaceNamespacedStatefulSet({ name, namespace, body: body as V1StatefulSet, dryRun }) as Promise<Workload>,
    delete: (name: string) => c.apps.deleteNamespacedStatefulSet({ name, namespace }),
  };
}

function desiredWorkload(o: Objects): { kind: Kind; object: Workload } {
  if (o.statefulSet) return { kind: 'StatefulSet', object: o.statefulSet };
  if (o.deployment) return { kind: 'Deployment', object: o.deployment };
  throw new BuildxError('no workload to create');
}

async function readOptional<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** JSON with sorted keys, so two reads of the same object compare equal. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Date)) {
      return Object.fromEntries(Object.entries(x as Record<string, unknown>).filter(([, y]) => y !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return x;
  });
}

/** The leaves that differ between two objects, as `path: old → new`. */
export function differences(before: unknown, after: unknown, path = ''): string[] {
  if (canonical(before) === canonical(after)) return [];
  const bothObjects = before && after && typeof before === 'object' && typeof after === 'object' && Array.isArray(before) === Array.isArray(after);
  if (!bothObjects) return [`${path || '.'}: ${canonical(before) ?? 'unset'} → ${canonical(after) ?? 'unset'}`];
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  return keys.flatMap((k) => differences(b[k], a[k], Array.isArray(before) ? `${path}[${k}]` : path ? `${path}.${k}` : k));
}

async function putConfigMaps(c: Clients, maps: V1ConfigMap[], existing: boolean): Promise<string[]> {
  const namespace = c.namespace;
  const changes: string[] = [];
  for (const cm of maps) {
    const name = cm.metadata?.name ?? '';
    try {
      if (existing) {
        const live = await readOptional(() => c.core.readNamespacedConfigMap({ name, namespace }));
        if (!live) {
          await c.core.createNamespacedConfigMap({ namespace, body: cm });
          changes.push(`configmap ${name}: created`);
        } else if (canonical(live.data ?? {}) !== canonical(cm.data ?? {})) {
          await c.core.replaceNamespacedConfigMap({ name, namespace, body: { ...cm, metadata: { ...cm.metadata, resourceVersion: live.metadata?.resourceVersion } } });
          const keys = [...new Set([...Object.keys(live.data ?? {}), ...Object.keys(cm.data ?? {})])].filter((k) => live.data?.[k] !== cm.data?.[k]).sort();
          changes.push(`configmap ${name}: ${keys.join(', ')} changed`);
        }
        continue;
      }
      // buildx: create, and replace what an earlier builder of the same name left.
      try {
        await c.core.createNamespacedConfigMap({ namespace, body: cm });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        await c.core.replaceNamespacedConfigMap({ name, namespace, body: cm });
      }
    } catch (err) {
      throw new BuildxError(`error while calling configMapClient.Create for "${name}": ${apiError(err).message}`, 1, { cause: err });
    }
  }
  return changes;
}

export interface ApplyResult {
  created: boolean;
  /** What an update changed, one line each; empty when nothing did. */
  changes: string[];
}

/**
 * Brings the builder's objects to the wanted settings. A missing workload is created (buildx's bootstrap)
 * only with `createMissing`; otherwise there is nothing to update.
 */
export async function applyObjects(c: Clients, o: Objects, opts: { createMissing: boolean }): Promise<ApplyResult> {
  const { kind, object } = desiredWorkload(o);
  const name = object.metadata?.name ?? '';
  const api = workloadApi(c, kind);
  const live = await readOptional(() => api.read(name)).catch((err: unknown) => {
    throw new BuildxError(`error for bootstrap "${name}": ${apiError(err).message}`, 1, { cause: err });
  });
  if (!live && !opts.createMissing) return { created: false, changes: [] };
  if (!live) {
    const changes: string[] = [];
    // A builder that switched between Deployment and StatefulSet must not keep the other one's pods,
    // which the same `app` selector would also match.
    const other = workloadApi(c, kind === 'Deployment' ? 'StatefulSet' : 'Deployment');
    if (await readOptional(() => other.read(name))) {
      await other.delete(name);
      changes.push(`${kind === 'Deployment' ? 'statefulset' : 'deployment'} ${name}: replaced by a ${kind}`);
    }
    await putConfigMaps(c, o.configMaps, false);
    try {
      await api.create(object);
    } catch (err) {
      throw new BuildxError(`error while calling Create for "${name}": ${apiError(err).message}`, 1, { cause: err });
    }
    return { created: true, changes };
  }

  const mapChanges = await putConfigMaps(c, o.configMaps, true);
  // Annotations the cluster's controllers keep (`deployment.kubernetes.io/revision`) are theirs, not settings.
  const kept = Object.fromEntries(Object.entries(live.metadata?.annotations ?? {}).filter(([k]) => SYSTEM_ANNOTATION.test(k)));
  const annotations = { ...kept, ...object.metadata?.annotations };
  const body = { ...object, metadata: { ...object.metadata, annotations, resourceVersion: live.metadata?.resourceVersion } } as Workload;
  // A server-side dry run fills in the same defaults the live object has, so only real changes differ.
  const dry = await api.replace(name, body, 'All').then((w) => ({ w }), (err: unknown) => ({ err }));
  const changes = [...mapChanges];
  if ('err' in dry) {
    const f = apiFailure(dry.err);
    if (f?.code !== 422) throw new BuildxError(`error while updating ${kind.toLowerCase()} "${name}": ${apiError(dry.err).message}`, 1, { cause: dry.err });
    // An immutable field changed (a StatefulSet's volume claims): only a new object can have it.
    await api.delete(name);
    await waitGone(() => api.read(name));
    await api.create(object);
    return { created: true, changes: [...changes, `${kind.toLowerCase()} ${name}: recreated (${f.message})`] };
  }
  const was = { labels: live.metadata?.labels, annotations: live.metadata?.annotations, spec: live.spec };
  const will = { labels: dry.w.metadata?.labels, annotations: dry.w.metadata?.annotations, spec: dry.w.spec };
  const diff = differences(was, will);
  if (diff.length) {
    await api.replace(name, body);
    changes.push(...diff.map((d) => `${kind.toLowerCase()} ${name}: ${d}`));
  } else if (mapChanges.length) {
    // buildkitd reads its config once: pods started with the old ConfigMap are replaced.
    await c.core.deleteCollectionNamespacedPod({ namespace: c.namespace, labelSelector: labelSelector(object.spec?.selector?.matchLabels ?? {}) });
    changes.push(`${kind.toLowerCase()} ${name}: pods restarted for the new config`);
  }
  return { created: false, changes };
}

async function waitGone(read: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (!(await readOptional(read))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The claims a StatefulSet builder's pods made (`buildkitd-<name>-<n>`, labelled with its selector).
 * buildx leaves them behind on rm; tsbuildx removes them like docker-container's state volume, unless
 * `rm --keep-state`.
 */
async function deleteClaims(c: Clients, set: V1StatefulSet): Promise<void> {
  const name = set.metadata?.name ?? '';
  const claims = await c.core.listNamespacedPersistentVolumeClaim({ namespace: c.namespace, labelSelector: labelSelector(set.spec?.selector?.matchLabels ?? {}) });
  const prefix = (set.spec?.volumeClaimTemplates ?? []).map((t) => `${t.metadata?.name ?? ''}-${name}-`);
  for (const claim of claims.items) {
    const claimName = claim.metadata?.name ?? '';
    if (!prefix.some((p) => claimName.startsWith(p))) continue;
    try {
      await c.core.deleteNamespacedPersistentVolumeClaim({ name: claimName, namespace: c.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw new BuildxError(`error while deleting persistent volume claim "${claimName}": ${apiError(err).message}`, 1, { cause: err });
    }
  }
}

/** Removes the builder's objects; missing ones are fine (buildx's rm). */
export async function deleteObjects(c: Clients, o: Objects, opts: { keepState: boolean } = { keepState: false }): Promise<void> {
  const { kind, object } = desiredWorkload(o);
  const name = object.metadata?.name ?? '';
  try {
    await workloadApi(c, kind).delete(name);
  } catch (err) {
    if (!isNotFound(err)) throw new BuildxError(`error while calling ${kind === 'Deployment' ? 'deploymentClient' : 'statefulSetClient'}.Delete for "${name}": ${apiError(err).message}`, 1, { cause: err });
  }
  if (o.statefulSet && !opts.keepState) await deleteClaims(c, o.statefulSet);
  for (const cm of o.configMaps) {
    const cmName = cm.metadata?.name ?? '';
    try {
      await c.core.deleteNamespacedConfigMap({ name: cmName, namespace: c.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw new BuildxError(`error while calling configMapClient.Delete for "${cmName}": ${apiError(err).message}`, 1, { cause: err });
    }
  }
}
