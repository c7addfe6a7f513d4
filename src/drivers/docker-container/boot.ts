// Bringing a docker-container node up (protocol.md §4.2, cli.md §3.1): create the container if there is
// none (pulling the image, or using the local one when the pull fails), copy the config in, start it, then
// wait until buildkitd answers inside it. Several processes may boot the same node at once: one creates
// the container, the others find it taken and wait for it.
import { setTimeout as sleep } from 'node:timers/promises';
import { configEntries, tarStream } from '../../docker/archive.js';
import type { ExecResult } from '../../docker/exec.js';
import { BuildxError } from '../../util/errors.js';
import type { BootstrapProgress, DriverConfig } from '../driver.js';
import type { ContainerEngine, ContainerState } from './engine.js';
import { GHA_CONTEXT_FILE, githubActionsContext } from './gha.js';
import type { ContainerOptions } from './options.js';
import {
  ALL_GPUS, CONFIG_PARENT, CONFIG_ROOT, DEFAULT_IMAGE, containerCreateBody, decodeFiles, type EngineFacts,
} from './spec.js';

export interface BootTiming {
  /** buildkitd gets 16 tries; try k failing waits k×120 ms, about 14.4 s in all (as buildx). */
  readyAttempts: number;
  readyBackoffMs: number;
  /** One readiness probe must not hang the boot if buildkitd accepts but never answers. */
  probeTimeoutMs: number;
  /** How long a never-started container is left to the process that created it before we start it. */
  creatorGraceMs: number;
  creatorPollMs: number;
}

export const BOOT_TIMING: BootTiming = { readyAttempts: 16, readyBackoffMs: 120, probeTimeoutMs: 10_000, creatorGraceMs: 10_000, creatorPollMs: 100 };
/** Log lines sent to the progress on failure, and the ones quoted in the error. */
const LOG_TAIL_LINES = 100;
const ERROR_LOG_LINES = 20;

/** The engine calls booting makes. */
export type BootEngine = Pick<ContainerEngine, 'inspect' | 'info' | 'gpusAvailable' | 'imagePresent' | 'pull' | 'create' | 'putArchive' | 'start' | 'logs'>;

export interface BootContext {
  cfg: DriverConfig;
  opts: ContainerOptions;
  engine: BootEngine;
  /** Runs a command in the container to completion (the readiness probe). */
  run(cmd: string[], signal: AbortSignal): Promise<ExecResult>;
  container: string;
  progress: BootstrapProgress;
  signal?: AbortSignal;
  timing?: BootTiming;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (err instanceof Error && (err.name === 'AbortError' || err.name === 'CanceledError'));
}

/** Adds what failed and where to an error's first line; cancellations pass through untouched. */
function failure(ctx: BootContext, what: string, err: unknown): unknown {
  if (isAbort(err, ctx.signal) || (err instanceof BuildxError && err.message.includes(ctx.container))) return err;
  return new BuildxError(`${what} ${ctx.container}: ${message(err)}`, 1, { cause: err });
}

export async function bootContainer(ctx: BootContext): Promise<void> {
  const state = await ctx.engine.inspect(ctx.container, ctx.signal);
  if (!state) return createAndStart(ctx);
  return ctx.progress.wrap(`starting container ${ctx.container}`, async () => {
    await startExisting(ctx, state);
    await waitReady(ctx);
  });
}

async function createAndStart(ctx: BootContext): Promise<void> {
  const image = ctx.opts.image || DEFAULT_IMAGE;
  let pullError: unknown;
  await ctx.progress.wrap(`pulling image ${image}`, async () => {
    try {
      await ctx.engine.pull(image, ctx.signal);
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      pullError = err;
    }
  });
  if (pullError !== undefined) {
    if (!(await ctx.engine.imagePresent(image, ctx.signal))) {
      throw new BuildxError(`cannot create container ${ctx.container}: image ${image} could not be pulled and is not available locally: ${message(pullError)}`, 1, { cause: pullError });
    }
    await ctx.progress.wrap(`using local image ${image}`, async () => {});
  }

  await ctx.progress.wrap(`creating container ${ctx.container}`, async () => {
    let created: boolean;
    try {
      const [info, gpus] = await Promise.all([ctx.engine.info(ctx.signal), ctx.engine.gpusAvailable(image, ALL_GPUS, ctx.signal)]);
      const facts: EngineFacts = { ...info, gpus };
      created = await ctx.engine.create(ctx.container, containerCreateBody(ctx.cfg, { ...ctx.opts, image }, facts), ctx.signal);
    } catch (err) {
      throw failure(ctx, 'cannot create container', err);
    }
    if (created) {
      await copyConfig(ctx);
      await start(ctx);
    } else {
      // Someone else is creating it and will start it.
      await startExisting(ctx, await appeared(ctx));
    }
    await waitReady(ctx);
  });
}

async function start(ctx: BootContext): Promise<void> {
  try {
    await ctx.engine.start(ctx.container, ctx.signal);
  } catch (err) {
    throw failure(ctx, 'cannot start container', err);
  }
}

