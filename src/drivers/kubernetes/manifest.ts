// The Kubernetes objects a kubernetes builder node is made of (protocol.md §4.3): a Deployment, or a
// StatefulSet when persistent storage is asked for, plus one ConfigMap per directory of stored config
// files. Built field for field as buildx v0.36.1's manifest.NewDeployment builds them, and left without
// the fields Go's JSON encoding omits, so the API server receives the same object from either tool.
// Types only from the client library: building objects must not load it.
import { isUtf8 } from 'node:buffer';
import { posix } from 'node:path';
import type {
  V1ConfigMap, V1Container, V1Deployment, V1EnvVar, V1ObjectMeta, V1PersistentVolumeClaim, V1PodSpec,
  V1PodTemplateSpec, V1Probe, V1ResourceRequirements, V1StatefulSet, V1Toleration, V1Volume, V1VolumeMount,
} from '@kubernetes/client-node';
import { formatPlatform } from '../../flags/platform.js';
import { BuildxError } from '../../util/errors.js';
import { compareGoStrings } from '../../util/go-strings.js';
import { canonicalQuantity } from './quantity.js';

export const LABEL_APP = 'app';
export const ANNOTATION_PLATFORM = 'buildx.docker.com/platform';
export const CONTAINER_NAME = 'buildkitd';

const BUILDER_NAME_PREFIX = 'buildx_buildkit_';
const CONFIG_ROOT = '/etc/buildkit';
const STATE_DIR = '/var/lib/buildkit';
const ROOTLESS_STATE_DIR = '/home/user/.local/share/buildkit';
/** Also the name of the rootless state emptyDir, which takes the place of the claim there. */
const CLAIM_NAME = 'buildkitd';
const MEMORY_VOLUME_NAME = 'buildkit-memory';
const APPARMOR_ANNOTATION = `container.apparmor.security.beta.kubernetes.io/${CONTAINER_NAME}`;
const ROOTLESS_FLAG = '--oci-worker-no-process-sandbox';

export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
}

/** Go's manifest.DeploymentOpt. Absent and empty strings mean the same: not set. */
export interface DeploymentOptions {
  /**
   * Written into the objects' metadata when set. buildx never sets it (the namespace goes in the API
   * path only), so parseKubernetesOptions leaves it out too.
   */
  namespace?: string;
  name: string;
  image: string;
  replicas: number;
  serviceAccountName?: string;
  schedulerName?: string;
  qemu: { install: boolean; image: string };
  buildkitFlags?: string[];
  /** Base64 contents keyed by path under /etc/buildkit (`buildkitd.toml`, `certs/<host>/ca.pem`). */
  configFiles?: Record<string, string>;
  buildkitRootVolumeMemory?: string;
  rootless: boolean;
  nodeSelector?: Record<string, string>;
  customAnnotations?: Record<string, string>;
  customLabels?: Record<string, string>;
  /** As parsed: fields may hold '' (the objects leave those out, as Go's JSON does). */
  tolerations?: V1Toleration[];
  requestsCPU?: string;
  requestsMemory?: string;
  requestsEphemeralStorage?: string;
  requestsPersistentStorage?: string;
  limitsCPU?: string;
  limitsMemory?: string;
  limitsEphemeralStorage?: string;
  platforms?: PlatformSpec[];
  env?: V1EnvVar[];
}

export interface KubernetesObjects {
  deployment?: V1Deployment;
  statefulSet?: V1StatefulSet;
  configMaps: V1ConfigMap[];
}

/** `buildx_buildkit_my_node0` or `my_node0` → `my-node0`. */
export function deploymentName(nodeName: string): string {
  const bare = nodeName.startsWith(BUILDER_NAME_PREFIX) ? nodeName.slice(BUILDER_NAME_PREFIX.length) : nodeName;
  return bare.replaceAll('_', '-');
}

/** A string map as Go's JSON writes it: keys in byte order. fromEntries keeps a `__proto__` key as data. */
function sortedRecord(entries: Iterable<[string, string]>): Record<string, string> {
  return Object.fromEntries([...entries].sort(([a], [b]) => compareGoStrings(a, b)));
}

