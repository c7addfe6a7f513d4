// `--driver-opt` for the kubernetes driver (cli.md §3.2), read the way buildx v0.36.1's processDriverOpts
// reads them: same defaults, same quirks, and Go's messages for bad values. Sizes are kept as typed; they
// are parsed as quantities when the objects are built (manifest.ts), which is when buildx checks them.
import type { V1EnvVar, V1Toleration } from '@kubernetes/client-node';
import { BuildxError } from '../../util/errors.js';
import { GoNumError, goQuote, parseGoBool, parseGoInt64 } from '../../util/go-strconv.js';
import { parseGoDurationNs } from '../../util/go-duration.js';
import { compareGoStrings } from '../../util/go-strings.js';
import { deploymentName, type DeploymentOptions, type PlatformSpec } from './manifest.js';

export const DEFAULT_IMAGE = 'moby/buildkit:buildx-stable-1';
export const DEFAULT_ROOTLESS_IMAGE = `${DEFAULT_IMAGE}-rootless`;
export const DEFAULT_QEMU_IMAGE = 'tonistiigi/binfmt:latest';
export const DEFAULT_TIMEOUT_MS = 120_000;

export type Loadbalance = 'sticky' | 'random';

export interface KubernetesOptions {
  deployment: DeploymentOptions;
  /** The `namespace` opt, else the kubeconfig's. */
  namespace: string;
  loadbalance: Loadbalance;
  defaultLoad: boolean;
  /** How long bootstrap waits for the pods to be ready. */
  timeoutMs: number;
}

export interface KubernetesOptionsInput {
  /** The node name, with or without the `buildx_buildkit_` prefix. */
  name: string;
  driverOpts: Record<string, string>;
  flags?: string[];
  files?: Record<string, string>;
  platforms?: PlatformSpec[];
}

/** Go-parser failures (GoNumError) carry the right text but are not BuildxErrors. */
function goValue<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof BuildxError) throw err;
    throw new BuildxError((err as Error).message, 1, { cause: err });
  }
}

const goBool = (v: string): boolean => goValue(() => parseGoBool(v));

/** strconv.ParseInt(v, 10, 32). */
function goInt32(v: string): number {
  const n = goValue(() => parseGoInt64(v));
  if (n < -(2n ** 31n) || n >= 2n ** 31n) throw new BuildxError(new GoNumError('ParseInt', v, 'value out of range').message);
  return Number(n);
}

/** strconv.Atoi on a 64-bit platform: ParseInt's rules under Atoi's name. */
function goAtoi(v: string): number {
  try {
    return Number(parseGoInt64(v));
  } catch (err) {
    throw new BuildxError((err as Error).message.replace('strconv.ParseInt', 'strconv.Atoi'), 1, { cause: err });
  }
}

/** `k=v,k=v` (surrounding double quotes dropped); every item needs exactly one `=`. Later keys win. */
export function splitMultiValues(input: string): Record<string, string> {
  const out = new Map<string, string>();
  for (const item of input.replace(/^"+|"+$/g, '').split(',')) {
    const kv = item.split('=');
    if (kv.length !== 2) throw new BuildxError(`invalid key-value pair: ${item}`);
    out.set(kv[0]!, kv[1]!);
  }
  return Object.fromEntries(out);
}

function multiValues(input: string, what: string): Record<string, string> {
  try {
    return splitMultiValues(input);
  } catch (err) {
    throw new BuildxError(`cannot parse ${what}: ${(err as Error).message}`);
  }
}

/**
 * One `;`-separated toleration. Go ignores items without exactly one `=` (so `key` alone or `a=b=c`
 * vanish silently) and reports an unknown field with the whole option value, misspelt as it is there.
 */
function parseToleration(item: string, whole: string): V1Toleration {
  const t: V1Toleration = {};
  for (const kv of item.split(',')) {
    const parts = kv.split('=');
    if (parts.length !== 2) continue;
    const [field, value] = parts as [string, string];
    switch (field) {
      case 'key': t.key = value; break;
      case 'operator': t.operator = value; break;
      case 'value': t.value = value; break;
      case 'effect': t.effect = value; break;
      case 'tolerationSeconds': t.tolerationSeconds = goAtoi(value); break;
      default: throw new BuildxError(`invalid tolaration ${goQuote(whole)}`);
    }
  }
  return t;
}

/** Every `;` item makes a toleration, an empty one included (so `tolerations=` tolerates everything `{}` does). */
export function parseTolerations(value: string): V1Toleration[] {
  return value.split(';').map((item) => parseToleration(item, value));
}

function parseLoadbalance(v: string): Loadbalance {
  if (v === 'sticky' || v === 'random') return v;
  throw new BuildxError(`invalid loadbalance ${goQuote(v)}`);
}

