// kubernetes driver options: processDriverOpts' defaults, every key, its quirks and Go's messages (the
// expected texts are what buildx v0.36.1's own code returned for the same input).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deploymentName } from '../../../../src/drivers/kubernetes/manifest.js';
import {
  DEFAULT_IMAGE, DEFAULT_QEMU_IMAGE, DEFAULT_ROOTLESS_IMAGE, DEFAULT_TIMEOUT_MS, parseKubernetesOptions,
  parseTolerations, splitMultiValues,
} from '../../../../src/drivers/kubernetes/options.js';
import { parseGoDurationNs } from '../../../../src/util/go-duration.js';
import { BuildxError } from '../../../../src/util/errors.js';

const parse = (driverOpts: Record<string, string>, name = 'mynode0') => parseKubernetesOptions({ name, driverOpts }, 'kube-ns');

function fails(driverOpts: Record<string, string>, message: string): void {
  assert.throws(() => parse(driverOpts), (err: unknown) => {
    assert.ok(err instanceof BuildxError, `${JSON.stringify(driverOpts)}: not a BuildxError`);
    assert.equal(err.message, message);
    return true;
  });
}

describe('kubernetes options: defaults and names', () => {
  it('has buildx defaults', () => {
    assert.equal(DEFAULT_IMAGE, 'moby/buildkit:buildx-stable-1');
    assert.equal(DEFAULT_ROOTLESS_IMAGE, 'moby/buildkit:buildx-stable-1-rootless');
    assert.equal(DEFAULT_QEMU_IMAGE, 'tonistiigi/binfmt:latest');
    assert.equal(DEFAULT_TIMEOUT_MS, 120_000);
    assert.deepEqual(parse({}), {
      deployment: {
        name: 'mynode0', image: 'moby/buildkit:buildx-stable-1', replicas: 1,
        qemu: { install: false, image: 'tonistiigi/binfmt:latest' }, rootless: false,
      },
      namespace: 'kube-ns', loadbalance: 'sticky', defaultLoad: false, timeoutMs: 120_000,
    });
  });

  it('passes the node flags, files and platforms on', () => {
    const files = { 'buildkitd.toml': 'eA==' };
    const platforms = [{ os: 'linux', architecture: 'arm64', variant: 'v8' }];
    const o = parseKubernetesOptions({ name: 'n', driverOpts: {}, flags: ['--debug'], files, platforms }, 'default');
    assert.deepEqual(o.deployment.buildkitFlags, ['--debug']);
    assert.deepEqual(o.deployment.configFiles, files);
    assert.deepEqual(o.deployment.platforms, platforms);
    assert.equal(o.deployment.namespace, undefined, 'buildx never puts the namespace into the objects');
  });

  it('names the deployment after the node', () => {
    assert.equal(deploymentName('buildx_buildkit_loving_mendeleev0'), 'loving-mendeleev0');
    assert.equal(deploymentName('loving_mendeleev0'), 'loving-mendeleev0');
    assert.equal(deploymentName('buildkit-1234-abcde'), 'buildkit-1234-abcde');
    assert.equal(deploymentName('x_buildx_buildkit_y'), 'x-buildx-buildkit-y');
    assert.equal(parse({}, 'buildx_buildkit_my_node_1').deployment.name, 'my-node-1');
  });
});

