// Shared harness for the end-to-end tests: they run the built CLI (`node bin/run.js`, and `docker buildx`
// through a per-run plugin directory) against the real dockerd and check what the daemon ended up with.
//
// Every run gets its own DOCKER_CONFIG (so ~/.docker is never read or written), its own temp root and a
// unique name prefix for images; `E2E.cleanup()` removes both. A daemon that cannot be reached fails the
// suite, unless TSBUILDX_SKIP_E2E is set.
import { spawn, type StdioOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe } from 'node:test';
import { fileURLToPath } from 'node:url';

export const SKIP_E2E = Boolean(process.env.TSBUILDX_SKIP_E2E);

/** The base image every Dockerfile uses: nothing can be pulled on the test machines. */
export const BASE_IMAGE = 'busybox:local';

/** The repository root: compiled tests live in dist-test/ (or a private dir) somewhere below it. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'bin/run.js')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root (bin/run.js) not found above the compiled tests');
    dir = up;
  }
}

export const REPO_ROOT = findRepoRoot();
export const RUN_JS = join(REPO_ROOT, 'bin/run.js');

export interface RunOptions {
  cwd?: string;
  /** Added to (or, with `undefined`, removed from) the harness environment. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed; stdin is empty otherwise. */
  input?: string | Buffer | Readable;
  /** The child is killed (SIGKILL) after this long and the result marked `timedOut`. */
  timeoutMs?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  /** Date.now() when the process exited (its output may have been collected a little later). */
  exitedAt: number;
}

/** A spawned child whose output is collected and whose stderr can be watched while it runs. */
export interface Running {
  pid: number;
  result: Promise<RunResult>;
  /** Resolves once stderr (all of it so far) matches, rejects when the process ends first or after `ms`. */
  waitForStderr(re: RegExp, ms: number): Promise<RegExpMatchArray>;
  stderrSoFar(): string;
  /** Signals the direct child only (as a parent process would). */
  kill(signal: NodeJS.Signals): void;
  /** Signals the child's whole process group (as a terminal's Ctrl-C would), grandchildren included. */
  killGroup(signal: NodeJS.Signals): void;
  /** The result, or undefined if the process has not ended within `ms`. */
  resultWithin(ms: number): Promise<RunResult | undefined>;
}

/**
 * Children run in their own process group so that a timeout can stop grandchildren too (docker's plugin,
 * the shell wrapper's node); groups still alive when the test process exits are killed then.
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function killGroupQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** After the child exits, how long to wait for grandchildren that inherited its stdout/stderr to let go. */
const CLOSE_GRACE_MS = 2000;

export function start(cmd: string, args: string[], opts: RunOptions = {}, baseEnv: NodeJS.ProcessEnv = process.env): Running {
  const env: NodeJS.ProcessEnv = { ...baseEnv };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const stdio: StdioOptions = ['pipe', 'pipe', 'pipe'];
  const child = spawn(cmd, args, { cwd: opts.cwd, env, stdio, detached: true });
  const pid = child.pid;
  if (pid !== undefined) {
    liveGroups.add(pid);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => { for (const g of liveGroups) killGroupQuietly(g, 'SIGKILL'); });
    }
  }
  const out: Buffer[] = [];
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => {
    err += c;
    for (const w of watchers) w();
  });
  // A child that exits without reading all of stdin must not crash the harness with EPIPE.
  child.stdin!.on('error', () => {});
  const input = opts.input;
  if (input === undefined) child.stdin!.end();
  else if (typeof input === 'string' || Buffer.isBuffer(input)) child.stdin!.end(input);
  else input.pipe(child.stdin!);

  const t0 = Date.now();
  let timedOut = false;
  // Set once all output has been collected; watchers are told right after.
  let ended = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (pid !== undefined) killGroupQuietly(pid, 'SIGKILL');
  }, opts.timeoutMs ?? 120_000);
  const result = new Promise<RunResult>((resolve, reject) => {
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, exitedAt: number) => {
      if (settled) return;
      settled = true;
      ended = true;
      clearTimeout(timer);
      if (pid !== undefined) liveGroups.delete(pid);
      for (const w of watchers) w();
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err, timedOut, durationMs: exitedAt - t0, exitedAt });
    };
    // 'close' waits for the pipes, which a leftover grandchild can hold open forever: its exit is what counts.
    child.on('exit', (code, signal) => {
      const exitedAt = Date.now();
      const grace = setTimeout(() => {
        child.stdout!.destroy();
        child.stderr!.destroy();
        finish(code, signal, exitedAt);
      }, CLOSE_GRACE_MS);
      child.on('close', () => {
        clearTimeout(grace);
        finish(code, signal, exitedAt);
      });
    });
  });

  return {
    pid: child.pid!,
    result,
    stderrSoFar: () => err,
    kill: (s) => { child.kill(s); },
    killGroup: (s) => { if (pid !== undefined) killGroupQuietly(pid, s); },
    resultWithin: (ms) => new Promise((resolve) => {
      const t = setTimeout(() => resolve(undefined), ms);
      void result.then((r) => { clearTimeout(t); resolve(r); }, () => { clearTimeout(t); resolve(undefined); });
    }),
    waitForStderr(re, ms) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(err);
          if (m) return done(() => resolve(m));
          if (ended) {
            return done(() => reject(new Error(`process ended before stderr matched ${re}; stderr:\n${err}`)));
          }
        };
        const t = setTimeout(() => done(() => reject(new Error(`stderr did not match ${re} within ${ms} ms; stderr:\n${err}`))), ms);
        const done = (f: () => void) => {
          clearTimeout(t);
          watchers.delete(check);
          f();
        };
        watchers.add(check);
        check();
      });
    },
  };
}

