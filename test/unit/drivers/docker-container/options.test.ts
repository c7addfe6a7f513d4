// docker-container driver options and the container they describe: parsing with Go's messages, the
// buildkitd command line, and the engine create body (compared with what reference buildx v0.36.1 made).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getFactory } from '../../../../src/drivers/index.js';
import { parseContainerOptions, parseRestartPolicy, ramInBytes } from '../../../../src/drivers/docker-container/options.js';
import { parseGoBool, parseGoInt64 } from '../../../../src/util/go-strconv.js';
import {
  buildkitdCmd, containerCreateBody, containerName, stateVolumeName, type EngineFacts,
} from '../../../../src/drivers/docker-container/spec.js';
import { parseBuildkitdVersion } from '../../../../src/drivers/docker-container/driver.js';

const CGROUPFS: EngineFacts = { cgroupDriver: 'cgroupfs', userns: false, gpus: false };
const TOML_B64 = Buffer.from('[registry."127.0.0.1:5000"]\n  http = true\n').toString('base64');

describe('Go value parsers', () => {
  it('ParseBool', () => {
    for (const t of ['1', 't', 'T', 'true', 'TRUE', 'True']) assert.equal(parseGoBool(t), true);
    for (const f of ['0', 'f', 'F', 'false', 'FALSE', 'False']) assert.equal(parseGoBool(f), false);
    assert.throws(() => parseGoBool('yes'), { message: 'strconv.ParseBool: parsing "yes": invalid syntax' });
    assert.throws(() => parseGoBool(''), { message: 'strconv.ParseBool: parsing "": invalid syntax' });
  });

  it('ParseInt', () => {
    assert.equal(parseGoInt64('100000'), 100000n);
    assert.equal(parseGoInt64('-5'), -5n);
    assert.equal(parseGoInt64('+7'), 7n);
    assert.throws(() => parseGoInt64('1.5'), { message: 'strconv.ParseInt: parsing "1.5": invalid syntax' });
    assert.throws(() => parseGoInt64('1_000'), /invalid syntax/);
    assert.throws(() => parseGoInt64('9223372036854775808'), { message: 'strconv.ParseInt: parsing "9223372036854775808": value out of range' });
  });

  it('RAMInBytes', () => {
    const cases: [string, number][] = [
      ['512m', 512 * 1024 ** 2], ['1g', 1024 ** 3], ['1GB', 1024 ** 3], ['1GiB', 1024 ** 3], ['100', 100], ['100b', 100],
      ['1.5k', 1536], ['1 MB', 1024 ** 2], ['2t', 2 * 1024 ** 4], ['1e3', 1000], ['0', 0], ['.5k', 512],
    ];
    for (const [s, n] of cases) assert.equal(ramInBytes(s), n, s);
    assert.throws(() => ramInBytes('abc'), { message: "invalid size: 'abc'" });
    assert.throws(() => ramInBytes('-1'), { message: "invalid size: '-1'" });
    assert.throws(() => ramInBytes('1x'), { message: "invalid suffix: 'x'" });
    assert.throws(() => ramInBytes('1gbb'), { message: "invalid suffix: 'gbb'" });
    assert.throws(() => ramInBytes('1mx'), { message: "invalid suffix: 'mx'" });
    assert.throws(() => ramInBytes('1bb'), { message: "invalid suffix: 'bb'" });
    assert.throws(() => ramInBytes('1..2m'), { message: 'strconv.ParseFloat: parsing "1..2": invalid syntax' });
  });

  it('restart policies', () => {
    assert.deepEqual(parseRestartPolicy('unless-stopped'), { Name: 'unless-stopped', MaximumRetryCount: 0 });
    assert.deepEqual(parseRestartPolicy('on-failure:3'), { Name: 'on-failure', MaximumRetryCount: 3 });
    assert.deepEqual(parseRestartPolicy(''), { Name: '', MaximumRetryCount: 0 });
    assert.throws(() => parseRestartPolicy(':3'), { message: 'invalid restart policy format: no policy provided before colon' });
    assert.throws(() => parseRestartPolicy('on-failure:x'), { message: 'invalid restart policy format: maximum retry count must be an integer' });
  });
});

