// Client-side ends of exporter outputs: directories received through the session, files (or stdout)
// written from streamed tar chunks, image archives unpacked into an OCI layout or loaded into a docker
// engine. Outputs on disk are written under a temporary name and moved into place only when the build
// succeeds, so a failed build leaves nothing half-written behind.
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { pathExists } from '../util/fs-stat.js';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import type { DockerEndpoint } from '../docker/context.js';
import { ImageLoadStream } from '../docker/image-load.js';
import { importingToDocker } from './load-progress.js';
import type { ProgressWriter } from '../progress/writer.js';
import { commitLayout, layoutWriter } from './oci-layout.js';
import { randomId } from '../util/random-id.js';
import type { ExportSink } from '../session/filesend.js';

export type OutputTarget =
  /** `mirror`: local `mode=delete`, what the build did not produce is removed from the directory. */
  | { kind: 'dir'; path: string; mirror?: boolean }
  | { kind: 'file'; path: string }
  | { kind: 'stdout' }
  /** An oci/docker image archive unpacked into an OCI layout directory. */
  | { kind: 'oci-layout'; path: string }
  /** An image archive loaded into a docker engine. */
  | { kind: 'docker-load'; endpoint: DockerEndpoint };

export interface PrepareOutputOptions {
  /** Where client-side steps (`importing to docker`) are shown. */
  progress?: ProgressWriter;
  signal?: AbortSignal;
}

export interface PreparedOutput {
  sink: ExportSink;
  /** Makes the output visible (rename into place). */
  commit(): Promise<void>;
  /** Removes anything written. */
  discard(): Promise<void>;
}

/** A writable over stdout that never ends stdout itself: other output may follow. */
function stdoutWriter(): Writable {
  const out = process.stdout;
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (out.write(chunk)) cb();
      else out.once('drain', () => cb());
    },
  });
}

const tempSibling = (path: string): string => join(dirname(path), `.${basename(path)}.${randomId(8)}.tmp`);

/** Closes a stream that was opened but not completed (the transfer failed): nothing may linger. */
function destroyOpened(w: Writable | undefined): void {
  if (w && !w.writableFinished) w.destroy();
}

/** A stream output written under `tmp` and published only when the build succeeds; removed otherwise. */
function viaTemp(tmp: string, open: () => Promise<Writable>, publish: () => Promise<void>): PreparedOutput {
  let out: Writable | undefined;
  return {
    sink: { kind: 'stream', open: async () => (out = await open()) },
    commit: async () => { if (out) await publish(); },
    discard: async () => {
      destroyOpened(out);
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

export async function prepareOutput(target: OutputTarget, opts: PrepareOutputOptions = {}): Promise<PreparedOutput> {
  if (target.kind === 'docker-load') {
    let load: ImageLoadStream | undefined;
    return {
      sink: {
        kind: 'stream',
        open: async () => {
          load = new ImageLoadStream(target.endpoint, { wrap: opts.progress && importingToDocker(opts.progress), signal: opts.signal });
          return load;
        },
      },
      commit: async () => {},
      discard: async () => { destroyOpened(load); },
    };
  }
  if (target.kind === 'oci-layout') {
    const tmp = tempSibling(target.path);
    return viaTemp(tmp, async () => {
      await mkdir(tmp, { recursive: true });
      return layoutWriter(tmp);
    }, () => commitLayout(tmp, target.path));
  }
  if (target.kind === 'stdout') {
    return { sink: { kind: 'stream', open: async () => stdoutWriter() }, commit: async () => {}, discard: async () => {} };
  }
  if (target.kind === 'file') {
    const tmp = tempSibling(target.path);
    return viaTemp(tmp, async () => {
      await mkdir(dirname(target.path), { recursive: true });
      return createWriteStream(tmp);
    }, () => rename(tmp, target.path));
  }
  // A directory that does not exist yet is received under a temporary name and renamed at the end;
  // an existing one is merged into in place, as buildx does.
  if (await pathExists(target.path)) {
    return { sink: { kind: 'dir', path: target.path, mirror: target.mirror }, commit: async () => {}, discard: async () => {} };
  }
  const tmp = tempSibling(target.path);
  await mkdir(tmp, { recursive: true });
  return {
    sink: { kind: 'dir', path: tmp, mirror: target.mirror },
    commit: () => publishDir(tmp, target.path),
    discard: async () => { await rm(tmp, { recursive: true, force: true }); },
  };
}

/**
 * Moves a received directory into place. When the nodes of a split build each received their
 * platforms' part, the first one creates the directory and the others move their entries into it.
 */
async function publishDir(tmp: string, dest: string): Promise<void> {
  try {
    await rename(tmp, dest);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
  for (const entry of await readdir(tmp)) await rename(join(tmp, entry), join(dest, entry));
  await rm(tmp, { recursive: true, force: true });
}