function parseTimeoutMs(v: string): number {
  try {
    return Number(parseGoDurationNs(v)) / 1e6;
  } catch (err) {
    throw new BuildxError(`cannot parse timeout: ${(err as Error).message}`);
  }
}

type Setter = (o: KubernetesOptions, v: string, all: Record<string, string>) => void;

const SETTERS: ReadonlyMap<string, Setter> = new Map<string, Setter>([
  ['image', (o, v) => { if (v !== '') o.deployment.image = v; }],
  ['namespace', (o, v) => { o.namespace = v; }],
  ['replicas', (o, v) => { o.deployment.replicas = goInt32(v); }],
  ['requests.cpu', (o, v) => { o.deployment.requestsCPU = v; }],
  ['requests.memory', (o, v) => { o.deployment.requestsMemory = v; }],
  ['requests.ephemeral-storage', (o, v) => { o.deployment.requestsEphemeralStorage = v; }],
  ['persistent-volume-claim.requests.storage', (o, v) => { o.deployment.requestsPersistentStorage = v; }],
  ['limits.cpu', (o, v) => { o.deployment.limitsCPU = v; }],
  ['limits.memory', (o, v) => { o.deployment.limitsMemory = v; }],
  ['limits.ephemeral-storage', (o, v) => { o.deployment.limitsEphemeralStorage = v; }],
  // Any rootless value that parses, false included, switches the default image, as in buildx.
  ['rootless', (o, v, all) => {
    o.deployment.rootless = goBool(v);
    if (!Object.hasOwn(all, 'image')) o.deployment.image = DEFAULT_ROOTLESS_IMAGE;
  }],
  ['schedulername', (o, v) => { o.deployment.schedulerName = v; }],
  ['serviceaccount', (o, v) => { o.deployment.serviceAccountName = v; }],
  ['nodeselector', (o, v) => { o.deployment.nodeSelector = multiValues(v, 'node selector'); }],
  ['annotations', (o, v) => { o.deployment.customAnnotations = multiValues(v, 'annotations'); }],
  ['labels', (o, v) => { o.deployment.customLabels = multiValues(v, 'labels'); }],
  ['tolerations', (o, v) => { o.deployment.tolerations = parseTolerations(v); }],
  ['loadbalance', (o, v) => { o.loadbalance = parseLoadbalance(v); }],
  ['qemu.install', (o, v) => { o.deployment.qemu.install = goBool(v); }],
  ['qemu.image', (o, v) => { if (v !== '') o.deployment.qemu.image = v; }],
  ['buildkit-root-volume-memory', (o, v) => { if (v !== '') o.deployment.buildkitRootVolumeMemory = v; }],
  ['default-load', (o, v) => { o.defaultLoad = goBool(v); }],
  ['timeout', (o, v) => { o.timeoutMs = parseTimeoutMs(v); }],
]);

function addEnv(o: KubernetesOptions, key: string, value: string): void {
  const name = key.slice('env.'.length);
  if (name === '') throw new BuildxError(`invalid env option ${goQuote(key)}, expecting env.FOO=bar`);
  (o.deployment.env ??= []).push({ name, value } satisfies V1EnvVar);
}

function defaults(cfg: KubernetesOptionsInput, namespace: string): KubernetesOptions {
  const deployment: DeploymentOptions = {
    name: deploymentName(cfg.name),
    image: DEFAULT_IMAGE,
    replicas: 1,
    qemu: { install: false, image: DEFAULT_QEMU_IMAGE },
    rootless: false,
  };
  if (cfg.flags) deployment.buildkitFlags = cfg.flags;
  if (cfg.files) deployment.configFiles = cfg.files;
  if (cfg.platforms) deployment.platforms = cfg.platforms;
  return { deployment, namespace, loadbalance: 'sticky', defaultLoad: false, timeoutMs: DEFAULT_TIMEOUT_MS };
}

/**
 * processDriverOpts. Go walks the options map in random order, so which of two bad options it reports,
 * and the order of env.* variables, vary between runs there; here keys are taken in sorted order.
 * Throws BuildxError with buildx's message for the first bad option.
 */
export function parseKubernetesOptions(cfg: KubernetesOptionsInput, kubeconfigNamespace: string): KubernetesOptions {
  const o = defaults(cfg, kubeconfigNamespace);
  for (const key of Object.keys(cfg.driverOpts).sort(compareGoStrings)) {
    const value = cfg.driverOpts[key]!;
    const set = SETTERS.get(key);
    if (set) set(o, value, cfg.driverOpts);
    else if (key.startsWith('env.')) addEnv(o, key, value);
    else throw new BuildxError(`invalid driver option ${key} for driver kubernetes`);
  }
  return o;
}
