// Which exporters a build sends and where the client takes each result, per driver kind. The docker
// engine a load goes to is a stub that records what it was asked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DockerEndpoint } from '../../../src/docker/context.js';
import type { Driver, DriverName, Feature } from '../../../src/drivers/driver.js';
import { parseOutputs } from '../../../src/flags/index.js';
import { planExports, type ExportPlanInput, type LoadEngine } from '../../../src/solver/plan-exports.js';

/** A docker engine as the docker driver sees it: dockerd 20.10 (classic store) or v28 (containerd store). */
const CLASSIC_ENGINE = { version: 'v0.8.2+bc07b2b8', features: ['Default load'] as Feature[] };
const CONTAINERD_ENGINE = {
  version: 'v0.25.2',
  features: ['OCI exporter', 'Docker exporter', 'Cache export', 'Multi-platform build', 'Direct push', 'Prefer image digest', 'Default load'] as Feature[],
};

function fakeDriver(name: DriverName, driverOpts: Record<string, string> = {}, engine = CLASSIC_ENGINE): Driver {
  const no = () => { throw new Error('not used by planning'); };
  const moby = name === 'docker';
  return {
    name, config: { name: 'b', endpoint: 'e', driverOpts }, isMobyDriver: moby,
    // Only the docker driver's engines differ in what they take; other drivers are never asked.
    version: moby ? async () => engine.version : no, features: moby ? async () => new Set(engine.features) : no,
    bootstrap: no, status: no, stop: no, rm: no, dial: no, client: no, openSession: no,
  };
}

interface StubEngine extends LoadEngine {
  asked: (string | undefined)[];
}

function stubEngine(containerd = false): StubEngine {
  const asked: (string | undefined)[] = [];
  return {
    asked,
    endpoint: async (context) => {
      if (context === 'nope') throw new Error('unable to parse docker host `nope`');
      return { contextName: context ?? 'default', host: context ? `unix:///run/${context}.sock` : 'unix:///var/run/docker.sock' };
    },
    importsOCI: async (context) => { asked.push(context); return containerd; },
  };
}

function input(over: Partial<ExportPlanInput> & { o?: string[] }): ExportPlanInput {
  const { o, ...rest } = over;
  return {
    outputs: parseOutputs(o ?? []), tags: [], push: false, load: false, driver: fakeDriver('remote'), stdoutIsTTY: false,
    env: {}, engine: stubEngine(), ...rest,
  };
}

const defaultEngine: DockerEndpoint = { contextName: 'default', host: 'unix:///var/run/docker.sock' };

