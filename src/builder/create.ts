// `create`'s store logic (cli.md §4.2): a new instance, `--append` of a node, `--node` updates and
// `--leave`, all inside one store transaction; nothing is written unless every check passed.
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { contextExists } from '../docker/context.js';
import type { DriverFactory } from '../drivers/driver.js';
import { getFactory } from '../drivers/index.js';
import { BuildxError } from '../util/errors.js';
import { nodeDriverConfig, openStore } from './builder.js';
import { loadConfigFiles, mergeNodeFiles, readConfigEntitlements, type NodeFiles } from './buildkitd-config.js';
import { pathExists } from '../util/fs-stat.js';
import { goQueryEscape } from '../util/go-url.js';
import { parseBuildkitdFlags, parseDriverOpts, parseNodePlatforms } from './create-opts.js';
import { currentEndpointKey, defaultContextUsesEnvTLS, validateBuildkitEndpoint, validateDockerEndpoint } from './endpoint.js';
import { randomName } from './names.js';
import { validateBuilderName, validateName, type NodeGroup, type OCIPlatform, type StoreTxn, type StoredNode } from './store.js';

export interface CreateOptions {
  name?: string;
  driver?: string;
  driverOpts?: string[];
  buildkitdFlags?: string;
  buildkitdConfig?: string;
  platforms?: string[];
  nodeName?: string;
  endpoint?: string;
  append?: boolean;
  use?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Receives `WARNING:` lines (stderr in the CLI). */
  warn?: (message: string) => void;
}

export interface CreateResult {
  name: string;
  group: NodeGroup;
  /** What changed in the daemon objects of an updated node (kubernetes), one line each. */
  changes: string[];
}

