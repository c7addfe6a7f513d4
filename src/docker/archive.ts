// A minimal ustar writer for the few small files copied into a builder container (its buildkitd.toml
// and registry certificates), sent to the engine's `PUT /containers/<id>/archive`.
import { BuildxError } from '../util/errors.js';

const BLOCK = 512;
export const DIR_MODE = 0o755;
export const FILE_MODE = 0o644;

export interface TarEntry {
  /** Slash-separated, relative; directories without a trailing slash. */
  path: string;
  type: 'file' | 'dir';
  mode: number;
  data?: Buffer;
}

function octal(buf: Buffer, offset: number, width: number, value: number): void {
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new BuildxError(`tar header value ${value} does not fit`);
  buf.write(digits.padStart(width - 1, '0') + '\0', offset, width, 'ascii');
}

/** ustar keeps names of up to 100 bytes, or 255 when they can be split at a slash into prefix + name. */
function splitName(path: string): [prefix: string, name: string] {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return [prefix, name];
  }
  throw new BuildxError(`path too long for a tar header: ${path}`);
}

export function tarHeader(e: TarEntry, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const [prefix, name] = splitName(e.type === 'dir' ? `${e.path}/` : e.path);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, e.mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, e.type === 'file' ? (e.data?.length ?? 0) : 0);
  octal(h, 136, 12, mtime);
  h.write(e.type === 'dir' ? '5' : '0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  // The checksum is computed with its own field read as spaces.
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/** The archive, one buffer per header, file body and end marker, so it can be streamed as it is made. */
export function* tarStream(entries: Iterable<TarEntry>, mtime = Math.floor(Date.now() / 1000)): Generator<Buffer> {
  for (const e of entries) {
    yield tarHeader(e, mtime);
    if (e.type === 'file' && e.data?.length) {
      yield e.data;
      const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
      if (pad) yield Buffer.alloc(pad);
    }
  }
  yield Buffer.alloc(2 * BLOCK);
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