describe('planExports on drivers other than docker', () => {
  it('--load: a docker exporter whose archive goes into the current docker context', async () => {
    const engine = stubEngine();
    const plan = await planExports(input({ load: true, tags: ['app:1'], engine }));
    assert.deepEqual(plan.exports, [{ type: 'docker', attrs: { name: 'app:1' }, output: { kind: 'docker-load', endpoint: defaultEngine } }]);
    assert.deepEqual(engine.asked, [undefined]);
    assert.equal(plan.warning, undefined);
  });

  it('type=docker,context=X loads into that context and leaves the attribute for the daemon', async () => {
    const engine = stubEngine();
    const plan = await planExports(input({ o: ['type=docker,context=other'], engine }));
    assert.deepEqual(plan.exports, [{
      type: 'docker', attrs: { context: 'other' },
      output: { kind: 'docker-load', endpoint: { contextName: 'other', host: 'unix:///run/other.sock' } },
    }]);
    assert.deepEqual(engine.asked, ['other']);
    await assert.rejects(planExports(input({ o: ['type=docker,context=nope'] })), { message: 'unable to parse docker host `nope`' });
  });

  it('an engine with the containerd store gets an OCI archive and the image digest', async () => {
    const plan = await planExports(input({ load: true, platforms: ['linux/amd64', 'linux/arm64'], engine: stubEngine(true) }));
    assert.deepEqual(plan.exports.map((e) => [e.type, e.attrs, e.output?.kind]), [['oci', { 'prefer-image-digest': 'true' }, 'docker-load']]);
  });

  it('a classic engine cannot take manifest lists', async () => {
    await assert.rejects(planExports(input({ load: true, platforms: ['linux/amd64', 'linux/arm64'] })),
      { message: 'docker exporter does not currently support exporting manifest lists' });
    await assert.rejects(planExports(input({ o: ['type=docker,dest=x.tar'], platforms: ['linux/amd64', 'linux/arm64'] })),
      { message: 'docker exporter does not support exporting manifest lists, use the oci exporter instead' });
  });

  it('asks no engine when nothing is loaded', async () => {
    const engine = stubEngine();
    for (const o of [['type=docker,dest=x.tar'], ['type=oci,dest=x.tar'], ['type=local,dest=d'], ['type=cacheonly'], []]) {
      await planExports(input({ o, engine }));
    }
    await planExports(input({ push: true, tags: ['r/x:1'], engine }));
    assert.deepEqual(engine.asked, []);
  });

  it('an OCI or docker layout directory is asked for as a tar and unpacked by the client', async () => {
    const plan = await planExports(input({ o: ['type=oci,tar=false,dest=/tmp/nonexistent/layout', 'type=docker,tar=false,dest=/tmp/nonexistent/d'], tags: ['a:1'] }));
    assert.deepEqual(plan.exports, [
      { type: 'oci', attrs: { name: 'a:1' }, output: { kind: 'oci-layout', path: '/tmp/nonexistent/layout' } },
      { type: 'docker', attrs: { name: 'a:1' }, output: { kind: 'oci-layout', path: '/tmp/nonexistent/d' } },
    ]);
  });

  it('files, stdout and local directories keep their targets; tar=true stays a file', async () => {
    const plan = await planExports(input({ o: ['type=oci,dest=o.tar', 'type=docker,dest=d.tar', 'type=local,dest=dir', '-'] }));
    assert.deepEqual(plan.exports.map((e) => [e.type, e.output]), [
      ['oci', { kind: 'file', path: 'o.tar' }],
      ['docker', { kind: 'file', path: 'd.tar' }],
      ['local', { kind: 'dir', path: 'dir' }],
      ['tar', { kind: 'stdout' }],
    ]);
  });

  it('--push and type=registry become image exporters that push, without a client output', async () => {
    const tags = ['127.0.0.1:5000/a/b:1'];
    for (const over of [{ push: true }, { o: ['type=registry'] }, { o: ['type=image,push=true,registry.insecure=true'] }]) {
      const plan = await planExports(input({ ...over, tags }));
      assert.equal(plan.exports.length, 1);
      const [e] = plan.exports;
      assert.equal(e!.type, 'image');
      assert.equal(e!.attrs.push, 'true');
      assert.equal(e!.attrs.name, tags[0]);
      assert.equal(e!.output, undefined);
    }
    await assert.rejects(planExports(input({ push: true })), { message: 'tag is needed when pushing to registry' });
  });

  it('several outputs at once keep their order: --load with --push, local with tar', async () => {
    const both = await planExports(input({ load: true, push: true, tags: ['r/x:1'] }));
    assert.deepEqual(both.exports.map((e) => [e.type, e.attrs.push, e.output?.kind]), [['image', 'true', undefined], ['docker', undefined, 'docker-load']]);
    const two = await planExports(input({ o: ['type=local,dest=d', 'type=tar,dest=t.tar'] }));
    assert.deepEqual(two.exports.map((e) => e.output), [{ kind: 'dir', path: 'd' }, { kind: 'file', path: 't.tar' }]);
  });

  it('no output: the warning, unless the builder loads by default or only the cache is wanted', async () => {
    const none = await planExports(input({}));
    assert.deepEqual(none.exports, []);
    assert.equal(none.warning, 'WARNING: No output specified with remote driver. Build result will only remain in the build cache. '
      + 'To push result image into registry use --push or to load image into docker use --load');
    const engine = stubEngine();
    const dl = await planExports(input({ driver: fakeDriver('docker-container', { 'default-load': 'true' }), tags: ['a:1'], engine }));
    assert.deepEqual(dl.exports, [{ type: 'docker', attrs: { name: 'a:1' }, output: { kind: 'docker-load', endpoint: defaultEngine } }]);
    assert.equal(dl.warning, undefined);
    assert.deepEqual(engine.asked, [undefined]);
    const off = await planExports(input({ driver: fakeDriver('remote', { 'default-load': 'true' }), env: { BUILDX_NO_DEFAULT_LOAD: '1' } }));
    assert.deepEqual(off.exports, []);
    const cacheOnly = await planExports(input({ o: ['type=cacheonly'] }));
    assert.deepEqual([cacheOnly.exports, cacheOnly.warning], [[], undefined]);
  });
});

describe('planExports on the docker driver', () => {
  it('--load is the engine itself: a moby exporter, no client output', async () => {
    const plan = await planExports(input({ load: true, tags: ['a:1'], driver: fakeDriver('docker') }));
    assert.deepEqual(plan.exports, [{ type: 'moby', attrs: { name: 'a:1' } }]);
  });

  it('classic engine: no manifest lists, no oci/docker archives, one exporter per solve', async () => {
    const driver = fakeDriver('docker');
    await assert.rejects(planExports(input({ load: true, platforms: ['linux/amd64', 'linux/arm64'], driver })),
      { message: 'docker exporter does not currently support exporting manifest lists' });
    await assert.rejects(planExports(input({ o: ['type=oci,dest=a.tar'], driver })), { message: /^OCI exporter is not supported for the docker driver\./ });
    await assert.rejects(planExports(input({ o: ['type=docker,dest=a.tar'], driver })), { message: /^Docker exporter is not supported for the docker driver\./ });
    await assert.rejects(planExports(input({ o: ['type=image,name=a:1', 'type=local,dest=d'], driver })),
      { message: /^multiple outputs currently unsupported by the current BuildKit daemon/ });
  });

  it('containerd-store engine: a multi-platform --load is a moby exporter naming the image by digest', async () => {
    const engine = stubEngine(true);
    const driver = fakeDriver('docker', {}, CONTAINERD_ENGINE);
    const plan = await planExports(input({ load: true, tags: ['a:1'], platforms: ['linux/amd64', 'linux/arm64'], driver, engine }));
    assert.deepEqual(plan.exports, [{ type: 'moby', attrs: { name: 'a:1', 'prefer-image-digest': 'true' } }]);
    assert.deepEqual(engine.asked, [undefined]);
    const files = await planExports(input({ o: ['type=oci,dest=a.tar', 'type=docker,dest=b.tar'], driver, engine }));
    assert.deepEqual(files.exports.map((e) => [e.type, e.output?.kind]), [['oci', 'file'], ['docker', 'file']]);
  });

  it('its default image asks the docker CLI\'s engine nothing', async () => {
    const engine = stubEngine(true);
    const plan = await planExports(input({ tags: ['a:1'], driver: fakeDriver('docker', {}, CONTAINERD_ENGINE), engine }));
    assert.deepEqual(plan.exports, [{ type: 'moby', attrs: { name: 'a:1', 'prefer-image-digest': 'true' } }]);
    assert.deepEqual(engine.asked, []);
  });
});