describe('kubernetes options: every key', () => {
  it('reads them all', () => {
    const o = parse({
      image: 'my/buildkit:1', namespace: 'builds', replicas: '3', 'requests.cpu': '500m', 'requests.memory': '1Gi',
      'requests.ephemeral-storage': '2G', 'persistent-volume-claim.requests.storage': '10Gi', 'limits.cpu': '2',
      'limits.memory': '4Gi', 'limits.ephemeral-storage': '5G', schedulername: 'sched', serviceaccount: 'sa',
      nodeselector: 'kubernetes.io/arch=arm64,pool=build', annotations: 'a=1', labels: 'team=ci',
      tolerations: 'key=k,operator=Equal,value=v,effect=NoSchedule,tolerationSeconds=30', loadbalance: 'random',
      'qemu.install': 'true', 'qemu.image': 'my/binfmt', 'buildkit-root-volume-memory': '1Gi', 'default-load': 'true',
      timeout: '1m30.5s', 'env.FOO': 'bar',
    });
    assert.deepEqual(o, {
      deployment: {
        name: 'mynode0', image: 'my/buildkit:1', replicas: 3, qemu: { install: true, image: 'my/binfmt' }, rootless: false,
        requestsCPU: '500m', requestsMemory: '1Gi', requestsEphemeralStorage: '2G', requestsPersistentStorage: '10Gi',
        limitsCPU: '2', limitsMemory: '4Gi', limitsEphemeralStorage: '5G', schedulerName: 'sched', serviceAccountName: 'sa',
        nodeSelector: { 'kubernetes.io/arch': 'arm64', pool: 'build' }, customAnnotations: { a: '1' }, customLabels: { team: 'ci' },
        tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule', tolerationSeconds: 30 }],
        buildkitRootVolumeMemory: '1Gi', env: [{ name: 'FOO', value: 'bar' }],
      },
      namespace: 'builds', loadbalance: 'random', defaultLoad: true, timeoutMs: 90_500,
    });
  });

  it('switches to the rootless image unless an image key is given, even for rootless=false', () => {
    assert.deepEqual([parse({ rootless: 'true' }).deployment.image, parse({ rootless: 'true' }).deployment.rootless],
      [DEFAULT_ROOTLESS_IMAGE, true]);
    assert.deepEqual([parse({ rootless: 'false' }).deployment.image, parse({ rootless: 'false' }).deployment.rootless],
      [DEFAULT_ROOTLESS_IMAGE, false]);
    assert.equal(parse({ rootless: '1', image: 'x/y' }).deployment.image, 'x/y');
    // the key's presence is what counts: an empty image keeps the (non-rootless) default
    assert.equal(parse({ rootless: 'true', image: '' }).deployment.image, DEFAULT_IMAGE);
  });

  it('ignores empty image, qemu.image and buildkit-root-volume-memory', () => {
    const o = parse({ image: '', 'qemu.image': '', 'buildkit-root-volume-memory': '' });
    assert.equal(o.deployment.image, DEFAULT_IMAGE);
    assert.equal(o.deployment.qemu.image, DEFAULT_QEMU_IMAGE);
    assert.equal(o.deployment.buildkitRootVolumeMemory, undefined);
  });

  it('takes an empty namespace as given', () => {
    assert.equal(parse({ namespace: '' }).namespace, '');
  });

  it('reads replicas as a 32-bit integer', () => {
    assert.equal(parse({ replicas: '+3' }).deployment.replicas, 3);
    assert.equal(parse({ replicas: '-2' }).deployment.replicas, -2);
    assert.equal(parse({ replicas: '2147483647' }).deployment.replicas, 2147483647);
    fails({ replicas: 'x' }, 'strconv.ParseInt: parsing "x": invalid syntax');
    fails({ replicas: '' }, 'strconv.ParseInt: parsing "": invalid syntax');
    fails({ replicas: '1.5' }, 'strconv.ParseInt: parsing "1.5": invalid syntax');
    fails({ replicas: '2147483648' }, 'strconv.ParseInt: parsing "2147483648": value out of range');
    fails({ replicas: '-2147483649' }, 'strconv.ParseInt: parsing "-2147483649": value out of range');
    fails({ replicas: '99999999999999999999' }, 'strconv.ParseInt: parsing "99999999999999999999": value out of range');
  });

  it('reads booleans with ParseBool', () => {
    assert.equal(parse({ 'qemu.install': 'T' }).deployment.qemu.install, true);
    assert.equal(parse({ 'default-load': 'FALSE' }).defaultLoad, false);
    fails({ rootless: 'yes' }, 'strconv.ParseBool: parsing "yes": invalid syntax');
    fails({ 'qemu.install': 'no' }, 'strconv.ParseBool: parsing "no": invalid syntax');
    fails({ 'default-load': '' }, 'strconv.ParseBool: parsing "": invalid syntax');
  });

  it('accepts only sticky and random load balancing', () => {
    assert.equal(parse({ loadbalance: 'sticky' }).loadbalance, 'sticky');
    assert.equal(parse({ loadbalance: 'random' }).loadbalance, 'random');
    fails({ loadbalance: 'Sticky' }, 'invalid loadbalance "Sticky"');
    fails({ loadbalance: '' }, 'invalid loadbalance ""');
  });

  it('keeps sizes as typed: they are checked when the objects are built', () => {
    assert.equal(parse({ 'requests.cpu': 'lots' }).deployment.requestsCPU, 'lots');
  });

  it('adds env.* variables in key order, empty values included', () => {
    assert.deepEqual(parse({ 'env.B': '2', 'env.A': '', 'env.C': 'x=y' }).deployment.env,
      [{ name: 'A', value: '' }, { name: 'B', value: '2' }, { name: 'C', value: 'x=y' }]);
    fails({ 'env.': 'x' }, 'invalid env option "env.", expecting env.FOO=bar');
  });

  it('rejects unknown keys, prototype names included', () => {
    fails({ bogus: '1' }, 'invalid driver option bogus for driver kubernetes');
    fails({ toString: '1' }, 'invalid driver option toString for driver kubernetes');
    fails({ env: 'x' }, 'invalid driver option env for driver kubernetes');
    fails({ Image: 'x' }, 'invalid driver option Image for driver kubernetes');
  });

  it('reports the first bad key in sorted order', () => {
    fails({ zzz: '1', replicas: 'x', aaa: '1' }, 'invalid driver option aaa for driver kubernetes');
    fails({ timeout: 'x', replicas: 'y' }, 'strconv.ParseInt: parsing "y": invalid syntax');
  });
});

