// The tar archive of the config files copied into a builder container, written with tar-stream.
// Those are its buildkitd.toml and registry certificates, sent to `PUT /containers/<id>/archive`.
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { BuildxError } from '../util/errors.js';

export const DIR_MODE = 0o755;
export const FILE_MODE = 0o644;

export interface TarEntry {
  /** Slash-separated, relative; directories without a trailing slash. */
  path: string;
  type: 'file' | 'dir';
  mode: number;
  data?: Buffer;
}

/**
 * The archive as a byte stream. `mtime` is in seconds; every entry gets the same one.
 * Names that fit a ustar header (up to 255 bytes split at a slash) use it; longer ones get a pax record.
 */
export function tarStream(entries: Iterable<TarEntry>, mtime = Math.floor(Date.now() / 1000)): Readable {
  const archive = pack();
  const when = new Date(mtime * 1000);
  for (const e of entries) {
    const header = { mode: e.mode, mtime: when, uid: 0, gid: 0 };
    // tar-stream leaves directory names as given; tar writers (Go's too) end them with a slash.
    if (e.type === 'dir') archive.entry({ ...header, name: `${e.path}/`, type: 'directory' });
    else archive.entry({ ...header, name: e.path, type: 'file' }, e.data ?? Buffer.alloc(0));
  }
  archive.finalize();
  // The engine client takes a Node stream; tar-stream's own (streamx) streams are not ones.
  return Readable.from(archive, { objectMode: false });
}

/** Like Go's fs.ValidPath: relative, no empty, `.` or `..` elements; we also refuse backslashes and NUL. */
function validPath(p: string): boolean {
  if (p === '' || p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((el) => el !== '' && el !== '.' && el !== '..');
}

/**
 * Entries placing `files` under `root/`: every parent directory first (0755, sorted), then the files
 * (0644, sorted). Paths that would escape `root` or clash with a directory are refused.
 */
export function configEntries(root: string, files: Record<string, Buffer>): TarEntry[] {
  if (!validPath(root) || root.includes('/')) throw new BuildxError(`invalid config archive root ${JSON.stringify(root)}`);
  const dirs = new Set<string>();
  const out: TarEntry[] = [];
  for (const name of Object.keys(files).sort()) {
    const path = `${root}/${name}`;
    if (!validPath(name) || !validPath(path)) throw new BuildxError(`invalid config file path ${JSON.stringify(name)}`);
    out.push({ path, type: 'file', mode: FILE_MODE, data: files[name]! });
    for (let d = path.slice(0, path.lastIndexOf('/')); d; d = d.slice(0, Math.max(0, d.lastIndexOf('/')))) dirs.add(d);
  }
  for (const f of out) {
    if (dirs.has(f.path)) throw new BuildxError(`config file path ${JSON.stringify(f.path.slice(root.length + 1))} conflicts with directory`);
  }
  const dirEntries = [...dirs].sort().map((path): TarEntry => ({ path, type: 'dir', mode: DIR_MODE }));
  return [...dirEntries, ...out];
}