export function run(cmd: string, args: string[], opts: RunOptions = {}, baseEnv?: NodeJS.ProcessEnv): Promise<RunResult> {
  return start(cmd, args, opts, baseEnv).result;
}

/** A readable summary of a finished process, for assertion messages. */
export function describeRun(r: RunResult): string {
  const so = r.stdout.length > 2000 ? `${r.stdout.subarray(0, 2000).toString('utf8')}…` : r.stdout.toString('utf8');
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}${r.timedOut ? ' TIMED OUT' : ''} after ${r.durationMs} ms\n--- stdout\n${so}\n--- stderr\n${r.stderr}`;
}

export function randomName(bytes = 4): string {
  return randomBytes(bytes).toString('hex');
}

/** RFC 3339 time with up to nanosecond digits → nanoseconds since the epoch (Date keeps only ms). */
export function rfc3339Nanos(s: string): bigint {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) throw new Error(`not an RFC 3339 time: ${JSON.stringify(s)}`);
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) throw new Error(`not an RFC 3339 time: ${JSON.stringify(s)}`);
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

export interface RawVertex {
  digest: string;
  name?: string;
  started?: string;
  completed?: string;
  cached?: boolean;
  error?: string;
}

/**
 * `--progress=rawjson` output: every non-empty line must be one JSON object (that is the format); vertex
 * records are merged by digest, later lines winning field by field.
 */
export function parseRawJson(stderr: string): { lines: unknown[]; vertices: Map<string, RawVertex> } {
  const lines: unknown[] = [];
  const vertices = new Map<string, RawVertex>();
  for (const line of stderr.split('\n')) {
    if (line === '') continue;
    let obj: { vertexes?: RawVertex[] };
    try {
      obj = JSON.parse(line) as { vertexes?: RawVertex[] };
    } catch {
      throw new Error(`rawjson line is not JSON: ${line}`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`rawjson line is not an object: ${line}`);
    lines.push(obj);
    for (const v of obj.vertexes ?? []) vertices.set(v.digest, { ...vertices.get(v.digest), ...v });
  }
  return { lines, vertices };
}

/** Process ids whose command line is exactly `argv` (NUL-separated in /proc). Build steps run as host processes. */
export function findProcesses(argv: string[]): number[] {
  const want = `${argv.join('\0')}\0`;
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'latin1') === want) pids.push(Number(e));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

export async function poll<T>(fn: () => T | Promise<T>, ok: (v: T) => boolean, ms: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() >= deadline) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Writes a tree: `{ 'a/b.txt': 'x', 'dir/': null }` (a trailing `/` with null makes a directory). */
export async function writeTree(root: string, files: Record<string, string | Buffer | null>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const p = join(root, rel);
    if (content === null) {
      await mkdir(p, { recursive: true });
      continue;
    }
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, content);
  }
}

/** Per-run state: the isolated docker config (with the plugin wrapper), temp dirs and image names. */
export class E2E {
  readonly id = randomName();
  private root = '';
  private configDir = '';
  private tags = new Set<string>();

  /** Environment for every child: our config dir, and nothing from the caller that would pick another builder. */
  get env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: this.configDir, NO_COLOR: '1' };
    for (const k of ['BUILDX_BUILDER', 'BUILDX_CONFIG', 'BUILDKIT_PROGRESS', 'DOCKER_CONTEXT', 'DOCKER_DEFAULT_PLATFORM',
      'BUILDX_NO_DEFAULT_LOAD', 'BUILDX_METADATA_PROVENANCE', 'BUILDX_METADATA_WARNINGS', 'SOURCE_DATE_EPOCH', 'DEBUG',
      'DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND', 'DOCKER_CLI_PLUGIN_SOCKET', 'GITHUB_ACTIONS']) delete env[k];
    if (this.builder) env.BUILDX_BUILDER = this.builder;
    if (this.dockerHost) env.DOCKER_HOST = this.dockerHost;
    else delete env.DOCKER_HOST;
    return env;
  }

  /** The builder every command of the run uses (BUILDX_BUILDER); unset: the context's default builder. */
  builder = '';

  /** The engine every command of the run talks to (DOCKER_HOST); unset: the local engine's default socket. */
  dockerHost = '';

  get dockerConfig(): string {
    return this.configDir;
  }

  async setup(): Promise<void> {
    this.root = await mkdtemp(join(tmpdir(), `tsbuildx-e2e-${this.id}-`));
    this.configDir = join(this.root, 'docker-config');
    const plugins = join(this.configDir, 'cli-plugins');
    await mkdir(plugins, { recursive: true });
    // docker finds the plugin here; exec keeps signals going straight to node.
    const wrapper = join(plugins, 'docker-buildx');
    await writeFile(wrapper, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(RUN_JS)} "$@"\n`);
    await chmod(wrapper, 0o755);

    const v = await run('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 30_000 }, this.env);
    if (v.code !== 0) {
      throw new Error(`dockerd is not reachable (set TSBUILDX_SKIP_E2E=1 to skip the e2e tests):\n${describeRun(v)}`);
    }
    await ensureBaseImage(this.env);
  }

  async cleanup(): Promise<void> {
    if (this.tags.size) await run('docker', ['image', 'rm', '--force', ...this.tags], { timeoutMs: 60_000 }, this.env).catch(() => undefined);
    if (this.root) await rm(this.root, { recursive: true, force: true });
  }

  /** A unique image reference, removed again at cleanup. */
  tag(name: string): string {
    const t = `tsbuildx-e2e-${this.id}-${name}:latest`;
    this.tags.add(t);
    return t;
  }

  /** A new empty directory below the run's temp root. */
  async tmp(name: string): Promise<string> {
    await mkdir(this.root, { recursive: true });
    return mkdtemp(join(this.root, `${name}-`));
  }

  /** A path below the run's temp root that does not exist yet. */
  path(name: string): string {
    return join(this.root, `${name}-${randomName()}`);
  }

  /** `node bin/run.js ARGS` (standalone mode). */
  buildx(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return run(process.execPath, [RUN_JS, ...args], opts, this.env);
  }

  startBuildx(args: string[], opts: RunOptions = {}): Running {
    return start(process.execPath, [RUN_JS, ...args], opts, this.env);
  }

  /** The real docker CLI; `docker buildx …` reaches our plugin through the run's config dir. */
  docker(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return run('docker', args, opts, this.env);
  }

  startDocker(args: string[], opts: RunOptions = {}): Running {
    return start('docker', args, opts, this.env);
  }

  /** A docker command that must succeed; returns its stdout. */
  async dockerOk(args: string[], opts: RunOptions = {}): Promise<Buffer> {
    const r = await this.docker(args, { timeoutMs: 60_000, ...opts });
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed: ${describeRun(r)}`);
    return r.stdout;
  }

  /** Output of a command run in a throw-away container of `image`. */
  async runIn(image: string, script: string): Promise<string> {
    return (await this.dockerOk(['run', '--rm', '--network', 'none', image, 'sh', '-c', script])).toString('utf8');
  }

  async imageId(ref: string): Promise<string> {
    return (await this.dockerOk(['image', 'inspect', '--format', '{{.Id}}', ref])).toString('utf8').trim();
  }

  async imageExists(ref: string): Promise<boolean> {
    return (await this.docker(['image', 'inspect', ref], { timeoutMs: 30_000 })).code === 0;
  }
}

/**
 * The provisioning script normally creates the base image; for a development machine without it, make it
 * from the host's static busybox the same way, rather than fail every test on a missing image.
 */
async function ensureBaseImage(env: NodeJS.ProcessEnv): Promise<void> {
  if ((await run('docker', ['image', 'inspect', BASE_IMAGE], { timeoutMs: 30_000 }, env)).code === 0) return;
  const script = 'set -e; d=$(mktemp -d); mkdir -p "$d/bin"; cp /bin/busybox "$d/bin/";'
    + ' (cd "$d/bin" && for a in $(./busybox --list); do [ "$a" = busybox ] || ln -s busybox "$a"; done);'
    + ` tar -C "$d" -c . | docker import - ${BASE_IMAGE}; rm -rf "$d"`;
  const r = await run('sh', ['-c', script], { timeoutMs: 60_000 }, env);
  if (r.code !== 0) throw new Error(`base image ${BASE_IMAGE} is missing and could not be created:\n${describeRun(r)}`);
}

/**
 * A `describe` block with one E2E context: set up before the first test (a daemon that cannot be reached
 * fails every test in it) and cleaned up after the last. Skipped as a whole with TSBUILDX_SKIP_E2E.
 */
export function e2eSuite(name: string, body: (ctx: E2E) => void, options: { concurrency?: number } = {}): void {
  describe(name, { skip: SKIP_E2E ? 'TSBUILDX_SKIP_E2E is set' : false, concurrency: options.concurrency ?? 1 }, () => {
    const ctx = new E2E();
    before(() => ctx.setup(), { timeout: 120_000 });
    // The body's own after-hooks (builders, daemons) run first, then this one removes the run's files.
    body(ctx);
    after(() => ctx.cleanup(), { timeout: 120_000 });
  });
}

/** Seconds-scale limit for one test; builds on a busy 2-core machine can be slow. */
export const TEST_TIMEOUT = 180_000;
