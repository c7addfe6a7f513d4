// The docker driver's push on an engine whose BuildKit cannot push: each name through the engine, then the
// registry's digest of the first name, which becomes the image digest buildx reports; nothing on engines
// with Direct push.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Driver, Feature } from '../../../src/drivers/driver.js';
import { discardProgress } from '../../../src/progress/writer.js';
import { pushWithMoby } from '../../../src/solver/moby-push.js';

function engineDriver(features: Feature[], calls: string[]): Driver {
  const no = () => { throw new Error('not used by a push'); };
  return {
    name: 'docker', config: { name: 'default', endpoint: 'default', driverOpts: {} }, isMobyDriver: true,
    version: no, features: async () => new Set(features), bootstrap: no, status: no, stop: no, rm: no, dial: no, client: no, openSession: no,
    pushImage: async (name) => { calls.push(`push ${name}`); },
    remoteDigest: async (name) => { calls.push(`digest ${name}`); return `sha256:${name.length.toString(16).padStart(64, '0')}`; },
  };
}

describe('pushWithMoby', async () => {
  const config = await mkdtemp(join(tmpdir(), 'moby-push-'));
  after(() => rm(config, { recursive: true, force: true }));
  const opts = { progress: discardProgress, dockerConfigDir: config, env: {} };

  it('pushes every name, then asks the registry\'s digest of the first', async () => {
    const calls: string[] = [];
    const digest = await pushWithMoby(engineDriver(['Default load'], calls), [
      { type: 'moby', attrs: { name: 'localhost:5000/a:1,localhost:5000/b:2', push: 'true' } },
    ], opts);
    assert.deepEqual(calls, ['push localhost:5000/a:1', 'push localhost:5000/b:2', 'digest localhost:5000/a:1']);
    assert.equal(digest, `sha256:${'localhost:5000/a:1'.length.toString(16).padStart(64, '0')}`);
  });

  it('leaves exports without push=true, and engines whose BuildKit pushes, alone', async () => {
    const calls: string[] = [];
    assert.equal(await pushWithMoby(engineDriver(['Default load'], calls), [{ type: 'moby', attrs: { name: 'a:1' } }], opts), '');
    assert.equal(await pushWithMoby(engineDriver(['Direct push'], calls), [{ type: 'moby', attrs: { name: 'a:1', push: 'true' } }], opts), '');
    assert.deepEqual(calls, []);
  });

  it('a push without a name is buildx\'s error', async () => {
    await assert.rejects(pushWithMoby(engineDriver([], []), [{ type: 'moby', attrs: { push: 'true' } }], opts), { message: 'tag is needed when pushing to registry' });
  });
});