function formatOCI(p: OCIPlatform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

async function generateName(tx: StoreTxn): Promise<string> {
  for (let i = 0; i < 6; i++) {
    const name = randomName(i);
    if (!(await tx.exists(name))) return name;
  }
  throw new BuildxError('failed to generate random name');
}

/** Which driver `create` picks without --driver (cli.md §3): remote for URL endpoints, else docker-container. */
function autoDriver(endpoint: string | undefined, env: NodeJS.ProcessEnv): string {
  if (!endpoint && env.BUILDKIT_HOST) return 'remote';
  if (endpoint && /^(tcp|unix|ssh|npipe|docker-container|kube-pod):\/\//.test(endpoint)) return 'remote';
  return 'docker-container';
}

/** The node list after applying this create to it (Go's NodeGroup.Update). */
function updateNodes(ng: NodeGroup, o: {
  nodeName?: string; endpoint: string; setEndpoint: boolean; append: boolean; platforms: OCIPlatform[];
  flags?: string[]; driverOpts?: Record<string, string>; files?: NodeFiles; warn: (m: string) => void;
}): StoredNode {
  if (ng.Dynamic) throw new BuildxError('dynamic node group does not support Update');
  let i = o.nodeName ? ng.Nodes.findIndex((n) => n.Name === o.nodeName) : -1;
  if (i < 0 && !o.append && ng.Nodes.length > 0) throw new BuildxError(`node ${o.nodeName ?? ''} not found, did you mean to append?`);
  let node: StoredNode;
  if (i >= 0) {
    node = { ...ng.Nodes[i]! };
    let restart = false;
    if (o.setEndpoint) { node.Endpoint = o.endpoint; restart = true; }
    if (o.platforms.length) node.Platforms = o.platforms;
    if (o.flags) { node.Flags = o.flags; restart = true; }
    if (o.driverOpts) { node.DriverOpts = o.driverOpts; restart = true; }
    if (o.files) { node.Files = mergeNodeFiles(node.Files, o.files); restart = true; }
    ng.Nodes[i] = node;
    if (restart) o.warn('new settings may not be used until builder is restarted');
  } else {
    let name = o.nodeName;
    if (!name) {
      // Go probes `<Name><i>` in the builder's original case and lower-cases only afterwards, so a
      // mixed-case builder (`Remote1`) appends a second `remote10`; kept so both tools write the same store.
      for (let k = 0; ; k++) {
        name = `${ng.Name}${k}`;
        if (!ng.Nodes.some((n) => n.Name === name)) break;
      }
    }
    validateName(name);
    node = { Name: name.toLowerCase(), Endpoint: o.endpoint, Platforms: o.platforms, DriverOpts: o.driverOpts ?? null, Flags: o.flags ?? null, Files: o.files ?? null };
    ng.Nodes.push(node);
    i = ng.Nodes.length - 1;
  }
  if (ng.Nodes.filter((n) => n.Endpoint === o.endpoint).length > 1) throw new BuildxError(`invalid duplicate endpoint ${o.endpoint}`);
  // A platform pinned to this node is no longer pinned to any other.
  const pinned = new Set((node.Platforms ?? []).map(formatOCI));
  ng.Nodes.forEach((n, k) => {
    if (k !== i && n.Platforms) n.Platforms = n.Platforms.filter((p) => !pinned.has(formatOCI(p)));
  });
  return node;
}

/** `buildkit-<uuid>-<5 hex>`, unused in the builder (buildx's kubernetes GenerateNodeName). */
function kubernetesNodeName(ng: NodeGroup | undefined): string {
  for (let i = 0; i < 6; i++) {
    const name = `buildkit-${randomUUID()}-${randomBytes(3).toString('hex').slice(0, 5)}`;
    if (!ng?.Nodes.some((n) => n.Name === name)) return name;
  }
  throw new BuildxError('failed to generate random node name');
}

/** The stored endpoint of a kubernetes node, byte for byte as buildx writes it (Go's url.Values.Encode). */
export function kubernetesEndpoint(builder: string, node: string, kubeconfig: string): string {
  return `kubernetes:///${builder}?deployment=${goQueryEscape(node)}&kubeconfig=${goQueryEscape(kubeconfig)}`;
}

async function applyNodeSettings(factory: DriverFactory, node: StoredNode, env: NodeJS.ProcessEnv): Promise<string[]> {
  const driver = await factory.create(nodeDriverConfig(node, env));
  return driver.applySettings ? driver.applySettings() : [];
}

/** Checks a node the way loading it would, so a bad option never reaches the store. */
async function checkNode(driver: string, factory: DriverFactory, node: StoredNode, env: NodeJS.ProcessEnv): Promise<void> {
  if (driver === 'remote') {
    if (node.Flags?.length) throw new BuildxError('setting buildkit flags is not supported for remote driver');
    if (node.Files && Object.keys(node.Files).length) throw new BuildxError('setting config file is not supported for remote driver');
  }
  await factory.create(nodeDriverConfig(node, env));
}

export async function createBuilder(opts: CreateOptions): Promise<CreateResult> {
  const env = opts.env ?? process.env;
  const warn = opts.warn ?? (() => {});
  if (opts.name === 'default') throw new BuildxError('default is a reserved name and cannot be used to identify builder instance');
  if (opts.append && !opts.name) throw new BuildxError('append requires a builder name');
  if (opts.name) validateBuilderName(opts.name);
  if (opts.nodeName) validateName(opts.nodeName);
  const store = await openStore(env);
  return store.txn(async (tx) => {
    const name = opts.name || (await generateName(tx));
    if (!opts.append && (await contextExists(name, { env }))) throw new BuildxError(`instance name "${name}" already exists as context builder`);
    const existing = (await tx.exists(name)) ? await tx.node(name) : undefined;
    if (!existing && opts.append) throw new BuildxError(`failed to find instance "${opts.name}" for append`);

    const driver = opts.driver || existing?.Driver || autoDriver(opts.endpoint, env);
    if (existing) {
      if (!opts.nodeName && !opts.append) {
        throw new BuildxError(`existing instance for "${name}" but no append mode, specify the node name to make changes for existing instances`);
      }
      if (driver !== existing.Driver) throw new BuildxError(`existing instance for "${name}" but has mismatched driver "${existing.Driver}"`);
    }
    const factory = await getFactory(driver);
    if (!factory.allowsInstances) throw new BuildxError(`additional instances of driver "${driver}" cannot be created`);

    const driverOpts = parseDriverOpts(opts.driverOpts ?? []);
    // Like buildx: the config's entitlements are read now (a missing file counts as empty), its files
    // only once the endpoint is settled, so errors come in the same order.
    let configFile = opts.buildkitdConfig;
    if (!configFile) {
      const f = join(store.root, 'buildkitd.default.toml');
      if (await pathExists(f)) configFile = f;
    }
    const entitlements = configFile ? await readConfigEntitlements(configFile) : [];
    const flags = parseBuildkitdFlags(opts.buildkitdFlags ?? '', driver, driverOpts, entitlements);

    let endpoint: string;
    let setEndpoint: boolean;
    if (driver === 'kubernetes') {
      if (opts.endpoint) throw new BuildxError(`kubernetes driver does not support endpoint args "${opts.endpoint}"`);
      // Like buildx: the endpoint only has to be unique among the builder's nodes (setup-buildx-action#215),
      // so without --node it names a random one; the Deployment is named after the node itself.
      endpoint = kubernetesEndpoint(name, opts.nodeName || kubernetesNodeName(existing), env.KUBECONFIG ?? '');
      setEndpoint = false;
    } else if (driver === 'remote') {
      const ep = opts.endpoint || env.BUILDKIT_HOST;
      if (!ep) throw new BuildxError('no remote endpoint provided');
      endpoint = validateBuildkitEndpoint(ep);
      setEndpoint = true;
    } else if (opts.endpoint) {
      endpoint = await validateDockerEndpoint(opts.endpoint, env);
      setEndpoint = true;
    } else {
      if (await defaultContextUsesEnvTLS(env)) {
        throw new BuildxError('could not create a builder instance with TLS data loaded from environment. Please use `docker context create <context-name>` to create a context for current environment and then create a builder instance with context set to <context-name>');
      }
      endpoint = await currentEndpointKey(env);
      setEndpoint = false;
    }

    const group: NodeGroup = existing ?? { Name: name, Driver: driver, Nodes: [], Dynamic: false };
    const files = configFile ? await loadConfigFiles(configFile) : undefined;
    const node = updateNodes(group, {
      nodeName: opts.nodeName?.toLowerCase(), endpoint, setEndpoint, append: opts.append ?? false,
      platforms: parseNodePlatforms(opts.platforms ?? []), flags, driverOpts, files, warn,
    });
    try {
      await checkNode(driver, factory, node, env);
    } catch (err) {
      throw new BuildxError(`failed to initialize builder ${group.Name} (${node.Name}): ${(err as Error).message}`, 1, { cause: err });
    }
    await tx.save(group);
    // Beyond buildx: a node whose settings changed updates the objects it already has on its cluster.
    const changes = existing ? await applyNodeSettings(factory, node, env) : [];
    if (opts.use) {
      const key = await currentEndpointKey(env);
      await tx.setCurrent({ Key: key, Name: group.Name, Global: false });
      await tx.setDefault(key, undefined);
    }
    return { name: group.Name, group, changes };
  });
}

export interface LeaveOptions {
  name?: string;
  nodeName?: string;
  env?: NodeJS.ProcessEnv;
}

/** `create --leave`: drop one node of an instance (never its last). */
export async function leaveBuilder(opts: LeaveOptions): Promise<void> {
  if (!opts.name) throw new BuildxError('leave requires instance name');
  if (!opts.nodeName) throw new BuildxError('leave requires node name');
  const { name, nodeName } = opts;
  const store = await openStore(opts.env ?? process.env);
  await store.txn(async (tx) => {
    if (!(await tx.exists(name))) throw new BuildxError(`failed to find instance "${name}" for leave`);
    const ng = await tx.node(name);
    if (ng.Dynamic) throw new BuildxError('dynamic node group does not support Leave');
    const i = ng.Nodes.findIndex((n) => n.Name === nodeName);
    if (i < 0) throw new BuildxError(`node "${nodeName}" not found for ${ng.Name}`);
    if (ng.Nodes.length === 1) throw new BuildxError('can not leave last node, do you want to rm instance instead?');
    ng.Nodes.splice(i, 1);
    await tx.removeNodeRefs(ng.Name, nodeName);
    await tx.save(ng);
  });
}