describe('docker-container options', () => {
  it('defaults', () => {
    assert.deepEqual(parseContainerOptions({}), {
      memory: 0, memorySwap: 0, cpuPeriod: 0, cpuQuota: 0, cpuShares: 0,
      restartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 }, env: [],
      defaultLoad: false, provenanceAddGHA: true, allowUntrustedImage: false,
    });
  });

  it('reads every documented option', () => {
    const o = parseContainerOptions({
      image: 'moby/buildkit:v0.32.2', network: 'host', memory: '512m', 'memory-swap': '-1', 'cpu-period': '100000',
      'cpu-quota': '50000', 'cpu-shares': '512', 'cpuset-cpus': '0-1', 'cpuset-mems': '0', 'cgroup-parent': '/custom',
      'restart-policy': 'always', 'default-load': 'true', 'env.FOO': 'bar', 'env.EMPTY': '', 'provenance-add-gha': 'false',
      'allow-untrusted-image': '1',
    });
    assert.deepEqual(o, {
      image: 'moby/buildkit:v0.32.2', network: 'host', memory: 512 * 1024 ** 2, memorySwap: -1, cpuPeriod: 100000,
      cpuQuota: 50000, cpuShares: 512, cpusetCpus: '0-1', cpusetMems: '0', cgroupParent: '/custom',
      restartPolicy: { Name: 'always', MaximumRetryCount: 0 }, defaultLoad: true, env: ['FOO=bar', 'EMPTY='],
      provenanceAddGHA: false, allowUntrustedImage: true,
    });
  });

  it("fails like buildx on unknown keys and bad values", async () => {
    const factory = await getFactory('docker-container');
    const create = (driverOpts: Record<string, string>) => factory.create({ name: 'n0', endpoint: 'unix:///var/run/docker.sock', driverOpts });
    await assert.rejects(create({ bogus: '1' }), { message: 'invalid driver option bogus for docker-container driver' });
    await assert.rejects(create({ 'env.': 'x' }), { message: 'invalid env option "env.", expecting env.FOO=bar' });
    await assert.rejects(create({ 'default-load': 'maybe' }), { message: 'strconv.ParseBool: parsing "maybe": invalid syntax' });
    await assert.rejects(create({ 'cpu-shares': 'lots' }), { message: 'strconv.ParseInt: parsing "lots": invalid syntax' });
    await assert.rejects(create({ memory: '1q' }), { message: "invalid suffix: 'q'" });
    // Valid options never reach the engine: creating a driver is pure.
    const d = await create({ network: 'host', 'default-load': 'true' });
    assert.equal(d.name, 'docker-container');
    assert.deepEqual([...await d.features()].sort(), ['Cache export', 'Default load', 'Direct push', 'Docker exporter', 'Multi-platform build', 'OCI exporter']);
    assert.equal((await create({})).isMobyDriver, false);
    assert.equal((await (await create({})).features()).has('Default load'), false);
  });
});

