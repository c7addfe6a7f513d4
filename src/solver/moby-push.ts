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

export async function pushWithMoby(driver: Driver, exports: readonly ExporterEntry[], opts: MobyPushOptions): Promise<void> {
  if (!driver.pushImage || (await driver.features({ signal: opts.signal })).has('Direct push')) return;
  const env = opts.env ?? process.env;
  for (const e of exports) {
    if (e.type !== 'moby' || e.attrs.push !== 'true') continue;
    if (!e.attrs.name) throw new BuildxError('tag is needed when pushing to registry');
    for (const name of e.attrs.name.split(',')) {
      await withVertex(opts.progress, `pushing ${name} with docker`, async () => {
        const host = pushHostOf(name);
        const creds = await credentialsFor(host, opts.dockerConfigDir ?? dockerConfigDir({ env }), env);
        await driver.pushImage!(name, engineAuthConfig(creds, configKeyFor(host)), { signal: opts.signal });
      }, { signal: opts.signal });
    }
  }
}
