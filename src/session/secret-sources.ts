// --secret values served to the daemon: read when the daemon asks, never logged.
import { readFile, stat } from 'node:fs/promises';
import { BuildxError } from '../util/errors.js';
import { goErrnoText } from '../util/go-errno.js';
import { resolveSecretSource, type Secret } from '../flags/index.js';
import type { SecretSource } from './secrets.js';

/** BuildKit's Go client refuses secrets larger than this. */
const MAX_SECRET = 500 * 1024;

/**
 * The files the secrets name must exist before a build is sent, as buildx checks them; their content is
 * still only read when the daemon asks.
 */
export async function checkSecretFiles(secrets: readonly Secret[], env: NodeJS.ProcessEnv): Promise<void> {
  for (const given of secrets) {
    const s = resolveSecretSource(given, env);
    if (s.env !== undefined && s.src === undefined) continue;
    const path = s.src ?? s.id;
    try {
      await stat(path);
    } catch (err) {
      throw statFailed(path, err);
    }
  }
}

/** buildx's line for a secret file it cannot stat (Go's *PathError after the prefix). */
function statFailed(path: string, err: unknown): BuildxError {
  return new BuildxError(`failed to stat ${path}: stat ${path}: ${goErrnoText(err)}`, 1, { cause: err });
}

export function secretSources(secrets: readonly Secret[], env: NodeJS.ProcessEnv): Map<string, SecretSource> {
  const out = new Map<string, SecretSource>();
  for (const given of secrets) {
    const s = resolveSecretSource(given, env);
    if (!s.id) throw new BuildxError('secret missing ID');
    if (s.env !== undefined && s.src === undefined) {
      const name = s.env;
      out.set(s.id, async () => Buffer.from(env[name] ?? '', 'utf8'));
      continue;
    }
    const path = s.src ?? s.id;
    out.set(s.id, async () => {
      let size: number;
      try {
        size = (await stat(path)).size;
      } catch (err) {
        throw statFailed(path, err);
      }
      if (size > MAX_SECRET) throw new BuildxError(`secret ${s.id} too big. max size 500KB`);
      return readFile(path);
    });
  }
  return out;
}
