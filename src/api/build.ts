// `build()`: one `docker buildx build` as a function. The request is validated in buildx's order (what needs
// no builder first, the rest once the builder is known, prefixed "failed to build"), nothing is written or
// sent before it passed, then the node is booted if needed and the solve runs under the caller's progress.
import { dirname, resolve } from 'node:path';
import { bootDriver } from '../builder/boot.js';
import { resolveBuilder, type Builder, type BuilderNode } from '../builder/builder.js';
import { registryConfigOf } from '../builder/registry-config.js';
import { selectByConfigured, selectByWorkers, type NodeAssignment } from '../builder/node-select.js';
import { buildState, saveLocalState } from '../builder/local-state.js';
import { buildNodeId, buildxConfigDir } from '../builder/paths.js';
import { dockerConfigDir } from '../docker/config.js';
import type { DriverStatus } from '../drivers/driver.js';
import {
  checkCacheEntries, formatPlatform, formatUlimit, needsCacheExport, notSupported, parseAddHosts, parseEntitlements,
  normalizePlatform, parseAttests, parseNetworkMode, parsePlatforms, parseTag, resolveNoCache, withDefaultSSH,
  type CacheEntry, type ExportEntry, type Platform, type Secret, type SSHSpec, type Ulimit,
} from '../flags/index.js';
import { observeProgress } from '../progress/observe.js';
import { SummaryRecorder, type BuildSummary } from '../progress/summary.js';
import { discardProgress, type ProgressWriter } from '../progress/writer.js';
import type { TransferRecord } from '../session/filesync.js';
import type { SecretSource } from '../session/secrets.js';
import { checkSecretFiles, secretSources } from '../session/secret-sources.js';
import { sshAgents } from '../session/ssh-sources.js';
import { BuildFailedError, runBuild, type ExportRequest, type SolveOptions, type SolveResult } from '../solver/build.js';
import type { FrontendOptions } from '../solver/frontend-attrs.js';
import { isGitSSHContext, isRemoteContext, replayableInputs, resolveBuildInputs, type BuildInputs } from '../solver/inputs.js';
import { checkLocalDelete } from '../solver/local-delete.js';
import { buildMetadata, type BuildMetadata } from '../solver/metadata.js';
import { resolveExtraHosts } from '../solver/extra-hosts.js';
import { parseAnnotations } from '../imagetools/index.js';
import { mergeNodeImages } from '../solver/merge-index.js';
import { checkMultiNodeMobyPush, multiNodeCache, multiNodeExports, type IndexPush } from '../solver/multi-node.js';
import { planExports } from '../solver/plan-exports.js';
import { checkPushCredentials } from '../solver/push-credentials.js';
import { BuildxError, CanceledError, toBuildxError } from '../util/errors.js';
import { withVertex } from '../progress/vertex.js';
import { isDirectory } from '../util/fs-stat.js';
import { randomId } from '../util/random-id.js';

/**
 * A build, in `docker buildx build`'s terms. Values with a grammar of their own (`-o`, `--cache-*`,
 * `--secret`, `--ulimit`) come parsed (the `parse…` functions of this package turn flag strings into
 * them); names and lists the builder checks (`--platform`, `-t`, `--network`, `--add-host`, `--allow`)
 * come as the strings a user types.
 */
export interface BuildRequest extends Pick<FrontendOptions, 'target' | 'buildArgs' | 'labels' | 'noCache' | 'noCacheFilter' | 'pull' | 'shmSize' | 'cgroupParent'> {
  /** PATH, URL, or `-` for `stdin` (a tar context, or a Dockerfile when it is not an archive). */
  context: string;
  /** The Dockerfile (`-f`): a path, or `-` for `stdin`; default `<context>/Dockerfile`. */
  file?: string;
  /** `linux/amd64`, `linux/arm64/v8`, …; default the node's own. */
  platforms?: string[];
  tags?: string[];
  outputs?: ExportEntry[];
  push?: boolean;
  load?: boolean;
  cacheFrom?: CacheEntry[];
  cacheTo?: CacheEntry[];
  secrets?: Secret[];
  /** `--ssh`: agents to forward by id (socket or key files; no path: `$SSH_AUTH_SOCK`). */
  ssh?: SSHSpec[];
  /** Entitlements (`network.host`, `security.insecure`, `buildx.local.delete`, …). */
  allow?: string[];
  /** `default`, `host` or `none`. */
  network?: string;
  /** `host:ip` (or `host=ip`) pairs. */
  addHosts?: string[];
  ulimits?: Ulimit[];
  /**
   * `--attest` values (`type=provenance,mode=max`; `--provenance`/`--sbom` through `canonicalizeAttest`):
   * BuildKit's frontend makes the attestations and the image exporter attaches them.
   */
  attests?: string[];
  /** `--annotation` values (`[type[platform],…:]key=value`), set on every output. */
  annotations?: string[];
}

