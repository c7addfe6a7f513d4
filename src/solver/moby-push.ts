// The docker driver's --push: the engine's BuildKit only stores the image, so each name is pushed through
// the engine afterwards, under a `pushing <name> with docker` step, as buildx does.
import { configKeyFor, credentialsFor } from '../docker/credentials.js';
import { dockerConfigDir } from '../docker/config.js';
import { engineAuthConfig } from '../docker/image-push.js';
import type { Driver } from '../drivers/driver.js';
import { withVertex } from '../progress/vertex.js';
import type { ProgressWriter } from '../progress/writer.js';
import { BuildxError } from '../util/errors.js';
import { pushHostOf, type ExporterEntry } from './push-credentials.js';

export interface MobyPushOptions {
  progress: ProgressWriter;
  signal?: AbortSignal;
  dockerConfigDir?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Pushes every name of the moby exports through the engine; returns the registry's manifest digest for
 * the first name pushed ('' when nothing was pushed or the engine knows none), which buildx reports as
 * the image digest.
 */
export async function pushWithMoby(driver: Driver, exports: readonly ExporterEntry[], opts: MobyPushOptions): Promise<string> {
  if (!driver.pushImage || (await driver.features({ signal: opts.signal })).has('Direct push')) return '';
  const env = opts.env ?? process.env;
  let digest = '';
  for (const e of exports) {
    if (e.type !== 'moby' || e.attrs.push !== 'true') continue;
    if (!e.attrs.name) throw new BuildxError('tag is needed when pushing to registry');
    const names = e.attrs.name.split(',');
    const authFor = async (name: string) => {
      const host = pushHostOf(name);
      const creds = await credentialsFor(host, opts.dockerConfigDir ?? dockerConfigDir({ env }), env);
      return engineAuthConfig(creds, configKeyFor(host));
    };
    for (const name of names) {
      await withVertex(opts.progress, `pushing ${name} with docker`, async () => {
        await driver.pushImage!(name, await authFor(name), { signal: opts.signal });
      }, { signal: opts.signal });
    }
    if (driver.remoteDigest) digest = await driver.remoteDigest(names[0]!, await authFor(names[0]!), { signal: opts.signal });
  }
  return digest;
}
