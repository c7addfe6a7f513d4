// Files the CLI writes next to a build (--iidfile, --metadata-file, --timeline) and for `timeline -o`: each
// appears whole or not at all (a temporary file renamed over the target).
import { metadataFileText, type BuildMetadata } from '../index.js';
import { BuildxError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { goErrnoText } from '../util/go-errno.js';

export async function writeMetadataFile(path: string, metadata: BuildMetadata): Promise<void> {
  await writeFileAtomic(path, metadataFileText(metadata));
}

export async function writeOutputFile(path: string, data: string | Buffer): Promise<void> {
  await writeFileAtomic(path, data);
}

/** writeOutputFile for a file the user named as the command's only product: a failure is one clear line. */
export async function writeNamedFile(path: string, data: string | Buffer): Promise<void> {
  await writeFileAtomic(path, data).catch((err: unknown) => {
    throw new BuildxError(`write ${path}: ${goErrnoText(err)}`, 1, { cause: err });
  });
}
