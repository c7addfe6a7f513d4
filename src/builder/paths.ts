// Where buildx keeps its state (cli.md §2.1), and the per-machine node id used in shared keys.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dockerConfigDir } from '../docker/config.js';

export function buildxConfigDir(env: NodeJS.ProcessEnv = process.env, configDir?: string): string {
  return env.BUILDX_CONFIG ? env.BUILDX_CONFIG : join(configDir ?? dockerConfigDir({ env }), 'buildx');
}

/** 16 hex characters, created once and shared with Go buildx through the same file. */
export async function buildNodeId(dir: string): Promise<string> {
  const file = join(dir, '.buildNodeID');
  try {
    const id = (await readFile(file, 'utf8')).trim();
    if (id) return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = randomBytes(8).toString('hex');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, id, { mode: 0o600 });
  await rename(tmp, file);
  return id;
}
