// --secret values served to the daemon: read when the daemon asks, never logged.
import { readFile, stat } from 'node:fs/promises';
import { BuildxError } from '../util/errors.js';
import { resolveSecretSource, type Secret } from '../flags/index.js';
import type { SecretSource } from './secrets.js';

/** BuildKit's Go client refuses secrets larger than this. */
const MAX_SECRET = 500 * 1024;

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
        throw new BuildxError(`failed to stat ${path}: ${(err as Error).message}`);
      }
      if (size > MAX_SECRET) throw new BuildxError(`secret ${s.id} too big. max size 500KB`);
      return readFile(path);
    });
  }
  return out;
}
