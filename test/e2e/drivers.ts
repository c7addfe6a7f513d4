// The driver matrix of the build suites: the same test bodies run once per driver, each on a builder of
// its own that the suite creates through the CLI (docker: the context's default builder, once on Debian's
// dockerd 20.10 and once on dockerd v28 with the containerd image store; docker-container: a container on
// the local engine with host networking; remote: a bare buildkitd this file starts), with the base image
// each one can reach (the engine's images for docker, the local registry for buildkitd).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { buildkitdConfig, DOCKER28_HOST, REGISTRY_BASE_IMAGE, startBuildkitd, stopBuildkitd, type Buildkitd } from './buildkitd-daemon.js';
import { BASE_IMAGE, describeRun, e2eSuite, type E2E } from './helpers.js';

/** A driver of the matrix; `docker-v28` is the docker driver on the current engine. */
export type E2EDriver = 'docker' | 'docker-v28' | 'docker-container' | 'remote';
export const ALL_DRIVERS: readonly E2EDriver[] = ['docker', 'docker-v28', 'docker-container', 'remote'];

/** The drivers to run (TSBUILDX_E2E_DRIVERS narrows them for a development loop; CI runs all). */
export function selectedDrivers(): E2EDriver[] {
  const want = process.env.TSBUILDX_E2E_DRIVERS;
  if (!want) return [...ALL_DRIVERS];
  const names = want.split(',').map((s) => s.trim());
  for (const n of names) assert.ok((ALL_DRIVERS as readonly string[]).includes(n), `TSBUILDX_E2E_DRIVERS: unknown driver ${n}`);
  return names as E2EDriver[];
}

export interface DriverUnderTest {
  /** The buildx driver (`docker` for both engines). */
  readonly name: 'docker' | 'docker-container' | 'remote';
  /** The matrix entry, as the suite's name shows it. */
  readonly variant: E2EDriver;
  /** The image a Dockerfile's FROM names on this driver. */
  readonly baseImage: string;
  /** What a build adds so that its image lands in the engine (the docker driver's results always do). */
  readonly loadArgs: readonly string[];
  /** The engine's embedded BuildKit (either engine). */
  readonly isMoby: boolean;
  /**
   * The docker driver on dockerd 20.10 (BuildKit v0.8, classic image store): one single-platform image
   * per build, no cache export, pushes through the engine, no history API.
   */
  readonly classicEngine: boolean;
  /** The builder every build of the suite uses (`--builder`/BUILDX_BUILDER); `default` for docker. */
  readonly builder: string;
  /** The builder's node (`default` on the docker driver, `<builder>0` otherwise), as refs name it. */
  readonly nodeName: string;
  /** remote: the daemon's address (`unix://…`), once the suite started it; '' otherwise. */
  readonly endpoint: string;
}

/**
 * Before every test of the suite the builder exists and is booted, so no test measures a first boot; after
 * the suite its container, volume or daemon is gone. The store itself lives in the suite's DOCKER_CONFIG,
 * which the suite's own cleanup removes; that cleanup runs first, so the daemon keeps its state in a
 * directory of its own, removed only once the daemon has stopped.
 */
function driverFixture(ctx: E2E, variant: E2EDriver): DriverUnderTest {
  const name = variant === 'docker-v28' ? 'docker' : variant;
  // The suite's every docker command (and the default builder) then talks to the current engine.
  if (variant === 'docker-v28') ctx.dockerHost = DOCKER28_HOST;
  const builder = name === 'docker' ? 'default' : `e2e${name === 'remote' ? 'r' : 'c'}${ctx.id}`;
  let daemon: Buildkitd | undefined;
  let daemonDir = '';
  before(async () => {
    if (name === 'docker') return;
    let args: string[];
    if (name === 'remote') {
      daemonDir = await mkdtemp(join(tmpdir(), `tsbuildx-e2e-${ctx.id}-buildkitd-`));
      daemon = await startBuildkitd(daemonDir);
      args = ['create', '--name', builder, '--driver', 'remote', daemon.unixEndpoint];
    } else {
      const config = join(await ctx.tmp('bkcfg'), 'buildkitd.toml');
      await writeFile(config, buildkitdConfig());
      args = ['create', '--name', builder, '--driver', 'docker-container', '--driver-opt', 'network=host', '--buildkitd-config', config];
    }
    const created = await ctx.buildx([...args, '--bootstrap'], { timeoutMs: 120_000 });
    assert.equal(created.code, 0, describeRun(created));
    ctx.builder = builder;
  }, { timeout: 180_000 });
  after(async () => {
    if (name === 'docker-container') {
      await ctx.docker(['rm', '--force', '--volumes', `buildx_buildkit_${builder}0`], { timeoutMs: 60_000 }).catch(() => undefined);
      await ctx.docker(['volume', 'rm', '--force', `buildx_buildkit_${builder}0_state`], { timeoutMs: 60_000 }).catch(() => undefined);
    }
    await stopBuildkitd(daemon?.proc);
    if (daemonDir) await rm(daemonDir, { recursive: true, force: true });
  }, { timeout: 120_000 });
  return {
    name,
    variant,
    baseImage: name === 'docker' ? BASE_IMAGE : REGISTRY_BASE_IMAGE,
    loadArgs: name === 'docker' ? [] : ['--load'],
    isMoby: name === 'docker',
    classicEngine: variant === 'docker',
    builder,
    nodeName: name === 'docker' ? builder : `${builder}0`,
    get endpoint() { return daemon?.unixEndpoint ?? ''; },
  };
}

/** e2eSuite once per selected driver, named `<name> [<driver>]`. */
export function e2eSuitePerDriver(name: string, body: (ctx: E2E, driver: DriverUnderTest) => void, options: { concurrency?: number } = {}): void {
  for (const d of selectedDrivers()) e2eSuite(`${name} [${d}]`, (ctx) => body(ctx, driverFixture(ctx, d)), options);
}