const isEmpty = (r: Record<string, string>): boolean => Object.keys(r).length === 0;

/**
 * Platforms, then custom annotations, then the rootless AppArmor one. Go keeps one annotations map for
 * the workload, its pod template and every ConfigMap, and the rootless change is made to that map, so
 * the AppArmor annotation shows on all of them; the same set is used everywhere here.
 */
function annotationsFor(opt: DeploymentOptions): Record<string, string> {
  const out = new Map<string, string>();
  if (opt.platforms?.length) {
    const formatted = opt.platforms.map((p) => formatPlatform({ os: p.os, architecture: p.architecture, variant: p.variant }));
    out.set(ANNOTATION_PLATFORM, formatted.join(','));
  }
  for (const [k, v] of Object.entries(opt.customAnnotations ?? {})) {
    if (k === ANNOTATION_PLATFORM) throw new BuildxError(`the annotation "${ANNOTATION_PLATFORM}" is reserved and cannot be customized`);
    out.set(k, v);
  }
  if (opt.rootless) out.set(APPARMOR_ANNOTATION, 'unconfined');
  return sortedRecord(out);
}

function labelsFor(opt: DeploymentOptions): Record<string, string> {
  const out = new Map<string, string>([[LABEL_APP, opt.name]]);
  for (const [k, v] of Object.entries(opt.customLabels ?? {})) {
    if (k === LABEL_APP) throw new BuildxError(`the label "${LABEL_APP}" is reserved and cannot be customized`);
    out.set(k, v);
  }
  return sortedRecord(out);
}

/** path.Clean: posix.normalize keeps a trailing slash, Go does not. */
function goClean(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

function goDir(p: string): string {
  return goClean(p.slice(0, p.lastIndexOf('/') + 1));
}

function goBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

const UTF8_SEQUENCE_LENGTH = (lead: number): number =>
  lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;

/**
 * File bytes as the string Go's JSON sends: each byte that does not start a valid UTF-8 sequence becomes
 * one U+FFFD (Buffer#toString would merge a truncated sequence into a single one).
 */
function goJSONText(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const n = UTF8_SEQUENCE_LENGTH(bytes[i]!);
    if (n > 0 && i + n <= bytes.length && isUtf8(bytes.subarray(i, i + n))) {
      out += bytes.toString('utf8', i, i + n);
      i += n;
    } else {
      out += '\uFFFD';
      i++;
    }
  }
  return out;
}

interface ConfigGroup {
  /** `config` for files at the root, `config-N` for the N-th subdirectory. */
  name: string;
  dir: string;
  data: Record<string, string>;
}

/**
 * One group per directory. Go numbers the subdirectories in map order, which is random; here they are
 * numbered in sorted order, so a node gets the same ConfigMap names on every run.
 */
function configGroups(files: Record<string, string> | undefined): ConfigGroup[] {
  const byDir = new Map<string, Map<string, string>>();
  for (const key of Object.keys(files ?? {}).sort(compareGoStrings)) {
    const dir = goDir(key);
    const data = byDir.get(dir) ?? new Map<string, string>();
    data.set(goBase(key), goJSONText(Buffer.from(files![key]!, 'base64')));
    byDir.set(dir, data);
  }
  let n = 0;
  return [...byDir.keys()].sort(compareGoStrings).map((dir) => ({
    name: dir === '.' ? 'config' : `config-${++n}`,
    dir,
    data: sortedRecord(byDir.get(dir)!),
  }));
}

const annotationsField = (a: Record<string, string>): V1ObjectMeta => (isEmpty(a) ? {} : { annotations: { ...a } });

function metadata(opt: DeploymentOptions, name: string, annotations: Record<string, string>, labels?: Record<string, string>): V1ObjectMeta {
  return {
    ...(opt.namespace ? { namespace: opt.namespace } : {}),
    name,
    ...(labels ? { labels: { ...labels } } : {}),
    ...annotationsField(annotations),
  };
}

function configMap(opt: DeploymentOptions, group: ConfigGroup, annotations: Record<string, string>): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(opt, `${opt.name}-${group.name}`, annotations),
    data: group.data,
  };
}

