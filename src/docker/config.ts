// The docker CLI configuration directory and config.json (the parts buildx reads).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

export interface DockerConfigFile {
  auths?: Record<string, DockerAuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  currentContext?: string;
  proxies?: Record<string, Record<string, string>>;
  aliases?: Record<string, string>;
  /** Default `prune` filters (`until=24h`, `label!=keep`). */
  pruneFilters?: string[];
}

export interface DockerCliOptions {
  /** `--config` (plugin mode) or $DOCKER_CONFIG. */
  configDir?: string;
  /** `--context` (plugin mode) or $DOCKER_CONTEXT. */
  context?: string;
  /** `-H/--host` (plugin mode) or $DOCKER_HOST. */
  host?: string;
  env?: NodeJS.ProcessEnv;
}

export function dockerConfigDir(opts: DockerCliOptions = {}): string {
  const env = opts.env ?? process.env;
  return opts.configDir ?? (env.DOCKER_CONFIG ? env.DOCKER_CONFIG : join(homedir(), '.docker'));
}

export async function readDockerConfig(dir: string): Promise<DockerConfigFile> {
  let text: string;
  try {
    text = await readFile(join(dir, 'config.json'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as DockerConfigFile;
  } catch (err) {
    throw new Error(`loading config file ${join(dir, 'config.json')}: ${(err as Error).message}`);
  }
}
