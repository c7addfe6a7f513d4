// `build` from command-line values: flag strings into a BuildRequest (checked before anything is touched),
// the renderer picked, the library's build run under it, then what buildx prints after the display
// (held-back warnings, the warning list, the summary) and the files it writes (--iidfile, --metadata-file).
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  BuildxError, canonicalizeAttest, checkBuildRequest, checkImageIdFile, formatBuildSummary, formatWarnings, observeProgress, parseBuildArgs,
  parseCacheEntries, parseLabels, parseOutputs, parseSecrets, parseShmSize, parseSSHSpecs, parseUlimits, prepareBuild, resolveBuilder,
  renderTimelineHTML, renderTimelineSVG, timelineFormatFor, TimelineRecorder, withSourceDateEpoch,
  type BuildRequest, type BuildResult, type PreparedBuild, type TimelineFormat,
} from '../index.js';
import { writeMetadataFile, writeOutputFile } from './files.js';
import { createDisplay, progressMode } from './progress-display.js';

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
  /** `--attest` values, then the `--provenance` and `--sbom` shorthands ('' when not given). */
  attests?: string[];
  annotations?: string[];
  provenance?: string;
  sbom?: string;
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

/** The flags as a library request; every grammar is checked here, in buildx's order. */
function toRequest(input: BuildCliInput, env: NodeJS.ProcessEnv): BuildRequest {
  const buildArgs = withSourceDateEpoch(parseBuildArgs(input.buildArgs, env), env);
  const labels = parseLabels(input.labels);
  let shmSize = 0;
  try {
    shmSize = input.shmSize ? parseShmSize(input.shmSize) : 0;
  } catch (err) {
    throw new BuildxError(`invalid argument "${input.shmSize}" for "--shm-size" flag: ${(err as Error).message}`);
  }
  return {
    context: input.contextArg, file: input.file, target: input.target, buildArgs, labels,
    outputs: parseOutputs(input.outputs), cacheFrom: parseCacheEntries(input.cacheFrom), cacheTo: parseCacheEntries(input.cacheTo),
    secrets: parseSecrets(input.secrets), ssh: parseSSHSpecs(input.ssh), ulimits: parseUlimits(input.ulimits), shmSize,
    noCache: input.noCache, noCacheFilter: input.noCacheFilter, pull: input.pull, tags: input.tags, push: input.push,
    load: input.load, platforms: input.platforms, network: input.network, addHosts: input.addHosts, allow: input.allow,
    cgroupParent: input.cgroupParent,
    annotations: input.annotations,
    attests: [...(input.attests ?? []), canonicalizeAttest('provenance', input.provenance ?? ''), canonicalizeAttest('sbom', input.sbom ?? '')].filter((a) => a !== ''),
  };
}

/** `--timeline FILE`: what the build is recorded into, and where its picture goes. */
interface TimelineOutput {
  path: string;
  format: TimelineFormat;
  recorder: TimelineRecorder;
}

async function writeTimeline({ path, format, recorder }: TimelineOutput): Promise<void> {
  const t = recorder.timeline();
  await writeOutputFile(path, format === 'svg' ? renderTimelineSVG(t) : renderTimelineHTML(t));
}

export async function buildFromCli(input: BuildCliInput, io: BuildIO = {}): Promise<BuildCliResult> {
  const env = io.env ?? process.env;
  const stderr = io.stderr ?? process.stderr;
  const signal = io.signal ?? new AbortController().signal;

  // 1. Flags, before anything is touched (their errors are unprefixed).
  const mode = progressMode({ flag: input.progress, quiet: input.quiet, env, out: stderr });
  const request = toRequest(input, env);
  checkBuildRequest(request, env);
  checkImageIdFile(request.outputs ?? [], input.iidfile);
  const timeline: TimelineOutput | undefined = input.timeline
    ? { path: input.timeline, format: timelineFormatFor(input.timeline), recorder: new TimelineRecorder() }
    : undefined;

  // 2. The builder, then everything checked against it ("failed to build: …").
  // Like buildx, the context's absolute path (even of a URL or `-`) is what a sticky kubernetes builder hashes.
  const builder = await resolveBuilder({ name: input.builder, env, contextKey: resolve(request.context) });
  const prepared: PreparedBuild = await prepareBuild(request, {
    builder, env, stdin: io.stdin ?? process.stdin, metadataFile: input.metadataFile,
    stdoutIsTTY: Boolean((io.stdout as { isTTY?: boolean } | undefined ?? process.stdout).isTTY),
  });
  if (input.iidfile) await rm(input.iidfile, { force: true });

  // 3. The build under the chosen display.
  const display = createDisplay(mode, {
    env, out: stderr,
    description: `building with "${builder.name}" instance using ${builder.driverName} driver`,
    consoleDescription: `${builder.driverName}:${builder.name}`,
  });
  const progress = timeline ? observeProgress(display, (s) => timeline.recorder.write(s)) : display;
  const showSummary = mode === 'tty' || mode === 'plain';
  const printSummary = (exporterResponse?: Record<string, string>) => {
    if (!showSummary) return;
    const text = formatBuildSummary(prepared.summary(exporterResponse), { color: mode === 'tty' && !env.NO_COLOR });
    stderr.write(`\n${text}${text.endsWith('\n') ? '' : '\n'}`);
  };
  // buildx logs these while the display runs, and its printer holds log lines until the display ends.
  const logged: string[] = [...prepared.warnings];
  const afterDisplay = async () => {
    for (const line of logged) stderr.write(`${line}\n`);
    if (timeline) await writeTimeline(timeline);
  };
  let result: BuildResult;
  try {
    result = await prepared.run({ progress, signal, onWarning: (line) => logged.push(line) });
  } catch (err) {
    // A node that could not even be asked for its state failed before the build began.
    if (prepared.stage !== 'loading') {
      await afterDisplay();
      if (!signal.aborted) printSummary();
    }
    throw err;
  }
  await afterDisplay();
  if (display.warnings.length && mode !== 'quiet' && mode !== 'none' && mode !== 'rawjson') stderr.write(formatWarnings(display.warnings));
  printSummary(result.exporterResponse);

  if (input.iidfile && result.imageId) await writeOutputFile(input.iidfile, result.imageId);
  if (input.metadataFile) await writeMetadataFile(input.metadataFile, result.metadata);
  return { ...result, printImageId: mode === 'quiet' };
}