/** buildkitd answers `buildctl debug workers` once it is up; readiness and liveness use the same check. */
function workersProbe(): V1Probe {
  return {
    exec: { command: ['buildctl', 'debug', 'workers'] },
    initialDelaySeconds: 5,
    timeoutSeconds: 60,
    periodSeconds: 30,
    successThreshold: 1,
    failureThreshold: 3,
  };
}

/**
 * requests/limits, parsed in Go's order so the first bad value is the one reported. buildx writes
 * `requests.ephemeral-storage` into the limits (and `limits.ephemeral-storage`, set later, wins); kept.
 */
function containerResources(opt: DeploymentOptions): V1ResourceRequirements {
  const requests = new Map<string, string>();
  const limits = new Map<string, string>();
  const steps: [string | undefined, Map<string, string>, string][] = [
    [opt.requestsCPU, requests, 'cpu'],
    [opt.requestsMemory, requests, 'memory'],
    [opt.requestsEphemeralStorage, limits, 'ephemeral-storage'],
    [opt.limitsCPU, limits, 'cpu'],
    [opt.limitsMemory, limits, 'memory'],
    [opt.limitsEphemeralStorage, limits, 'ephemeral-storage'],
  ];
  for (const [value, list, resource] of steps) if (value) list.set(resource, canonicalQuantity(value));
  const out: V1ResourceRequirements = {};
  if (limits.size) out.limits = sortedRecord(limits);
  if (requests.size) out.requests = sortedRecord(requests);
  return out;
}

/** Go's omitempty on EnvVar.value. */
function envVar(e: V1EnvVar): V1EnvVar {
  return e.value ? { name: e.name, value: e.value } : { name: e.name };
}

/** Go's omitempty on every Toleration field. */
function toleration(t: V1Toleration): V1Toleration {
  const out: V1Toleration = {};
  if (t.key) out.key = t.key;
  if (t.operator) out.operator = t.operator;
  if (t.value) out.value = t.value;
  if (t.effect) out.effect = t.effect;
  if (t.tolerationSeconds !== undefined) out.tolerationSeconds = t.tolerationSeconds;
  return out;
}

interface Storage {
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
}

function configStorage(groups: ConfigGroup[], opt: DeploymentOptions): Storage {
  return {
    volumes: groups.map((g) => ({ name: g.name, configMap: { name: `${opt.name}-${g.name}` } })),
    mounts: groups.map((g) => ({ name: g.name, mountPath: goClean(posix.join(CONFIG_ROOT, g.dir)) })),
  };
}

/**
 * Rootless state goes to an emptyDir: the image's own VOLUME does not work where the node mounts it
 * nosuid,nodev (Container-Optimized OS). In memory when a size is given.
 */
function rootlessStorage(sizeLimit: string | undefined): Storage {
  return {
    volumes: [{ name: CLAIM_NAME, emptyDir: sizeLimit === undefined ? {} : { medium: 'Memory', sizeLimit } }],
    mounts: [{ name: CLAIM_NAME, mountPath: ROOTLESS_STATE_DIR }],
  };
}

function memoryStorage(sizeLimit: string): Storage {
  return {
    volumes: [{ name: MEMORY_VOLUME_NAME, emptyDir: { medium: 'Memory', sizeLimit } }],
    mounts: [{ name: MEMORY_VOLUME_NAME, mountPath: STATE_DIR }],
  };
}

/** Every value that must parse as a quantity, parsed in the order Go parses them. */
interface Sizes {
  rootlessMemory?: string;
  resources: V1ResourceRequirements;
  rootMemory?: string;
  claim?: string;
}

function sizes(opt: DeploymentOptions): Sizes {
  const memory = opt.buildkitRootVolumeMemory || undefined;
  const rootlessMemory = opt.rootless && memory ? canonicalQuantity(memory) : undefined;
  const resources = containerResources(opt);
  const rootMemory = !opt.rootless && memory ? canonicalQuantity(memory) : undefined;
  const claim = opt.requestsPersistentStorage ? canonicalQuantity(opt.requestsPersistentStorage) : undefined;
  return { rootlessMemory, resources, rootMemory, claim };
}

