// `type=oci|docker,tar=false,dest=DIR`: the daemon would write such a layout through a content store
// served over the session; we ask for the tar instead and unpack it while it streams. Only the layout's
// own files are kept (oci-layout, index.json, blobs/<alg>/<hex>); each sha256 blob is verified on the way.
// Index entries merge into an existing layout the way BuildKit's client does (client/ociindex): an
// entry replaces earlier ones carrying the same image and reference names.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { extract, type Extract, type Header } from 'tar-stream';
import { BuildxError } from '../util/errors.js';
import { pathExists } from '../util/fs-stat.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { withEntries } from '../registry/oci-index.js';

export { IMAGE_NAME_ANNOTATION, REF_NAME_ANNOTATION } from '../registry/oci-index.js';
const LAYOUT_FILE = 'oci-layout';
const INDEX_FILE = 'index.json';

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
  [k: string]: unknown;
}

/** What an archive member is, as far as a layout cares. */
export type MemberType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

/** tar-stream's member types in our terms; it reports null for type flags it does not know. */
function memberType(type: Header['type'] | null): MemberType {
  switch (type) {
    case 'file': case 'contiguous-file': return 'file';
    case 'directory': return 'dir';
    case 'symlink': return 'symlink';
    case 'link': return 'hardlink';
    default: return 'other';
  }
}

/** Where an archive member goes in the layout; undefined for members that are not part of one. */
export type LayoutMember =
  | { kind: 'dir'; path: string }
  | { kind: 'blob'; path: string; algorithm: string; hex: string }
  | { kind: 'meta'; path: string };

const HEX = { sha256: /^[0-9a-f]{64}$/, sha384: /^[0-9a-f]{96}$/, sha512: /^[0-9a-f]{128}$/ } as const;

/**
 * Classifies an archive member. Names that could escape the layout are refused; members that belong to
 * the docker archive format only (manifest.json, repositories) are skipped.
 */
export function layoutMember(header: { name: string; type: MemberType }): LayoutMember | undefined {
  const name = header.name.replace(/^\.\//, '').replace(/\/+$/, '');
  const parts = name.split('/');
  if (name.startsWith('/') || parts.some((p) => p === '..' || p === '')) {
    if (name === '' || name === '.') return undefined;
    throw new BuildxError(`invalid OCI layout archive: unsafe path ${JSON.stringify(header.name)}`);
  }
  if (header.type === 'dir') {
    if (name === 'blobs' || (parts.length === 2 && parts[0] === 'blobs' && parts[1]! in HEX)) return { kind: 'dir', path: name };
    return undefined;
  }
  if (header.type !== 'file') {
    throw new BuildxError(`invalid OCI layout archive: ${header.type} entry ${JSON.stringify(header.name)}`);
  }
  if (name === LAYOUT_FILE || name === INDEX_FILE) return { kind: 'meta', path: name };
  if (parts.length === 3 && parts[0] === 'blobs') {
    const algorithm = parts[1]!;
    const hex = parts[2]!;
    const re = (HEX as Record<string, RegExp>)[algorithm];
    if (!re || !re.test(hex)) throw new BuildxError(`invalid OCI layout archive: unexpected blob ${JSON.stringify(header.name)}`);
    return { kind: 'blob', path: name, algorithm, hex };
  }
  return undefined;
}

/** One member's data as the extractor hands it out: it moves on once this is read to its end. */
type MemberData = AsyncIterable<unknown> & { header: Header };

async function unpackMember(dir: string, data: MemberData): Promise<void> {
  const member = layoutMember({ name: data.header.name, type: memberType(data.header.type) });
  if (member?.kind === 'dir') await mkdir(join(dir, member.path), { recursive: true });
  if (member === undefined || member.kind === 'dir') {
    for await (const _ of data) { /* not part of the layout: read past it */ }
    return;
  }
  const path = join(dir, member.path);
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path, { mode: member.kind === 'blob' ? 0o444 : 0o644 });
  const hash = member.kind === 'blob' ? createHash(member.algorithm) : undefined;
  try {
    for await (const piece of data) {
      const chunk = piece as Buffer;
      hash?.update(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await finished(out);
  } catch (err) {
    out.destroy();
    throw err;
  }
  if (member.kind === 'blob' && hash?.digest('hex') !== member.hex) {
    throw new BuildxError(`invalid OCI layout archive: ${member.path} does not match its digest`);
  }
}

/** tar-stream's own texts for a broken archive, in the words the layout errors use. */
const TAR_ERRORS: [RegExp, string][] = [
  [/^Unexpected end of data/, 'unexpected end of tar stream'],
  [/^Invalid tar header\. Maybe the tar is corrupted/, 'invalid tar header: checksum mismatch'],
  [/^Invalid tar header: unknown format/, 'invalid tar header: unknown format'],
  [/^Header exceeds max size/, 'invalid tar header: extended header too large'],
];

function tarError(err: Error): BuildxError {
  const known = TAR_ERRORS.find(([re]) => re.test(err.message))?.[1];
  return new BuildxError(`invalid OCI layout archive: ${known ?? err.message}`, 1, { cause: err });
}

/** True once `ex` has taken in all it was given, false once it is destroyed (it then takes nothing). */
function accepted(ex: Extract): Promise<boolean> {
  if (ex.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => { ex.off('drain', onDrain); ex.off('close', onClose); resolve(ok); };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    ex.on('drain', onDrain);
    ex.on('close', onClose);
  });
}

/**
 * A writable that unpacks an OCI (or docker) image archive into `dir`, which must exist. Backpressure
 * runs end to end: a write is acknowledged only when the extractor has room again, and the extractor
 * hands out more of a member only when the previous piece is on its way to disk.
 */
export function layoutWriter(dir: string): Writable {
  const ex = extract();
  // The extractor fails (is destroyed with an error) only on a broken archive; a failing member stops
  // it without one. A member that starts reading after the archive broke sees only "destroyed".
  let broken: Error | undefined;
  ex.on('error', (err) => { broken ??= err; });
  // Null when every member was unpacked, else the first failure: the archive's, or a member's (a digest
  // mismatch, an unsafe name, a failed write) as it is.
  const outcome: Promise<Error | null> = (async () => {
    for await (const data of ex) await unpackMember(dir, data);
  })().then(() => null, (err: Error) => (broken ? tarError(broken) : err));
  const writer = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (ex.write(chunk)) return cb();
      void accepted(ex).then(async (ok) => cb(ok ? null : await outcome));
    },
    final(cb) {
      ex.end(null);
      void outcome.then(async (err) => {
        if (!err && !(await pathExists(join(dir, INDEX_FILE)))) err = new BuildxError('invalid OCI layout archive: no index.json');
        cb(err);
      });
    },
    destroy(err, cb) {
      ex.destroy(null);
      cb(err);
    },
  });
  // A member can fail while no write is pending: the sender must hear of it now, not at its next write.
  void outcome.then((err) => { if (err) writer.destroy(err); });
  return writer;
}