/** The stored config (and the GitHub Actions context) copied to /etc/buildkit/ before the first start. */
async function copyConfig(ctx: BootContext): Promise<void> {
  const files = decodeFiles(ctx.cfg.files);
  try {
    if (ctx.opts.provenanceAddGHA) {
      const gha = await githubActionsContext();
      if (gha) files[GHA_CONTEXT_FILE] = gha;
    }
    if (!Object.keys(files).length) return;
    const tar = tarStream(configEntries(CONFIG_ROOT, files));
    await ctx.engine.putArchive(ctx.container, CONFIG_PARENT, tar, ctx.signal);
  } catch (err) {
    throw failure(ctx, 'cannot copy the buildkitd config into container', err);
  }
}

/** The engine reserves a name before the container it names can be inspected: wait for it to show. */
async function appeared(ctx: BootContext): Promise<ContainerState> {
  const t = ctx.timing ?? BOOT_TIMING;
  const deadline = Date.now() + t.creatorGraceMs;
  for (;;) {
    const s = await ctx.engine.inspect(ctx.container, ctx.signal);
    if (s) return s;
    if (Date.now() >= deadline) throw new BuildxError(`container ${ctx.container} is being created by someone else but never appeared`);
    await sleep(t.creatorPollMs, undefined, { signal: ctx.signal });
  }
}

/**
 * A container that exists but never ran may belong to a process still copying its config in: starting
 * it now would run buildkitd without that config. It gets a grace period to start it; after that the
 * creator is presumed gone and we copy the config and start it ourselves.
 */
async function startExisting(ctx: BootContext, state: ContainerState): Promise<void> {
  const t = ctx.timing ?? BOOT_TIMING;
  let s: ContainerState | undefined = state;
  const deadline = Date.now() + t.creatorGraceMs;
  while (s?.status === 'created' && Date.now() < deadline) {
    await sleep(t.creatorPollMs, undefined, { signal: ctx.signal });
    s = await ctx.engine.inspect(ctx.container, ctx.signal);
  }
  if (!s) throw new BuildxError(`container ${ctx.container} was removed while booting`);
  if (s.status === 'created') await copyConfig(ctx);
  if (!s.running) await start(ctx);
}

function restartsOnExit(o: ContainerOptions): boolean {
  return ['always', 'unless-stopped', 'on-failure'].includes(o.restartPolicy.Name);
}

/** Polls `buildctl debug workers` in the container until it succeeds, with a growing pause between tries. */
async function waitReady(ctx: BootContext): Promise<void> {
  const t = ctx.timing ?? BOOT_TIMING;
  const t0 = Date.now();
  let last: unknown;
  let attempts = 0;
  for (let attempt = 1; attempt <= t.readyAttempts; attempt++) {
    attempts = attempt;
    if (attempt > 1) await sleep((attempt - 1) * t.readyBackoffMs, undefined, { signal: ctx.signal });
    const limit = AbortSignal.timeout(t.probeTimeoutMs);
    try {
      const r = await ctx.run(['buildctl', 'debug', 'workers'], ctx.signal ? AbortSignal.any([ctx.signal, limit]) : limit);
      if (r.exitCode === 0) return;
      const out = (r.stderr || r.stdout).trim().split('\n').pop() ?? '';
      last = new Error(`buildctl debug workers: exit code ${r.exitCode}${out ? `: ${out}` : ''}`);
    } catch (err) {
      // A probe hitting its own time limit is a failed try; only the caller's signal cancels.
      if (ctx.signal?.aborted) throw err;
      last = err;
    }
    if (attempt === t.readyAttempts) break;
    // A container that has exited for good will not answer however long we wait.
    const s = await ctx.engine.inspect(ctx.container, ctx.signal).catch(() => undefined);
    if (!s || (!s.running && s.status !== 'restarting' && !restartsOnExit(ctx.opts))) break;
  }
  const lines = await lastLogLines(ctx);
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const tail = lines.slice(-ERROR_LOG_LINES);
  const logs = tail.length ? `\nlast ${tail.length} lines of the container's log:\n${tail.map((l) => `  ${l}`).join('\n')}` : '\nthe container logged nothing';
  throw new BuildxError(`buildkitd in container ${ctx.container} did not become ready (${attempts} attempts, ${secs}s): ${message(last)}${logs}`, 1, { cause: last });
}

/** The container's last log lines, also sent to the progress; never fails (the boot error matters more). */
async function lastLogLines(ctx: BootContext): Promise<string[]> {
  const lines: string[] = [];
  const partial: Record<number, string> = {};
  try {
    await ctx.engine.logs(ctx.container, LOG_TAIL_LINES, (stream, data) => {
      ctx.progress.log(stream, Buffer.from(data));
      const parts = ((partial[stream] ?? '') + data.toString('utf8')).split('\n');
      partial[stream] = parts.pop()!;
      lines.push(...parts);
    });
  } catch {
    // the container may be gone, or the engine unreachable
  }
  for (const rest of Object.values(partial)) if (rest) lines.push(rest);
  return lines.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
}
