// `build` from command-line values: parse and check every option first (bad input changes nothing on
// disk), pick the builder, then run the build with the chosen progress renderer and write the results.
import { rm } from 'node:fs/promises';
import { isDirectory } from '../util/fs-stat.js';
import { dirname, resolve } from 'node:path';
import { resolveBuilder } from '../builder/builder.js';
import { bootDriver } from '../builder/boot.js';
import { buildState, saveLocalState } from '../builder/local-state.js';
import { randomId } from '../util/random-id.js';
import type { DriverStatus } from '../drivers/driver.js';
import { buildNodeId, buildxConfigDir } from '../builder/paths.js';
import { dockerConfigDir } from '../docker/config.js';
import { BuildxError, CanceledError, toBuildxError } from '../util/errors.js';
import { createProgressWriter, formatWarnings } from '../progress/index.js';
import { formatBuildSummary, SummaryRecorder } from '../progress/summary.js';
import { observeProgress } from '../progress/observe.js';
import type { TransferRecord } from '../session/services.js';
import { renderTimelineHTML, renderTimelineSVG, timelineFormatFor, TimelineRecorder, type TimelineFormat } from '../progress/timeline.js';
import type { ProgressWriter } from '../progress/writer.js';
import { runBuild, BuildFailedError, type BuildOptions, type ContextInput, type DockerfileInput, type BuildResult } from '../solver/build.js';
import { buildMetadata, writeFileAtomic, writeMetadataFile } from '../solver/metadata.js';
import { looksLikeArchive, peek, readAllStream } from '../solver/stdin.js';
import { planExports } from '../solver/plan-exports.js';
import {
  parseBuildArgs, parseLabels, parsePlatforms, formatPlatform, parseTag, resolveProgressMode, parseNetworkMode,
  parseCacheEntries, parseAddHosts, formatAddHost, parseShmSize, parseUlimits, formatUlimit, parseSecrets,
  withSourceDateEpoch, resolveNoCache, parseOutputs, checkImageIdFile, parseEntitlements,
} from '../flags/index.js';
import { checkLocalDelete } from '../solver/local-delete.js';
import { secretSources } from '../session/secret-sources.js';

export interface BuildCliInput {
  contextArg: string;
  file?: string;
  tags: string[];
  target?: string;
  buildArgs: string[];
  labels: string[];
  noCache: boolean;
  noCacheFilter: string[];
  pull: boolean;
  quiet: boolean;
  iidfile?: string;
  metadataFile?: string;
  load: boolean;
  push: boolean;
  outputs: string[];
  progress: string;
  platforms: string[];
  builder?: string;
  cacheFrom: string[];
  cacheTo: string[];
  network?: string;
  addHosts: string[];
  allow: string[];
  shmSize?: string;
  ulimits: string[];
  secrets: string[];
  ssh: string[];
  cgroupParent?: string;
  /** Where to write the timeline picture (`.svg` or `.html`). */
  timeline?: string;
}