/** Index entries after adding `incoming` the way BuildKit's client does (same names replace). */
export function mergeIndex(existing: ImageIndex | undefined, incoming: readonly Descriptor[]): ImageIndex {
  const index: ImageIndex = existing ? { ...existing, manifests: [...(existing.manifests ?? [])] } : { schemaVersion: 2, manifests: [] };
  if (!index.schemaVersion) index.schemaVersion = 2;
  if (!index.mediaType) index.mediaType = 'application/vnd.oci.image.index.v1+json';
  index.manifests = withEntries(index.manifests, incoming);
  // Keep the key order of a fresh index so that a first export reads like the daemon's own.
  const { schemaVersion, mediaType, manifests, ...rest } = index;
  return { schemaVersion, mediaType, manifests, ...rest };
}

async function readIndex(path: string): Promise<ImageIndex | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const idx = JSON.parse(text) as ImageIndex;
    if (idx === null || typeof idx !== 'object' || (idx.manifests !== undefined && !Array.isArray(idx.manifests))) throw new Error('not an index');
    return idx;
  } catch {
    throw new BuildxError(`could not unmarshal ${path}`);
  }
}

/**
 * Moves a received layout (`src`) into `dest`: a rename when `dest` does not exist, otherwise new blobs
 * are moved in, `oci-layout` rewritten and index.json merged (blobs first, so the index never names a
 * blob that is not there yet). `src` is gone afterwards.
 */
export async function commitLayout(src: string, dest: string): Promise<void> {
  if (!(await pathExists(dest))) {
    await rename(src, dest);
    return;
  }
  const blobs = join(src, 'blobs');
  for (const alg of await readdir(blobs).catch(() => [] as string[])) {
    await mkdir(join(dest, 'blobs', alg), { recursive: true });
    for (const hex of await readdir(join(blobs, alg))) {
      const target = join(dest, 'blobs', alg, hex);
      // Blobs are content-addressed: an existing one already holds the same bytes.
      if (!(await pathExists(target))) await rename(join(blobs, alg, hex), target);
    }
  }
  const incoming = (await readIndex(join(src, INDEX_FILE)))?.manifests ?? [];
  const merged = mergeIndex(await readIndex(join(dest, INDEX_FILE)), incoming);
  await writeFileAtomic(join(dest, LAYOUT_FILE), await readFile(join(src, LAYOUT_FILE)).catch(() => Buffer.from('{"imageLayoutVersion":"1.0.0"}')));
  await writeFileAtomic(join(dest, INDEX_FILE), JSON.stringify(merged));
  await rm(src, { recursive: true, force: true });
}
