// `build()`: one `docker buildx build` as a function. The request is validated in buildx's order (what needs
// no builder first, the rest once the builder is known, prefixed "failed to build"), nothing is written or
// sent before it passed, then the node is booted if needed and the solve runs under the caller's progress.
import { dirname, resolve } from 'node:path';
import { bootDriver } from '../builder/boot.js';
import { resolveBuilder, type Builder, type BuilderNode } from '../builder/builder.js';
import { buildState, saveLocalState } from '../builder/local-state.js';
import { buildNodeId, buildxConfigDir } from '../builder/paths.js';
import { dockerConfigDir } from '../docker/config.js';
import type { DriverStatus } from '../drivers/driver.js';
import {
  checkCacheEntries, formatPlatform, formatUlimit, needsCacheExport, notSupported, parseAddHosts, parseEntitlements,
  parseNetworkMode, parsePlatforms, parseTag, resolveNoCache, withDefaultSSH,
  type CacheEntry, type ExportEntry, type Secret, type SSHSpec, type Ulimit,
} from '../flags/index.js';
import { observeProgress } from '../progress/observe.js';
import { SummaryRecorder, type BuildSummary } from '../progress/summary.js';
import { discardProgress, type ProgressWriter } from '../progress/writer.js';
import type { TransferRecord } from '../session/filesync.js';
import type { SecretSource } from '../session/secrets.js';
import { checkSecretFiles, secretSources } from '../session/secret-sources.js';
import { sshAgents } from '../session/ssh-sources.js';
import { BuildFailedError, runBuild, type ExportRequest, type SolveOptions } from '../solver/build.js';
import type { FrontendOptions } from '../solver/frontend-attrs.js';
import { isGitSSHContext, isRemoteContext, resolveBuildInputs } from '../solver/inputs.js';
import { checkLocalDelete } from '../solver/local-delete.js';
import { buildMetadata, type BuildMetadata } from '../solver/metadata.js';
import { resolveExtraHosts } from '../solver/extra-hosts.js';
import { planExports } from '../solver/plan-exports.js';
import { checkPushCredentials } from '../solver/push-credentials.js';
import { BuildxError, CanceledError, toBuildxError } from '../util/errors.js';
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

export interface BuildResult {
  builder: string;
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
}

/** How far a prepared build got: `loading` while the node is asked for its state, then `building`. */
export type BuildStage = 'prepared' | 'loading' | 'building' | 'done';

export interface PreparedBuild {
  readonly builder: Builder;
  readonly node: BuilderNode;
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

function requestSecrets(request: BuildRequest, env: NodeJS.ProcessEnv): ReadonlyMap<string, SecretSource> {
  resolveNoCache({ noCache: request.noCache ?? false, noCacheFilter: request.noCacheFilter ?? [] });
  return secretSources(request.secrets ?? [], env);
}

/** Checks `request` against the builder and settles every input; nothing is written or sent yet. */
export async function prepareBuild(request: BuildRequest, opts: PrepareOptions = {}): Promise<PreparedBuild> {
  const env = opts.env ?? process.env;
  const secrets = requestSecrets(request, env);

  const builder = typeof opts.builder === 'object' ? opts.builder : await resolveBuilder({ name: opts.builder, env, contextKey: resolve(request.context) });
  const node = builder.nodes[0];
  if (!node) throw new BuildxError(`no valid drivers found: builder ${builder.name} has no nodes`);

  let solve: SolveOptions;
  let warnings: string[];
  try {
    const outputs = request.outputs ?? [];
    const allowed = parseEntitlements(request.allow ?? []);
    if (needsCacheExport(request.cacheTo ?? []) && !(await node.driver.features()).has('Cache export')) {
      throw notSupported('Cache export', node.driver.name, 'https://docs.docker.com/go/build-cache-backends/');
    }
    checkCacheEntries(request.cacheFrom ?? [], request.cacheTo ?? []);
    await checkSecretFiles(request.secrets ?? [], env);
    checkLocalDelete(outputs, allowed.allowLocalOutputDelete);
    const requested = request.platforms?.length ? request.platforms : env.DOCKER_DEFAULT_PLATFORM ? [env.DOCKER_DEFAULT_PLATFORM] : [];
    const platforms = parsePlatforms(requested).map(formatPlatform);
    const network = parseNetworkMode(request.network ?? 'default');
    const extraHosts = await resolveExtraHosts(parseAddHosts(request.addHosts ?? []), node.driver);
    const tags = request.tags ?? [];
    for (const t of tags) parseTag(t);
    const plan = await planExports({
      outputs, tags, push: request.push ?? false, load: request.load ?? false, driver: node.driver,
      stdoutIsTTY: opts.stdoutIsTTY ?? Boolean(process.stdout.isTTY), env, platforms,
    });
    warnings = plan.warning ? [plan.warning] : [];
    if (platforms.length > 1 && !(await node.driver.features()).has('Multi-platform build')) {
      throw notSupported('Multi-platform build', node.driver.name, 'https://docs.docker.com/go/build-multi-platform/');
    }
    if (opts.metadataFile && !(await isDirectory(dirname(opts.metadataFile)))) {
      throw new BuildxError(`invalid output path: stat ${dirname(opts.metadataFile)}: no such file or directory`);
    }
    // buildx reads keys and checks sockets once the builder is known, before the build is sent; an ssh git
    // context gets the default agent when none was named.
    const ssh = await sshAgents(withDefaultSSH(request.ssh ?? [], isGitSSHContext(request.context)), env);
    await checkPushCredentials(plan.exports, dockerConfigDir({ env }), env);
    const inputs = await resolveBuildInputs(request.context, request.file, opts.stdin ?? process.stdin);
    solve = {
      ...inputs, target: request.target, buildArgs: request.buildArgs, labels: request.labels, noCache: request.noCache,
      noCacheFilter: request.noCacheFilter, pull: request.pull, platforms, exports: plan.exports,
      cacheFrom: request.cacheFrom ?? [], cacheTo: request.cacheTo ?? [],
      entitlements: [...allowed.entitlements, ...(network === 'host' ? ['network.host'] : [])],
      networkMode: network, extraHosts, shmSize: request.shmSize ?? 0, ulimits: (request.ulimits ?? []).map(formatUlimit),
      cgroupParent: request.cgroupParent, secrets, ssh,
    };
  } catch (err) {
    failedToBuild(err);
  }
  return new Prepared(request, env, builder, node, solve, warnings);
}

class Prepared implements PreparedBuild {
  stage: BuildStage = 'prepared';
  private readonly recorder = new SummaryRecorder();
  private readonly transfers: TransferRecord[] = [];
  private started = 0n;