export interface PrepareOptions {
  /** A builder name (default: `$BUILDX_BUILDER`, else the current one), or one already resolved. */
  builder?: string | Builder;
  /** Where DOCKER_*, BUILDX_* and BUILDKIT_* settings and `env` secrets are read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Read for a `-` context or Dockerfile; default process.stdin. */
  stdin?: NodeJS.ReadableStream;
  /** Whether stdout is a terminal, which `-o -` refuses; default process.stdout.isTTY. */
  stdoutIsTTY?: boolean;
  /** Where the caller will write `metadata` afterwards: buildx checks its directory before building. */
  metadataFile?: string;
}

export interface RunOptions {
  /** Receives the build's status (and the node's boot); closed when the build ends, with its error. */
  progress?: ProgressWriter;
  signal?: AbortSignal;
  /** Client-side warnings as buildx logs them (`WARNING: …`), e.g. a skipped local cache import. */
  onWarning?: (line: string) => void;
}

export type BuildOptions = PrepareOptions & RunOptions;

/** What one node of the builder built. */
export interface NodeBuildResult {
  node: string;
  /** The requested platforms it built (empty: its default platform). */
  platforms: string[];
  exporterResponse: Record<string, string>;
}

export interface BuildResult {
  builder: string;
  /** The node that built the result (the first, when several did). */
  node: string;
  /** The build's ref; `buildx.build.ref` in the metadata is `<builder>/<node>/<ref>`. */
  ref: string;
  /** `containerimage.config.digest`, else `containerimage.digest`: what `--iidfile` and `-q` give. */
  imageId?: string;
  /** `containerimage.digest`: the manifest (or index) digest of a pushed image. */
  digest?: string;
  exporterResponse: Record<string, string>;
  /** What `--metadata-file` holds. */
  metadata: BuildMetadata;
  summary: BuildSummary;
  /** Every directory the session uploaded, with its DiffCopy figures. */
  transfers: TransferRecord[];
  /** One entry per node that took part, in the builder's node order. */
  nodes: NodeBuildResult[];
}

/** How far a prepared build got: `loading` while the node is asked for its state, then `building`. */
export type BuildStage = 'prepared' | 'loading' | 'building' | 'done';

/** One node's share of a build: the platforms it builds and its solve. */
export interface NodePlan {
  readonly node: BuilderNode;
  readonly platforms: readonly string[];
}

export interface PreparedBuild {
  readonly builder: Builder;
  /** The first node that builds. */
  readonly node: BuilderNode;
  /**
   * The nodes that build and their platforms. When some requested platform matches no platform a node
   * was created with, the choice is made again once every node is up (from the workers' platforms).
   */
  readonly plan: readonly NodePlan[];
  /** The exporters the solve will use, with where the client receives each result. */
  readonly exports: readonly ExportRequest[];
  /** Warnings known before the build runs (e.g. that no output was asked for), as buildx logs them. */
  readonly warnings: readonly string[];
  readonly stage: BuildStage;
  run(opts?: RunOptions): Promise<BuildResult>;
  /** The summary of what ran so far (also after a failure). */
  summary(exporterResponse?: Record<string, string>): BuildSummary;
}

/** buildx prefixes everything that fails once the builder is chosen. */
function failedToBuild(err: unknown): never {
  if (err instanceof CanceledError) throw err;
  if (err instanceof BuildFailedError) throw new BuildFailedError(`failed to build: ${err.message}`, err.sources, err.exitCode, err.cause ?? err);
  const e = toBuildxError(err);
  throw new BuildxError(`failed to build: ${e.message}`, e.exitCode, { cause: err });
}

/** What buildx checks before it loads a builder: errors here are unprefixed, and nothing is touched. */
export function checkBuildRequest(request: BuildRequest, env: NodeJS.ProcessEnv = process.env): void {
  requestSecrets(request, env);
}

