// A bare buildkitd that a test starts for itself (rootful, its own state dir and socket) and stops by its
// pid. The base image comes from the local plain-HTTP registry, so the daemon's config marks it http;
// the containerd worker stays off because it would attach to dockerd's containerd, which tests must not
// touch.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';

export const BIN_DIR = join(process.env.TSBUILDX_STATE ?? '/var/lib/tsbuildx-env', 'bin');
export const BUILDKITD = join(BIN_DIR, 'buildkitd');
export const BUILDCTL = join(BIN_DIR, 'buildctl');
/** Reference Go buildx, built by the provisioning script beside buildkitd. */
export const REFERENCE_BUILDX = join(BIN_DIR, 'buildx');
/** The second engine (provisioning's docker28 component): dockerd v28 on the containerd image store. */
export const DOCKER28_HOST = `unix://${join(process.env.TSBUILDX_STATE ?? '/var/lib/tsbuildx-env', 'run', 'docker28.sock')}`;
/** The local registry: plain HTTP, holds the multi-arch `busybox:latest` every Dockerfile here uses. */
export const REGISTRY = process.env.TSBUILDX_REGISTRY ?? '127.0.0.1:5000';
export const REGISTRY_BASE_IMAGE = `${REGISTRY}/busybox:latest`;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** buildkitd.toml for test daemons; also what docker-container builders get through --buildkitd-config. */
export function buildkitdConfig(): string {
  return [
    '[worker.oci]', '  enabled = true',
    '[worker.containerd]', '  enabled = false',
    `[registry."${REGISTRY}"]`, '  http = true', '  insecure = true', '',
  ].join('\n');
}

export interface Buildkitd {
  dir: string;
  proc: ChildProcess;
  /** `unix://<dir>/buildkitd.sock` */
  unixEndpoint: string;
  /** Daemon output so far (for failure messages). */
  log(): Promise<string>;
}

/**
 * Starts a bare buildkitd with its state under `dir` (`root` defaults to `dir`/root: pass another to start
 * on an empty cache), listening on `dir`/buildkitd.sock plus `extraArgs`, and waits until it answers.
 */
export async function startBuildkitd(dir: string, extraArgs: string[] = [], opts: { root?: string } = {}): Promise<Buildkitd> {
  assert.ok(existsSync(BUILDKITD), `buildkitd not found at ${BUILDKITD}`);
  const unixEndpoint = `unix://${dir}/buildkitd.sock`;
  const config = join(dir, 'buildkitd.toml');
  await writeFile(config, buildkitdConfig());
  const logPath = join(dir, 'buildkitd.log');
  const log = openSync(logPath, 'a');
  const proc = spawn(BUILDKITD, ['--root', opts.root ?? join(dir, 'root'), '--addr', unixEndpoint, ...extraArgs, '--config', config],
    { stdio: ['ignore', log, log] });
  closeSync(log);
  // A daemon must never keep the test process alive (a failed after-hook would hang the run): it goes
  // with the process when nothing stopped it before.
  proc.unref();
  const killOnExit = (): void => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); };
  process.once('exit', killOnExit);
  proc.once('exit', () => process.off('exit', killOnExit));
  const readLog = () => readFile(logPath, 'utf8').catch(() => '');
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`buildkitd exited (${proc.exitCode}): ${await readLog()}`);
    const r = spawnSync(BUILDCTL, ['--addr', unixEndpoint, 'debug', 'workers'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0) return { dir, proc, unixEndpoint, log: readLog };
    if (Date.now() > deadline) {
      await stopBuildkitd(proc);
      throw new Error(`buildkitd did not come up: ${r.stderr}`);
    }
    await sleep(250);
  }
}

/** Stops a daemon the test started, by its pid: SIGTERM, then SIGKILL after 15 s. */
export async function stopBuildkitd(p: ChildProcess | undefined): Promise<void> {
  if (p?.pid === undefined || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  process.kill(p.pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => { timer = setTimeout(() => r(false), 15_000); })]);
  clearTimeout(timer);
  if (!done) {
    process.kill(p.pid, 'SIGKILL');
    await exited;
  }
}
