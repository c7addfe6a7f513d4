// Builder selection and loading (cli.md §2.4). A builder is a named group of nodes, each a driver
// instance; the docker context in use always provides one builder of its own.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dockerConfigDir } from '../docker/config.js';
import { contextExists, currentContextName, currentEndpoint } from '../docker/context.js';
import type { Driver, DriverName } from '../drivers/driver.js';
import { getFactory } from '../drivers/index.js';
import { BuildxError } from '../errors.js';

export interface BuilderNode {
  name: string;
  endpoint: string;
  driver: Driver;
}

export interface Builder {
  name: string;
  driverName: DriverName;
  /** True for the builder a docker context provides. */
  dockerContext: boolean;
  nodes: BuilderNode[];
}

export interface ResolveOptions {
  /** `--builder`; falls back to $BUILDX_BUILDER. */
  name?: string;
  env?: NodeJS.ProcessEnv;
  /** Skip the "other context" check (inspect, stop, rm, ls). */
  skipValidation?: boolean;
}

/** The builder of a docker context: one node named like the context, docker driver. */
export async function contextBuilder(contextName: string): Promise<Builder> {
  const factory = await getFactory('docker');
  const driver = await factory.create({ name: contextName, endpoint: contextName, driverOpts: {} });
  return { name: contextName, driverName: 'docker', dockerContext: true, nodes: [{ name: contextName, endpoint: contextName, driver }] };
}

export async function resolveBuilder(opts: ResolveOptions = {}): Promise<Builder> {
  const env = opts.env ?? process.env;
  const name = opts.name || env.BUILDX_BUILDER || '';
  const current = await currentContextName({ env });
  if (!name) return contextBuilder(current);
  if (name === 'default' || (await contextExists(name, { env }))) {
    const ctx = name === 'default' ? 'default' : name;
    if (!opts.skipValidation && ctx !== current && !(ctx === 'default' && current === 'default')) {
      throw new BuildxError(`use \`docker --context=${ctx} buildx\` to switch to context "${ctx}"`);
    }
    return contextBuilder(ctx);
  }
  throw new BuildxError(`no builder "${name}" found`);
}

/** Every docker context, `default` first, as `ls` lists them. */
export async function listContextNames(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const dir = join(dockerConfigDir({ env }), 'contexts', 'meta');
  const names: string[] = [];
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch {
    // no contexts besides the default one
  }
  for (const e of entries) {
    try {
      const meta = JSON.parse(await readFile(join(dir, e, 'meta.json'), 'utf8')) as { Name?: string };
      if (meta.Name) names.push(meta.Name);
    } catch {
      // a broken context entry is skipped, as docker itself does
    }
  }
  return ['default', ...names.sort()];
}

export { currentEndpoint };