/** The exporter attributes of `--annotation` values (`annotation-index.k`, …). */
function annotationAttrs(request: BuildRequest): Record<string, string> {
  try {
    return parseAnnotations(request.annotations ?? []);
  } catch (err) {
    throw new BuildxError(`parse annotations: ${(err as Error).message}`);
  }
}

/** The frontend's `attest:<type>` attributes; types turned off are left out. */
function attestAttrs(request: BuildRequest): Record<string, string> {
  return Object.fromEntries(Object.entries(parseAttests(request.attests ?? [])).flatMap(([t, v]) => (v === null ? [] : [[`attest:${t}`, v]])));
}

function requestSecrets(request: BuildRequest, env: NodeJS.ProcessEnv): ReadonlyMap<string, SecretSource> {
  attestAttrs(request);
  resolveNoCache({ noCache: request.noCache ?? false, noCacheFilter: request.noCacheFilter ?? [] });
  return secretSources(request.secrets ?? [], env);
}

/** A stored or reported platform in the normalized form `--platform` values take. */
function normalizedPlatform(p: { os: string; architecture: string; variant?: string | null }): Platform {
  return normalizePlatform({ os: p.os, architecture: p.architecture, ...(p.variant ? { variant: p.variant } : {}) });
}

/** The platforms a node was created with. */
function configuredPlatforms(node: BuilderNode): Platform[] {
  return (node.platforms ?? []).map(normalizedPlatform);
}

/**
 * The node for each platform when the platforms the nodes were created with decide it; undefined when the
 * workers must be asked (after booting every node). A single node takes everything.
 */
function assignByConfigured(builder: Builder, platforms: readonly Platform[]): NodeAssignment[] | undefined {
  if (builder.nodes.length === 1 || platforms.length === 0) return [{ node: 0, platforms: [...platforms], unmatched: [] }];
  return selectByConfigured(builder.nodes.map((n) => ({ configured: configuredPlatforms(n) })), platforms);
}

/** A solve without what is read locally (read once, for every node). */
type NodeSolveOptions = Omit<SolveOptions, keyof BuildInputs | 'ssh'>;
/** The request-level half of a solve, the same for every node. */
type BaseSolve = Omit<NodeSolveOptions, 'platforms' | 'exports' | 'extraHosts' | 'frontendAttrs'>;

interface NodeSolve {
  node: BuilderNode;
  platforms: string[];
  solve: NodeSolveOptions;
  /** Set on a node of a split build whose image the client combines and pushes. */
  push?: IndexPush;
}

interface PlanInput {
  request: BuildRequest;
  /** `--annotation` exporter attributes, given to every output. */
  annotations: Record<string, string>;
  /** `attest:<type>` frontend attributes of the attestations asked for. */
  attests: Record<string, string>;
  /** Every requested platform, formatted. */
  platforms: string[];
  env: NodeJS.ProcessEnv;
  stdoutIsTTY: boolean;
}

