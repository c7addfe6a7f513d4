// Per-build local state, in Go buildx's layout (`refs/<builder>/<node>/<ref>`): what was built from
// where, so that the build named by `buildx.build.ref` can be traced back to its context and Dockerfile.
import { mkdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/fs-atomic.js';

/** Field names and order as Go marshals its State struct. */
export interface LocalBuildState {
  Target: string;
  /** Absolute context directory, `-` for stdin, or the remote context URL. */
  LocalPath: string;
  /** Absolute Dockerfile path, `-` for stdin, as given for remote contexts, empty when not given. */
  DockerfilePath: string;
}

/** The state of a `build` invocation from its PATH | URL | - and -f arguments. */
export function buildState(contextArg: string, file: string | undefined, contextIsRemote: boolean): LocalBuildState {
  const local = (p: string) => (p === '-' || contextIsRemote && !isAbsolute(p) ? p : resolve(p));
  return {
    Target: 'default',
    LocalPath: contextArg === '-' || contextIsRemote ? contextArg : resolve(contextArg),
    DockerfilePath: file ? local(file) : '',
  };
}

export async function saveLocalState(configDir: string, builder: string, node: string, ref: string, state: LocalBuildState): Promise<void> {
  const dir = join(configDir, 'refs', builder, node);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(dir, ref), JSON.stringify(state), 0o600);
}

/** What Go buildx may add: the bake group a build belonged to. */
export interface StoredBuildState extends LocalBuildState {
  GroupRef?: string;
}

export interface StoredStateGroup {
  Targets?: string[];
  Refs: string[];
}

const SAFE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** The state saved for one build, or undefined when none was (a build by another client, or removed). */
export async function readLocalState(configDir: string, builder: string, node: string, ref: string): Promise<StoredBuildState | undefined> {
  if (![builder, node, ref].every((p) => SAFE.test(p))) return undefined;
  try {
    return JSON.parse(await readFile(join(configDir, 'refs', builder, node, ref), 'utf8')) as StoredBuildState;
  } catch {
    return undefined;
  }
}

export async function readStateGroup(configDir: string, groupRef: string): Promise<StoredStateGroup | undefined> {
  if (!SAFE.test(groupRef)) return undefined;
  try {
    return JSON.parse(await readFile(join(configDir, 'refs', '__group__', groupRef), 'utf8')) as StoredStateGroup;
  } catch {
    return undefined;
  }
}
