// Client-side ends of exporter outputs: directories received through the session and files (or
// stdout) written from streamed tar chunks. File outputs are written to a temporary name and renamed
// only when the build succeeds, so a failed build leaves nothing half-written behind.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { pathExists } from '../util/fs-stat.js';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { randomId } from './session/session.js';
import type { ExportSink } from './session/services.js';

export type OutputTarget = { kind: 'dir'; path: string } | { kind: 'file'; path: string } | { kind: 'stdout' };

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

export async function prepareOutput(target: OutputTarget): Promise<PreparedOutput> {
  if (target.kind === 'stdout') {
    return { sink: { kind: 'stream', open: async () => stdoutWriter() }, commit: async () => {}, discard: async () => {} };
  }
  if (target.kind === 'file') {
    const tmp = join(dirname(target.path), `.${basename(target.path)}.${randomId(8)}.tmp`);
    let opened = false;
    return {
      sink: {
        kind: 'stream',
        open: async () => {
          await mkdir(dirname(target.path), { recursive: true });
          opened = true;
          return createWriteStream(tmp);
        },
      },
      commit: async () => { if (opened) await rename(tmp, target.path); },
      discard: async () => { await rm(tmp, { force: true }); },
    };
  }
  // A directory that does not exist yet is received under a temporary name and renamed at the end;
  // an existing one is merged into in place, as buildx does.
  if (await pathExists(target.path)) {
    return { sink: { kind: 'dir', path: target.path }, commit: async () => {}, discard: async () => {} };
  }
  const tmp = join(dirname(target.path), `.${basename(target.path)}.${randomId(8)}.tmp`);
  await mkdir(tmp, { recursive: true });
  return {
    sink: { kind: 'dir', path: tmp },
    commit: async () => { await rename(tmp, target.path); },
    discard: async () => { await rm(tmp, { recursive: true, force: true }); },
  };
}