  constructor(
    private readonly request: BuildRequest,
    private readonly env: NodeJS.ProcessEnv,
    readonly builder: Builder,
    readonly node: BuilderNode,
    private readonly solve: SolveOptions,
    readonly warnings: readonly string[],
  ) {}

  get exports(): readonly ExportRequest[] {
    return this.solve.exports ?? [];
  }

  summary(exporterResponse?: Record<string, string>): BuildSummary {
    return this.recorder.summary({
      durationNs: this.started ? process.hrtime.bigint() - this.started : undefined,
      transfers: this.transfers, exporterResponse, exports: this.exports,
    });
  }

  async run(opts: RunOptions = {}): Promise<BuildResult> {
    if (this.stage !== 'prepared') throw new BuildxError('a prepared build runs once');
    const signal = opts.signal ?? new AbortController().signal;
    const progress = observeProgress(opts.progress ?? discardProgress, (s) => this.recorder.write(s));
    const { builder, node, env } = this;
    this.started = process.hrtime.bigint();
    this.stage = 'loading';
    const configDir = buildxConfigDir(env);
    // Like buildx, the build is recorded before it runs, so a failed build can be traced too.
    const ref = randomId();
    const remote = isRemoteContext(this.request.context);
    await saveLocalState(configDir, builder.name, node.name, ref, buildState(this.request.context, this.request.file, remote));
    // An engine that cannot be asked is a builder error (unprefixed, as buildx reports it while loading
    // nodes); a bootstrap that fails is a build failure.
    let status: DriverStatus;
    try {
      status = await node.driver.status({ signal });
    } catch (err) {
      await progress.close(err);
      throw signal.aborted ? new CanceledError(err) : err;
    }
    this.stage = 'building';
    let solved;
    try {
      await bootDriver(node.driver, progress, signal, status);
      solved = await runBuild(
        { driver: node.driver, builderName: builder.name, nodeName: node.name, nodeId: await buildNodeId(configDir), dockerConfigDir: dockerConfigDir({ env }), env },
        this.solve,
        { progress, signal, ref, onTransfer: (r) => this.transfers.push(r), onWarning: (w) => opts.onWarning?.(`WARNING: ${w}`) },
      );
    } catch (err) {
      await progress.close(err);
      this.stage = 'done';
      if (signal.aborted) throw new CanceledError(err);
      failedToBuild(err);
    }
    await progress.close();
    this.stage = 'done';
    const response = solved.exporterResponse;
    return {
      builder: builder.name,
      node: node.name,
      ref: solved.ref,
      imageId: solved.imageId,
      digest: response['containerimage.digest'],
      exporterResponse: response,
      metadata: buildMetadata(response, { 'buildx.build.ref': `${builder.name}/${node.name}/${solved.ref}` }),
      summary: this.summary(response),
      transfers: solved.transfers,
    };
  }
}

/** Prepares and runs one build: {@link prepareBuild}, then {@link PreparedBuild.run}. */
export async function build(request: BuildRequest, opts: BuildOptions = {}): Promise<BuildResult> {
  return (await prepareBuild(request, opts)).run(opts);
}