function storageFor(opt: DeploymentOptions, groups: ConfigGroup[], s: Sizes): Storage {
  const parts = [configStorage(groups, opt)];
  if (opt.rootless) parts.push(rootlessStorage(s.rootlessMemory));
  if (s.rootMemory !== undefined) parts.push(memoryStorage(s.rootMemory));
  const storage = { volumes: parts.flatMap((p) => p.volumes), mounts: parts.flatMap((p) => p.mounts) };
  // Go replaces (not extends) the mounts for a non-rootless StatefulSet: the config and memory volumes
  // stay declared but unmounted.
  if (s.claim !== undefined && !opt.rootless) storage.mounts = [{ name: CLAIM_NAME, mountPath: STATE_DIR }];
  return storage;
}

function buildkitdContainer(opt: DeploymentOptions, resources: V1ResourceRequirements, mounts: V1VolumeMount[]): V1Container {
  const args = [...(opt.buildkitFlags ?? []), ...(opt.rootless ? [ROOTLESS_FLAG] : [])];
  const c: V1Container = { name: CONTAINER_NAME, image: opt.image };
  if (args.length) c.args = args;
  if (opt.env?.length) c.env = opt.env.map(envVar);
  c.resources = resources;
  if (mounts.length) c.volumeMounts = mounts;
  c.livenessProbe = workersProbe();
  c.readinessProbe = workersProbe();
  c.securityContext = opt.rootless ? { seccompProfile: { type: 'Unconfined' } } : { privileged: true };
  return c;
}

/** binfmt registers QEMU handlers on the node before buildkitd starts. */
function qemuContainer(image: string): V1Container {
  return { name: 'qemu', image, args: ['--install', 'all'], resources: {}, securityContext: { privileged: true } };
}

function podSpec(opt: DeploymentOptions, s: Sizes, storage: Storage): V1PodSpec {
  const nodeSelector = sortedRecord(Object.entries(opt.nodeSelector ?? {}));
  return {
    ...(storage.volumes.length ? { volumes: storage.volumes } : {}),
    ...(opt.qemu.install ? { initContainers: [qemuContainer(opt.qemu.image)] } : {}),
    containers: [buildkitdContainer(opt, s.resources, storage.mounts)],
    ...(isEmpty(nodeSelector) ? {} : { nodeSelector }),
    ...(opt.serviceAccountName ? { serviceAccountName: opt.serviceAccountName } : {}),
    ...(opt.schedulerName ? { schedulerName: opt.schedulerName } : {}),
    ...(opt.tolerations?.length ? { tolerations: opt.tolerations.map(toleration) } : {}),
  };
}

function claimTemplate(storage: string): V1PersistentVolumeClaim {
  return {
    metadata: { name: CLAIM_NAME },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
  };
}

/**
 * manifest.NewDeployment. Throws BuildxError for a reserved label or annotation and for the first size
 * that is not a quantity, with Go's messages.
 */
export function buildObjects(opt: DeploymentOptions): KubernetesObjects {
  const annotations = annotationsFor(opt);
  const labels = labelsFor(opt);
  const groups = configGroups(opt.configFiles);
  const s = sizes(opt);
  const template: V1PodTemplateSpec = {
    metadata: { labels: { ...labels }, ...annotationsField(annotations) },
    spec: podSpec(opt, s, storageFor(opt, groups, s)),
  };
  const meta = metadata(opt, opt.name, annotations, labels);
  const selector = { matchLabels: { ...labels } };
  const configMaps = groups.map((g) => configMap(opt, g, annotations));
  if (s.claim === undefined) {
    // Go's JSON also carries the empty `strategy` struct; kept so the two bodies match.
    const deployment: V1Deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta,
      spec: { replicas: opt.replicas, selector, template, strategy: {} },
    };
    return { deployment, configMaps };
  }
  const statefulSet: V1StatefulSet = {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta,
    spec: {
      replicas: opt.replicas, selector, template, volumeClaimTemplates: [claimTemplate(s.claim)],
      serviceName: 'buildkitd', podManagementPolicy: 'Parallel', updateStrategy: {},
    },
  };
  return { statefulSet, configMaps };
}