export interface BuildIO {
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface BuildCliResult extends BuildResult {
  /** `-q`: the caller prints the image id on stdout. */
  printImageId: boolean;
}

const isRemote = (s: string) => /^(https?:\/\/|git@|git:\/\/|github\.com\/)/.test(s) || /\.git(#.*)?$/.test(s) && /^[a-z]+:\/\//.test(s);

/** Resolves PATH | URL | - and -f into build inputs, reading stdin only when asked to. */
async function resolveInputs(input: BuildCliInput, stdin: NodeJS.ReadableStream): Promise<{ context: ContextInput; dockerfile?: DockerfileInput }> {
  const ctxArg = input.contextArg;
  const fileArg = input.file;
  if (ctxArg === '-') {
    if (fileArg === '-') throw new BuildxError("invalid argument: can't use stdin for both build context and dockerfile");
    const peeked = await peek(stdin as unknown as import('node:stream').Readable);
    if (looksLikeArchive(peeked.head)) {
      return { context: { kind: 'tar-stream', stream: peeked.stream }, dockerfile: fileArg ? { kind: 'file', path: fileArg } : undefined };
    }
    if (fileArg) throw new BuildxError('ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles');
    return { context: { kind: 'empty' }, dockerfile: { kind: 'content', data: await readAllStream(peeked.stream) } };
  }
  let context: ContextInput;
  if (isRemote(ctxArg)) context = { kind: 'url', url: ctxArg };
  else if (await isDirectory(ctxArg)) context = { kind: 'dir', path: ctxArg };
  else throw new BuildxError(`unable to prepare context: path "${ctxArg}" not found`);
  let dockerfile: DockerfileInput | undefined;
  if (fileArg === '-') {
    dockerfile = { kind: 'content', data: await readAllStream(stdin as unknown as AsyncIterable<Buffer>) };
  } else if (fileArg) {
    // buildx resolves the Dockerfile's directory locally before it talks to the daemon.
    if (!(await isDirectory(dirname(resolve(fileArg))))) throw new BuildxError(`resolve : lstat ${dirname(resolve(fileArg))}: no such file or directory`);
    dockerfile = { kind: 'file', path: fileArg };
  }
  return { context, dockerfile };
}

function warningSummary(progress: ProgressWriter): string {
  return progress.warnings.length ? formatWarnings(progress.warnings) : '';
}

async function writeTimeline(path: string | undefined, format: TimelineFormat | undefined, recorder: TimelineRecorder | undefined): Promise<void> {
  if (!path || !format || !recorder) return;
  const t = recorder.timeline();
  await writeFileAtomic(path, format === 'svg' ? renderTimelineSVG(t) : renderTimelineHTML(t));
}

/** buildx prefixes everything that fails once the builder is chosen. */
function failedToBuild(err: unknown): never {
  if (err instanceof CanceledError) throw err;
  if (err instanceof BuildFailedError) throw new BuildFailedError(`failed to build: ${err.message}`, err.sources, err.exitCode, err.cause ?? err);
  const e = toBuildxError(err);
  throw new BuildxError(`failed to build: ${e.message}`, e.exitCode, { cause: err });
}

export async function buildFromCli(input: BuildCliInput, io: BuildIO = {}): Promise<BuildCliResult> {
  const env = io.env ?? process.env;
  const stderr = io.stderr ?? process.stderr;
  const stdin = io.stdin ?? process.stdin;
  const signal = io.signal ?? new AbortController().signal;

  // 1. Options are parsed before anything is touched, in buildx's order (its errors are unprefixed).
  const mode = resolveProgressMode({ flag: input.progress, quiet: input.quiet, env: env.BUILDKIT_PROGRESS, stderrIsTTY: Boolean(stderr.isTTY) });
  const buildArgs = withSourceDateEpoch(parseBuildArgs(input.buildArgs, env), env);
  const labels = parseLabels(input.labels);
  let shmSize = 0;
  try {
    shmSize = input.shmSize ? parseShmSize(input.shmSize) : 0;
  } catch (err) {
    throw new BuildxError(`invalid argument "${input.shmSize}" for "--shm-size" flag: ${(err as Error).message}`);
  }
  const outputEntries = parseOutputs(input.outputs);
  const cacheFrom = parseCacheEntries(input.cacheFrom);
  const cacheTo = parseCacheEntries(input.cacheTo);
  const secrets = secretSources(parseSecrets(input.secrets), env);
  const ulimits = parseUlimits(input.ulimits).map(formatUlimit);
  resolveNoCache({ noCache: input.noCache, noCacheFilter: input.noCacheFilter });
  checkImageIdFile(outputEntries, input.iidfile);
  const timelineFormat = input.timeline ? timelineFormatFor(input.timeline) : undefined;

  // 2. The builder.
  const builder = await resolveBuilder({ name: input.builder, env });
  const node = builder.nodes[0];
  if (!node) throw new BuildxError(`no valid drivers found: builder ${builder.name} has no nodes`);

  // 3. Everything else is checked before the first write to disk; failures are "failed to build".
  let options: BuildOptions;
  let warning: string | undefined;
  try {
    const allowed = parseEntitlements(input.allow);
    checkLocalDelete(outputEntries, allowed.allowLocalOutputDelete);
    const platforms = parsePlatforms(input.platforms.length ? input.platforms : env.DOCKER_DEFAULT_PLATFORM ? [env.DOCKER_DEFAULT_PLATFORM] : []).map(formatPlatform);
    const network = parseNetworkMode(input.network ?? 'default');
    const extraHosts = parseAddHosts(input.addHosts).map(formatAddHost);
    for (const t of input.tags) parseTag(t);
    const plan = await planExports({
      outputs: outputEntries, tags: input.tags, push: input.push, load: input.load, driver: node.driver,
      stdoutIsTTY: Boolean((io.stdout as { isTTY?: boolean } | undefined ?? process.stdout).isTTY), env, platforms,
    });
    warning = plan.warning;
    if (input.metadataFile && !(await isDirectory(dirname(input.metadataFile)))) {
      throw new BuildxError(`invalid output path: stat ${dirname(input.metadataFile)}: no such file or directory`);
    }
    const inputs = await resolveInputs(input, stdin);
    options = {
      ...inputs, target: input.target, buildArgs, labels, noCache: input.noCache, noCacheFilter: input.noCacheFilter,
      pull: input.pull, platforms, exports: plan.exports, cacheFrom, cacheTo,
      entitlements: [...allowed.entitlements, ...(network === 'host' ? ['network.host'] : [])],
      networkMode: network, extraHosts, shmSize, ulimits, cgroupParent: input.cgroupParent, secrets,
    };
  } catch (err) {
    failedToBuild(err);
  }
  if (input.iidfile) await rm(input.iidfile, { force: true });

  const configDir = buildxConfigDir(env);
  const printer = createProgressWriter({
    mode: mode === 'none' ? 'quiet' : mode,
    out: stderr,
    description: `building with "${builder.name}" instance using ${builder.driverName} driver`,
    consoleDescription: `${builder.driverName}:${builder.name}`,
  });
  const timeline = timelineFormat ? new TimelineRecorder() : undefined;
  const summary = mode === 'tty' || mode === 'plain' ? new SummaryRecorder() : undefined;
  const progress = timeline || summary ? observeProgress(printer, (s) => { timeline?.write(s); summary?.write(s); }) : printer;
  const transfers: TransferRecord[] = [];
  const started = process.hrtime.bigint();
  const printSummary = (exporterResponse?: Record<string, string>) => {
    if (!summary) return;
    const text = formatBuildSummary(summary.summary({
      durationNs: process.hrtime.bigint() - started, transfers, exporterResponse, exports: options.exports,
    }), { color: mode === 'tty' && !env.NO_COLOR });
    stderr.write(`\n${text}${text.endsWith('\n') ? '' : '\n'}`);
  };
  const logged: string[] = warning ? [warning] : [];
  // Like buildx, the build is recorded before it runs, so a failed build can be traced too.
  const ref = randomId();
  await saveLocalState(configDir, builder.name, node.name, ref, buildState(input.contextArg, input.file, isRemote(input.contextArg)));
  let result: BuildResult;
  // An engine that cannot be asked is a builder error (unprefixed, as buildx reports it while loading
  // nodes); a bootstrap that fails is a build failure.
  let status: DriverStatus;
  try {
    status = await node.driver.status({ signal });
  } catch (err) {
    await progress.close(err);
    throw signal.aborted ? new CanceledError(err) : err;
  }
  try {
    await bootDriver(node.driver, progress, signal, status);
    result = await runBuild(
      { driver: node.driver, builderName: builder.name, nodeName: node.name, nodeId: await buildNodeId(configDir), dockerConfigDir: dockerConfigDir({ env }) },
      options, { progress, signal, ref, onTransfer: (r) => transfers.push(r), onWarning: (w) => logged.push(`WARNING: ${w}`) },
    );
  } catch (err) {
    await progress.close(err);
    // buildx logs these while the display runs, and its printer holds log lines until the display ends.
    for (const line of logged) stderr.write(`${line}\n`);
    await writeTimeline(input.timeline, timelineFormat, timeline);
    if (signal.aborted) throw new CanceledError(err);
    printSummary();
    failedToBuild(err);
  }
  await progress.close();
  for (const line of logged) stderr.write(`${line}\n`);
  await writeTimeline(input.timeline, timelineFormat, timeline);
  const warnings = warningSummary(progress);
  if (warnings && mode !== 'quiet' && mode !== 'none' && mode !== 'rawjson') stderr.write(warnings);
  printSummary(result.exporterResponse);

  if (input.iidfile && result.imageId) await writeFileAtomic(input.iidfile, result.imageId);
  if (input.metadataFile) {
    await writeMetadataFile(input.metadataFile, buildMetadata(result.exporterResponse, { 'buildx.build.ref': `${builder.name}/${node.name}/${result.ref}` }));
  }
  return { ...result, printImageId: mode === 'quiet' };
}