describe('the builder container', () => {
  it('is named after the node, with a state volume', () => {
    assert.equal(containerName('mybuilder0'), 'buildx_buildkit_mybuilder0');
    assert.equal(stateVolumeName('mybuilder0'), 'buildx_buildkit_mybuilder0_state');
  });

  it('runs buildkitd with the stored flags, --config first when a config is stored', () => {
    assert.deepEqual(buildkitdCmd(['--debug'], undefined), ['--debug']);
    assert.deepEqual(buildkitdCmd(undefined, undefined), []);
    assert.deepEqual(buildkitdCmd(['--debug', '--allow-insecure-entitlement=network.host'], { 'buildkitd.toml': TOML_B64 }),
      ['--config', '/etc/buildkit/buildkitd.toml', '--debug', '--allow-insecure-entitlement=network.host']);
    assert.deepEqual(buildkitdCmd([], { 'certs/x/ca.pem': 'eA==' }), []);
  });

  it('matches the create body reference buildx sends', () => {
    // `create --driver-opt network=host,env.FOO=bar,memory=512m --buildkitd-flags --debug --buildkitd-config …`
    // on a cgroupfs engine; the container reference buildx made shows these fields.
    const cfg = {
      name: 'dcref0', endpoint: 'unix:///var/run/docker.sock',
      driverOpts: { network: 'host', 'env.FOO': 'bar', memory: '512m' },
      flags: ['--debug', '--allow-insecure-entitlement=network.host'], files: { 'buildkitd.toml': TOML_B64 },
    };
    assert.deepEqual(containerCreateBody(cfg, parseContainerOptions(cfg.driverOpts), CGROUPFS), {
      Image: 'moby/buildkit:buildx-stable-1',
      Env: ['FOO=bar'],
      Cmd: ['--config', '/etc/buildkit/buildkitd.toml', '--debug', '--allow-insecure-entitlement=network.host'],
      HostConfig: {
        Privileged: true,
        Init: true,
        RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
        Mounts: [{ Type: 'volume', Source: 'buildx_buildkit_dcref0_state', Target: '/var/lib/buildkit' }],
        NetworkMode: 'host',
        Memory: 536870912,
        CgroupParent: '/docker/buildx',
      },
    });
  });

  it('sets resources, cgroup parent, userns and GPUs from options and engine facts', () => {
    const o = parseContainerOptions({
      'memory-swap': '1g', 'cpu-period': '100000', 'cpu-quota': '50000', 'cpu-shares': '256', 'cpuset-cpus': '0',
      'cpuset-mems': '0', 'cgroup-parent': '/mine', 'restart-policy': 'on-failure:2', image: 'my/buildkit',
    });
    const cfg = { name: 'b0', endpoint: 'default', driverOpts: {} };
    const b = containerCreateBody(cfg, o, { cgroupDriver: 'cgroupfs', userns: true, gpus: true });
    assert.equal(b.Image, 'my/buildkit');
    assert.equal(b.Cmd, undefined);
    assert.equal(b.Env, undefined);
    assert.deepEqual(b.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
    assert.equal(b.HostConfig.MemorySwap, 1024 ** 3);
    assert.equal(b.HostConfig.Memory, undefined);
    assert.equal(b.HostConfig.CpuPeriod, 100000);
    assert.equal(b.HostConfig.CpuQuota, 50000);
    assert.equal(b.HostConfig.CpuShares, 256);
    assert.equal(b.HostConfig.CpusetCpus, '0');
    assert.equal(b.HostConfig.CpusetMems, '0');
    assert.equal(b.HostConfig.CgroupParent, '/mine');
    assert.equal(b.HostConfig.UsernsMode, 'host');
    assert.deepEqual(b.HostConfig.DeviceRequests, [{ Driver: '', Count: -1, DeviceIDs: null, Capabilities: [['gpu']], Options: {} }]);
    // systemd engines manage cgroups themselves: no parent, not even a requested one (as buildx).
    const sd = containerCreateBody(cfg, o, { cgroupDriver: 'systemd', userns: false, gpus: false });
    assert.equal(sd.HostConfig.CgroupParent, undefined);
    assert.equal(sd.HostConfig.UsernsMode, undefined);
    assert.equal(sd.HostConfig.DeviceRequests, undefined);
  });

  it('reads the version buildkitd prints', () => {
    assert.equal(parseBuildkitdVersion('buildkitd github.com/moby/buildkit v0.32.2 30ba6b9\n'), 'v0.32.2');
    assert.equal(parseBuildkitdVersion('buildkitd github.com/moby/buildkit v0.32.2 \n'), 'v0.32.2');
    assert.throws(() => parseBuildkitdVersion('oops'), /unexpected version format: oops/);
  });
});