describe('kubernetes options: timeout', () => {
  it('reads Go durations', () => {
    const cases: [string, number][] = [
      ['1m30.5s', 90_500], ['1.5h', 5_400_000], ['-3ms', -3], ['0', 0], ['+0', 0], ['-0', 0], ['1.s', 1000],
      ['1.000000001s', 1000.000001], ['.5us', 0.0005], ['1.5µs', 0.0015], ['1.5μs', 0.0015], ['2h45m', 9_900_000],
    ];
    for (const [text, ms] of cases) assert.equal(parse({ timeout: text }).timeoutMs, ms, text);
    assert.equal(parseGoDurationNs('2562047h47m16.854775807s'), 2n ** 63n - 1n);
    assert.equal(parseGoDurationNs('-2562047h47m16.854775808s'), -(2n ** 63n));
    assert.equal(parseGoDurationNs('0.123456789123456789123456789s'), 123456789n);
    assert.equal(parseGoDurationNs('9223372036854775807ns'), 2n ** 63n - 1n);
    // fraction digits past what a uint64 holds are dropped before the float64 step, as in Go
    assert.equal(parseGoDurationNs('1.999999999999999988999999991m'), 119999999999n);
  });

  it("fails with time.ParseDuration's messages, wrapped", () => {
    const cases: [string, string][] = [
      ['x', 'time: invalid duration "x"'],
      ['', 'time: invalid duration ""'],
      ['-', 'time: invalid duration "-"'],
      ['.s', 'time: invalid duration ".s"'],
      ['1', 'time: missing unit in duration "1"'],
      ['5s5', 'time: missing unit in duration "5s5"'],
      ['1..5s', 'time: missing unit in duration "1..5s"'],
      ['1x', 'time: unknown unit "x" in duration "1x"'],
      ['1"s', 'time: unknown unit "\\"s" in duration "1\\"s"'],
      ['1µx', 'time: unknown unit "\\xc2\\xb5x" in duration "1\\xc2\\xb5x"'],
      ['1é', 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"'],
      ['µs', 'time: invalid duration "\\xc2\\xb5s"'],
      ['99999999999999999999s', 'time: invalid duration "99999999999999999999s"'],
      ['99999999999999999999x', 'time: invalid duration "99999999999999999999x"'],
      ['3000000h', 'time: invalid duration "3000000h"'],
      ['2562047h47m16.854775808s', 'time: invalid duration "2562047h47m16.854775808s"'],
      ['-2562047h47m16.854775808s1ns', 'time: invalid duration "-2562047h47m16.854775808s1ns"'],
      ['2562047h2562047h', 'time: invalid duration "2562047h2562047h"'],
    ];
    for (const [text, cause] of cases) fails({ timeout: text }, `cannot parse timeout: ${cause}`);
  });
});

describe('kubernetes options: key=value lists', () => {
  it('splits and trims surrounding quotes', () => {
    assert.deepEqual(splitMultiValues('a=b,c=d'), { a: 'b', c: 'd' });
    assert.deepEqual(splitMultiValues('""a=b,c=d"'), { a: 'b', c: 'd' });
    assert.deepEqual(splitMultiValues('a=1,a=2'), { a: '2' });
    assert.deepEqual(splitMultiValues('a='), { a: '' });
    assert.deepEqual(splitMultiValues('=x'), { '': 'x' });
    assert.deepEqual(Object.keys(splitMultiValues('__proto__=x')), ['__proto__']);
  });

  it('names the option in its errors', () => {
    fails({ nodeselector: 'x' }, 'cannot parse node selector: invalid key-value pair: x');
    fails({ nodeselector: '' }, 'cannot parse node selector: invalid key-value pair: ');
    fails({ annotations: 'a=b,' }, 'cannot parse annotations: invalid key-value pair: ');
    fails({ labels: 'a=b=c' }, 'cannot parse labels: invalid key-value pair: a=b=c');
    fails({ labels: '""' }, 'cannot parse labels: invalid key-value pair: ');
  });
});

describe('kubernetes options: tolerations', () => {
  it('reads every field, several tolerations separated by ;', () => {
    assert.deepEqual(parseTolerations('key=k,operator=Equal,value=v,effect=NoSchedule,tolerationSeconds=30;operator=Exists'), [
      { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule', tolerationSeconds: 30 },
      { operator: 'Exists' },
    ]);
    assert.deepEqual(parseTolerations('tolerationSeconds=+5'), [{ tolerationSeconds: 5 }]);
  });

  it('silently skips items without exactly one =', () => {
    assert.deepEqual(parseTolerations('key,value=1'), [{ value: '1' }]);
    assert.deepEqual(parseTolerations('key=a=b,value=x'), [{ value: 'x' }]);
    assert.deepEqual(parseTolerations('foo'), [{}]);
  });

  it('makes an empty toleration of every empty item', () => {
    assert.deepEqual(parseTolerations(''), [{}]);
    assert.deepEqual(parseTolerations('key=a;'), [{ key: 'a' }, {}]);
    assert.deepEqual(parse({ tolerations: '' }).deployment.tolerations, [{}]);
  });

  it('keeps the last value and empty values of a field', () => {
    assert.deepEqual(parseTolerations('key=a,key='), [{ key: '' }]);
  });

  it('fails with the whole value (and buildx spelling) for an unknown field', () => {
    fails({ tolerations: 'foo=bar' }, 'invalid tolaration "foo=bar"');
    fails({ tolerations: 'key=a;weird=1' }, 'invalid tolaration "key=a;weird=1"');
    fails({ tolerations: 'Key=a' }, 'invalid tolaration "Key=a"');
  });

  it('reads tolerationSeconds with Atoi', () => {
    fails({ tolerations: 'tolerationSeconds=x' }, 'strconv.Atoi: parsing "x": invalid syntax');
    fails({ tolerations: 'tolerationSeconds=' }, 'strconv.Atoi: parsing "": invalid syntax');
    fails({ tolerations: 'tolerationSeconds=99999999999999999999' }, 'strconv.Atoi: parsing "99999999999999999999": value out of range');
  });
});
