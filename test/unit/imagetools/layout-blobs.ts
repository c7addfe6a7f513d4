// Test helper: content put into an OCI layout's blobs directory under its sha256 digest.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Descriptor } from '../../../src/imagetools/index.js';

export const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Writes `content` as a blob of the layout at `root` and returns its descriptor. */
export async function writeBlob(root: string, content: string, mediaType: string): Promise<Descriptor> {
  const b = Buffer.from(content);
  const digest = sha256(b);
  await mkdir(join(root, 'blobs/sha256'), { recursive: true });
  await writeFile(join(root, 'blobs/sha256', digest.slice(7)), b);
  return { mediaType, digest, size: b.length };
}
