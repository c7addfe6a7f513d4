// What a build reads locally: `PATH | URL | -` and `-f` resolved into a context and a Dockerfile (stdin read
// only when asked to, a tar context streamed, never buffered whole), then laid out as the directories,
// uploads and frontend attributes one solve needs.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BuildxError } from '../util/errors.js';
import { isDirectory, pathExists } from '../util/fs-stat.js';
import { randomId } from '../util/random-id.js';
import { looksLikeArchive, peek, readAllStream } from './stdin.js';

export type ContextInput =
  | { kind: 'dir'; path: string }
  /** A tar (optionally compressed) build context streamed from stdin. */
  | { kind: 'tar-stream'; stream: AsyncIterable<Buffer> }
  /** No files: the Dockerfile came on stdin as plain text. */
  | { kind: 'empty' }
  | { kind: 'url'; url: string };

export type DockerfileInput =
  | { kind: 'file'; path: string }
  | { kind: 'content'; data: Buffer };

export interface BuildInputs {
  context: ContextInput;
  dockerfile?: DockerfileInput;
}

/** A git or HTTP(S) context, which the daemon fetches itself. */
export function isRemoteContext(s: string): boolean {
  return /^(https?:\/\/|git@|git:\/\/|github\.com\/)/.test(s) || (/\.git(#.*)?$/.test(s) && /^[a-z]+:\/\//.test(s));
}

/** A git context fetched over ssh (`ssh://…` or scp-like `user@host:path`), which needs an agent. */
export function isGitSSHContext(s: string): boolean {
  return /^ssh:\/\//.test(s) || /^[A-Za-z0-9_-]+@[A-Za-z0-9.-]+:/.test(s);
}

/** Resolves PATH | URL | - and -f the way `docker buildx build` reads them. */
export async function resolveBuildInputs(contextArg: string, fileArg: string | undefined, stdin: NodeJS.ReadableStream): Promise<BuildInputs> {
  if (contextArg === '-') {
    if (fileArg === '-') throw new BuildxError("invalid argument: can't use stdin for both build context and dockerfile");
    const peeked = await peek(stdin as unknown as Readable);
    if (looksLikeArchive(peeked.head)) {
      return { context: { kind: 'tar-stream', stream: peeked.stream }, dockerfile: fileArg ? { kind: 'file', path: fileArg } : undefined };
    }
    if (fileArg) throw new BuildxError('ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles');
    return { context: { kind: 'empty' }, dockerfile: { kind: 'content', data: await readAllStream(peeked.stream) } };
  }
  let context: ContextInput;
  if (isRemoteContext(contextArg)) context = { kind: 'url', url: contextArg };
  else if (await isDirectory(contextArg)) context = { kind: 'dir', path: contextArg };
  else throw new BuildxError(`unable to prepare context: path "${contextArg}" not found`);
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

/** What one solve serves from this machine, and how it names it to the frontend. */
export interface LocalInputs {
  /** Directories the daemon may sync, by mount name (`context`, `dockerfile`). */
  dirs: Map<string, string>;
  /** Frontend attributes that point at them (`context`, `filename`, `dockerfilekey`). */
  attrs: Record<string, string>;
  /** Bodies the daemon pulls through the session's upload service, by id. */
  uploads: Map<string, () => AsyncIterable<Buffer>>;
  /** The context directory's name: with the node id, the daemon's hint for incremental syncs. */
  sharedKeyBase: string;
  /** Removes the temporary directories made for stdin inputs. */
  cleanup: () => Promise<void>;
}

export async function prepareLocalInputs(inputs: BuildInputs, sessionUrlHost: string): Promise<LocalInputs> {
  const dirs = new Map<string, string>();
  const attrs: Record<string, string> = {};
  const uploads = new Map<string, () => AsyncIterable<Buffer>>();
  const temps: string[] = [];
  let sharedKeyBase = '';
  const ctx = inputs.context;
  if (ctx.kind === 'dir') {
    const abs = resolve(ctx.path);
    if (!(await isDirectory(abs))) throw new BuildxError(`unable to prepare context: path "${ctx.path}" not found`);
    dirs.set('context', abs);
    sharedKeyBase = basename(abs);
  } else if (ctx.kind === 'empty') {
    const empty = await mkdtemp(join(tmpdir(), 'tsbuildx-ctx-'));
    temps.push(empty);
    dirs.set('context', empty);
    sharedKeyBase = basename(empty);
  } else if (ctx.kind === 'tar-stream') {
    const id = randomId();
    uploads.set(id, () => ctx.stream);
    attrs.context = `http://${sessionUrlHost}/${id}`;
  } else {
    attrs.context = ctx.url;
  }

  const df = inputs.dockerfile;
  if (df?.kind === 'content') {
    const dir = await mkdtemp(join(tmpdir(), 'tsbuildx-df-'));
    temps.push(dir);
    await writeFile(join(dir, 'Dockerfile'), df.data);
    dirs.set('dockerfile', dir);
    attrs.filename = 'Dockerfile';
    attrs.dockerfilekey = 'dockerfile';
  } else if (df?.kind === 'file' && (ctx.kind === 'tar-stream' || ctx.kind === 'url') && !isAbsolute(df.path)) {
    // A relative -f names a file inside a context that is not local: the frontend reads it from there.
    attrs.filename = df.path;
  } else if (df?.kind === 'file') {
    const abs = resolve(df.path);
    dirs.set('dockerfile', dirname(abs));
    attrs.filename = basename(abs);
    if (ctx.kind !== 'dir' && ctx.kind !== 'empty') attrs.dockerfilekey = 'dockerfile';
  } else if (ctx.kind === 'dir' || ctx.kind === 'empty') {
    const root = dirs.get('context')!;
    // Go buildx falls back to a lower-case `dockerfile` when only that exists.
    const name = !(await pathExists(join(root, 'Dockerfile'))) && (await pathExists(join(root, 'dockerfile'))) ? 'dockerfile' : 'Dockerfile';
    dirs.set('dockerfile', root);
    attrs.filename = name;
  }
  return {
    dirs, attrs, uploads, sharedKeyBase,
    cleanup: async () => { await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true }))); },
  };
}

/**
 * Inputs several solves can read: a context streamed from stdin can be read once, so for a build split
 * over nodes it is written to a temporary file first (streamed, never held in memory) and each solve
 * reads the file. `cleanup` removes it.
 */
export async function replayableInputs(inputs: BuildInputs, readers: number): Promise<{ inputs: () => BuildInputs; cleanup: () => Promise<void> }> {
  const ctx = inputs.context;
  if (readers < 2 || ctx.kind !== 'tar-stream') return { inputs: () => inputs, cleanup: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'tsbuildx-stdin-'));
  const file = join(dir, 'context.tar');
  try {
    await pipeline(Readable.from(ctx.stream), createWriteStream(file));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    inputs: () => ({ ...inputs, context: { kind: 'tar-stream', stream: createReadStream(file) } }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