/** A node's exporters and hosts for its platforms; several nodes: buildx's split-build rules applied. */
async function planNode(input: PlanInput, node: BuilderNode, platforms: string[], multiNode: boolean, base: BaseSolve): Promise<NodeSolve & { warning?: string }> {
  const { request, env } = input;
  const extraHosts = await resolveExtraHosts(parseAddHosts(request.addHosts ?? []), node.driver);
  const plan = await planExports({
    outputs: request.outputs ?? [], tags: request.tags ?? [], push: request.push ?? false, load: request.load ?? false,
    // A split build's result spans every requested platform: what cannot take several (an engine without
    // the containerd image store) is refused as for one node, rather than each node loading its part.
    driver: node.driver, stdoutIsTTY: input.stdoutIsTTY, env, platforms: multiNode ? input.platforms : platforms,
    attestations: Object.keys(input.attests).length > 0,
  });
  if (platforms.length > 1 && !(await node.driver.features()).has('Multi-platform build')) {
    throw notSupported('Multi-platform build', node.driver.name, 'https://docs.docker.com/go/build-multi-platform/');
  }
  const attested = Object.keys(input.attests).length > 0;
  if (attested && !(await node.driver.features()).has('Multi-platform build')) {
    throw notSupported('Attestation', node.driver.name, 'https://docs.docker.com/go/attestations/');
  }
  const annotated = Object.keys(input.annotations);
  if (annotated.length && node.driver.isMobyDriver && !(await node.driver.features()).has('Multi-platform build')
    && plan.exports.some((e) => e.type === 'image' || e.type === 'moby' || e.type === 'docker')
    && annotated.some((k) => /^annotation-index(-descriptor)?[.[]/.test(k))) {
    throw new BuildxError('index annotations not supported for single platform export');
  }
  const exports = plan.exports.map((e) => (annotated.length ? { ...e, attrs: { ...e.attrs, ...input.annotations } } : e));
  let solve: NodeSolveOptions = { ...base, platforms, exports, extraHosts, frontendAttrs: { ...input.attests } };
  let push: IndexPush | undefined;
  if (multiNode) {
    const split = multiNodeExports(exports);
    push = split.push;
    const cache = multiNodeCache(base.cacheFrom ?? [], base.cacheTo ?? [], platforms);
    solve = { ...solve, exports: split.exports, ...cache, frontendAttrs: { ...solve.frontendAttrs, 'multi-platform': 'true' } };
  }
  return { node, platforms, solve, warning: plan.warning, push };
}

/** Plans every assigned node; the docker driver's engines cannot take part in a split push. */
async function planNodes(input: PlanInput, builder: Builder, assignments: readonly NodeAssignment[], base: BaseSolve) {
  const multiNode = assignments.length > 1;
  const planned = await Promise.all(assignments.map((a) => planNode(input, builder.nodes[a.node]!, a.platforms.map(formatPlatform), multiNode, base)));
  if (multiNode) {
    for (const p of planned) if (p.node.driver.isMobyDriver) checkMultiNodeMobyPush(p.solve.exports ?? []);
  }
  return planned;
}

/** Checks `request` against the builder and settles every input; nothing is written or sent yet. */
export async function prepareBuild(request: BuildRequest, opts: PrepareOptions = {}): Promise<PreparedBuild> {
  const env = opts.env ?? process.env;
  const secrets = requestSecrets(request, env);
  const attests = attestAttrs(request);

  const builder = typeof opts.builder === 'object' ? opts.builder : await resolveBuilder({ name: opts.builder, env, contextKey: resolve(request.context) });
  if (!builder.nodes[0]) throw new BuildxError(`no valid drivers found: builder ${builder.name} has no nodes`);

  let prepared: Prepared;
  try {
    const outputs = request.outputs ?? [];
    const allowed = parseEntitlements(request.allow ?? []);
    const requested = request.platforms?.length ? request.platforms : env.DOCKER_DEFAULT_PLATFORM ? [env.DOCKER_DEFAULT_PLATFORM] : [];
    const platforms = parsePlatforms(requested);
    const assignments = assignByConfigured(builder, platforms);
    // Until the workers are asked, node 0 stands for every node in the checks.
    const provisional = assignments ?? [{ node: 0, platforms, unmatched: [] }];
    if (needsCacheExport(request.cacheTo ?? [])) {
      for (const a of provisional) {
        const driver = builder.nodes[a.node]!.driver;
        if (!(await driver.features()).has('Cache export')) throw notSupported('Cache export', driver.name, 'https://docs.docker.com/go/build-cache-backends/');
      }
    }
    checkCacheEntries(request.cacheFrom ?? [], request.cacheTo ?? []);
    await checkSecretFiles(request.secrets ?? [], env);
    checkLocalDelete(outputs, allowed.allowLocalOutputDelete);
    const network = parseNetworkMode(request.network ?? 'default');
    const tags = request.tags ?? [];
    const input: PlanInput = { request, env, attests, annotations: annotationAttrs(request), platforms: platforms.map(formatPlatform), stdoutIsTTY: opts.stdoutIsTTY ?? Boolean(process.stdout.isTTY) };
    for (const t of tags) parseTag(t);
    const base: BaseSolve = {
      target: request.target, buildArgs: request.buildArgs, labels: request.labels, noCache: request.noCache,
      noCacheFilter: request.noCacheFilter, pull: request.pull,
      cacheFrom: request.cacheFrom ?? [], cacheTo: request.cacheTo ?? [],
      entitlements: [...allowed.entitlements, ...(network === 'host' ? ['network.host'] : [])],
      networkMode: network, shmSize: request.shmSize ?? 0, ulimits: (request.ulimits ?? []).map(formatUlimit),
      cgroupParent: request.cgroupParent, secrets,
    };
    const nodes = await planNodes(input, builder, provisional, base);
    const warnings = nodes[0]!.warning ? [nodes[0]!.warning] : [];
    if (opts.metadataFile && !(await isDirectory(dirname(opts.metadataFile)))) {
      throw new BuildxError(`invalid output path: stat ${dirname(opts.metadataFile)}: no such file or directory`);
    }
    // buildx reads keys and checks sockets once the builder is known, before the build is sent; an ssh git
    // context gets the default agent when none was named.
    const ssh = await sshAgents(withDefaultSSH(request.ssh ?? [], isGitSSHContext(request.context)), env);
    await checkPushCredentials(nodes[0]!.solve.exports ?? [], dockerConfigDir({ env }), env);
    const inputs = await resolveBuildInputs(request.context, request.file, opts.stdin ?? process.stdin);
    prepared = new Prepared(request, env, builder, { input, base, inputs, ssh }, nodes, assignments === undefined ? platforms : undefined, warnings);
  } catch (err) {
    failedToBuild(err);
  }
  return prepared;
}

/** The worker platforms of a node, native first; none when it cannot be asked. */
async function workerPlatforms(node: BuilderNode, signal: AbortSignal): Promise<Platform[]> {
  const client = await node.driver.client({ signal });
  try {
    const workers = await client.listWorkers({ signal });
    return workers.flatMap((w) => w.platforms.map(normalizedPlatform));
  } finally {
    client.close();
  }
}

class Prepared implements PreparedBuild {
  stage: BuildStage = 'prepared';
  private readonly recorder = new SummaryRecorder();
  private readonly transfers: TransferRecord[] = [];
  private started = 0n;
  private mergedNames: string[] | undefined;

  constructor(
    private readonly request: BuildRequest,
    private readonly env: NodeJS.ProcessEnv,
    readonly builder: Builder,
    private readonly settled: { input: PlanInput; base: BaseSolve; inputs: BuildInputs; ssh: SolveOptions['ssh'] },
    private nodes: NodeSolve[],
    /** Set when the nodes are chosen only once every node is up: the platforms to place. */
    private readonly unplaced: Platform[] | undefined,
    readonly warnings: readonly string[],
  ) {}

  get node(): BuilderNode {
    return this.nodes[0]!.node;
  }

  get plan(): readonly NodePlan[] {
    return this.nodes.map((n) => ({ node: n.node, platforms: n.platforms }));
  }

  get exports(): readonly ExportRequest[] {
    return this.nodes[0]!.solve.exports ?? [];
  }

  summary(exporterResponse?: Record<string, string>): BuildSummary {
    // The nodes pushed to bare repositories; the combined index went to the names asked for.
    if (exporterResponse && this.mergedNames) exporterResponse = { ...exporterResponse, 'image.name': this.mergedNames.join(',') };
    return this.recorder.summary({
      durationNs: this.started ? process.hrtime.bigint() - this.started : undefined,
      transfers: this.transfers, exporterResponse, exports: this.exports,
    });
  }

  /** Boots every node (the choice needs their workers), then places the platforms as buildx does. */
  private async placeOnWorkers(platforms: Platform[], progress: ProgressWriter, signal: AbortSignal, warn: (text: string) => void): Promise<void> {
    const { builder } = this;
    await Promise.all(builder.nodes.map((n) => bootDriver(n.driver, progress, signal)));
    const workers = await Promise.all(builder.nodes.map((n) => workerPlatforms(n, signal).catch((): Platform[] => [])));
    const assignments = selectByWorkers(builder.nodes.map((n) => ({ configured: configuredPlatforms(n) })), workers, platforms);
    for (const a of assignments) {
      // buildx sends these to node 0 without a word; a build that runs anything for them fails there.
      for (const p of a.unmatched) warn(`no node of builder ${builder.name} runs ${formatPlatform(p)}; building it on ${builder.nodes[a.node]!.name}`);
    }
    this.nodes = await planNodes(this.settled.input, builder, assignments, this.settled.base);
  }

  async run(opts: RunOptions = {}): Promise<BuildResult> {
    if (this.stage !== 'prepared') throw new BuildxError('a prepared build runs once');
    const signal = opts.signal ?? new AbortController().signal;
    const progress = observeProgress(opts.progress ?? discardProgress, (s) => this.recorder.write(s));
    const { builder, env } = this;
    this.started = process.hrtime.bigint();
    this.stage = 'loading';
    const configDir = buildxConfigDir(env);
    // Like buildx, the build is recorded before it runs, so a failed build can be traced too; every
    // node builds under the same ref.
    const ref = randomId();
    const remote = isRemoteContext(this.request.context);
    const state = buildState(this.request.context, this.request.file, remote);
    // An engine that cannot be asked is a builder error (unprefixed, as buildx reports it while loading
    // nodes); a bootstrap that fails is a build failure.
    let statuses: DriverStatus[];
    try {
      statuses = await Promise.all(this.nodes.map((n) => n.node.driver.status({ signal })));
    } catch (err) {
      await progress.close(err);
      throw signal.aborted ? new CanceledError(err) : err;
    }
    this.stage = 'building';
    // One node failing stops the others, as buildx's error group does.
    const stop = new AbortController();
    const onAbort = (): void => stop.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    let solved: { n: NodeSolve; result: SolveResult }[];
    let merged: string | undefined;
    let replay: { cleanup: () => Promise<void> } | undefined;
    try {
      await Promise.all(this.nodes.map((n, i) => bootDriver(n.node.driver, progress, stop.signal, statuses[i])));
      if (this.unplaced) await this.placeOnWorkers(this.unplaced, progress, stop.signal, (w) => opts.onWarning?.(`WARNING: ${w}`));
      for (const n of this.nodes) await saveLocalState(configDir, builder.name, n.node.name, ref, state);
      const nodeId = await buildNodeId(configDir);
      const multiNode = this.nodes.length > 1;
      if (multiNode) {
        // Which node builds what, shown before their steps (buildx leaves it to be guessed).
        for (const n of this.nodes) await withVertex(progress, `[internal] ${n.node.name} builds ${n.platforms.join(', ')}`, async () => {});
      }
      const replayable = await replayableInputs(this.settled.inputs, this.nodes.length);
      replay = replayable;
      const inputs = replayable.inputs;
      solved = await Promise.all(this.nodes.map(async (n) => {
        try {
          const result = await runBuild(
            { driver: n.node.driver, builderName: builder.name, nodeName: n.node.name, nodeId, dockerConfigDir: dockerConfigDir({ env }), env },
            { ...n.solve, ...inputs(), ssh: this.settled.ssh },
            { progress, signal: stop.signal, ref, onTransfer: (r) => this.transfers.push(r), onWarning: (w) => opts.onWarning?.(`WARNING: ${w}`) },
          );
          return { n, result };
        } catch (err) {
          stop.abort(err);
          throw err;
        }
      }));
      const push = this.nodes.length > 1 ? this.nodes.find((n) => n.push)?.push : undefined;
      if (push) {
        merged = await withVertex(progress, `merging manifest list ${push.names.join(',')}`, () =>
          mergeNodeImages(solved.map((s) => s.result.exporterResponse), push, { dockerConfigDir: dockerConfigDir({ env }), env, signal: stop.signal, exportAttrs: push.attrs, registryConfig: registryConfigOf(builder) }));
        if (merged !== undefined) this.mergedNames = push.names;
      }
    } catch (err) {
      await progress.close(err);
      this.stage = 'done';
      if (signal.aborted) throw new CanceledError(err);
      failedToBuild(err);
    } finally {
      signal.removeEventListener('abort', onAbort);
      await replay?.cleanup();
    }
    await progress.close();
    this.stage = 'done';
    const first = solved[0]!;
    // buildx reports the first node's response, or only the merged digest when the nodes' images were
    // combined.
    const response = merged !== undefined ? { 'containerimage.digest': merged } : first.result.exporterResponse;
    const extra: Record<string, string> = merged !== undefined ? {} : { 'buildx.build.ref': `${builder.name}/${first.n.node.name}/${first.result.ref}` };
    return {
      builder: builder.name,
      node: first.n.node.name,
      ref: first.result.ref,
      imageId: merged ?? first.result.imageId,
      digest: response['containerimage.digest'],
      exporterResponse: response,
      metadata: buildMetadata(response, extra),
      summary: this.summary(response),
      transfers: solved.flatMap((s) => s.result.transfers),
      nodes: solved.map((s) => ({ node: s.n.node.name, platforms: [...s.n.platforms], exporterResponse: s.result.exporterResponse })),
    };
  }
}

/** Prepares and runs one build: {@link prepareBuild}, then {@link PreparedBuild.run}. */
export async function build(request: BuildRequest, opts: BuildOptions = {}): Promise<BuildResult> {
  return (await prepareBuild(request, opts)).run(opts);
}
