// The objects of a kubernetes builder node, field for field. The expected objects are what buildx v0.36.1's
// manifest.NewDeployment marshalled for the same options, less the server-owned `status` and the null
// `creationTimestamp` Go's JSON adds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container, V1Deployment, V1PodSpec } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import {
  ANNOTATION_PLATFORM, buildObjects, LABEL_APP, type KubernetesObjects, type PlatformSpec,
} from '../../../../src/drivers/kubernetes/manifest.js';
import { parseKubernetesOptions } from '../../../../src/drivers/kubernetes/options.js';
import { BuildxError } from '../../../../src/util/errors.js';

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

interface Extra {
  flags?: string[];
  files?: Record<string, string>;
  platforms?: PlatformSpec[];
}

function objects(driverOpts: Record<string, string>, extra: Extra = {}): KubernetesObjects {
  return buildObjects(parseKubernetesOptions({ name: 'buildx_buildkit_my_node0', driverOpts, ...extra }, 'default').deployment);
}

const probe = () => ({
  exec: { command: ['buildctl', 'debug', 'workers'] },
  initialDelaySeconds: 5, timeoutSeconds: 60, periodSeconds: 30, successThreshold: 1, failureThreshold: 3,
});

function defaultDeployment(): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'my-node0', labels: { app: 'my-node0' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'my-node0' } },
      template: {
        metadata: { labels: { app: 'my-node0' } },
        spec: {
          containers: [{
            name: 'buildkitd',
            image: 'moby/buildkit:buildx-stable-1',
            resources: {},
            livenessProbe: probe(),
            readinessProbe: probe(),
            securityContext: { privileged: true },
          }],
        },
      },
      strategy: {},
    },
  };
}

const podOf = (o: { spec?: { template: { spec?: V1PodSpec } } } | undefined): V1PodSpec => o!.spec!.template.spec!;
const buildkitd = (o: KubernetesObjects): V1Container => podOf(o.deployment ?? o.statefulSet).containers[0]!;

function throwsBuildx(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => err instanceof BuildxError && err.message === message, message);
}

describe('kubernetes objects', () => {
  it('exports the reserved names', () => {
    assert.equal(LABEL_APP, 'app');
    assert.equal(ANNOTATION_PLATFORM, 'buildx.docker.com/platform');
  });

  it('default: one privileged buildkitd with probes, no namespace in the object', () => {
    assert.deepEqual(objects({}), { deployment: defaultDeployment(), configMaps: [] });
  });

  it('passes the buildkitd flags as args', () => {
    const want = defaultDeployment();
    podOf(want).containers[0]!.args = ['--debug', '--allow-insecure-entitlement=network.host'];
    assert.deepEqual(objects({}, { flags: ['--debug', '--allow-insecure-entitlement=network.host'] }).deployment, want);
    assert.equal(buildkitd(objects({}, { flags: [] })).args, undefined);
  });

  it('puts the namespace in the metadata only when the options carry one', () => {
    const opt = parseKubernetesOptions({ name: 'n', driverOpts: {}, files: { 'buildkitd.toml': b64('x') } }, 'ns').deployment;
    const o = buildObjects({ ...opt, namespace: 'ns' });
    assert.equal(o.deployment!.metadata!.namespace, 'ns');
    assert.equal(o.configMaps[0]!.metadata!.namespace, 'ns');
    assert.equal(o.deployment!.spec!.template.metadata!.namespace, undefined);
  });

  it('rootless: sandbox flag, seccomp only, AppArmor annotation everywhere, state in an emptyDir', () => {
    const want = defaultDeployment();
    const annotations = { 'container.apparmor.security.beta.kubernetes.io/buildkitd': 'unconfined' };
    want.metadata!.annotations = annotations;
    want.spec!.template.metadata!.annotations = annotations;
    podOf(want).volumes = [{ name: 'buildkitd', emptyDir: {} }];
    Object.assign(podOf(want).containers[0]!, {
      image: 'moby/buildkit:buildx-stable-1-rootless',
      args: ['--debug', '--oci-worker-no-process-sandbox'],
      volumeMounts: [{ name: 'buildkitd', mountPath: '/home/user/.local/share/buildkit' }],
      securityContext: { seccompProfile: { type: 'Unconfined' } },
    });
    const o = objects({ rootless: 'true' }, { flags: ['--debug'], files: { 'buildkitd.toml': b64('x') } });
    // the pod template and the object share one annotations map in Go, and so does each ConfigMap
    assert.deepEqual(o.configMaps[0]!.metadata!.annotations, annotations);
    podOf(want).volumes!.unshift({ name: 'config', configMap: { name: 'my-node0-config' } });
    podOf(want).containers[0]!.volumeMounts!.unshift({ name: 'config', mountPath: '/etc/buildkit' });
    assert.deepEqual(o.deployment, want);
  });

  it('rootless with buildkit-root-volume-memory: the emptyDir moves to memory', () => {
    const o = objects({ rootless: 'true', 'buildkit-root-volume-memory': '1024Mi' });
    assert.deepEqual(podOf(o.deployment).volumes, [{ name: 'buildkitd', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }]);
    assert.deepEqual(buildkitd(o).volumeMounts, [{ name: 'buildkitd', mountPath: '/home/user/.local/share/buildkit' }]);
  });

  it('buildkit-root-volume-memory without rootless: /var/lib/buildkit in memory', () => {
    const want = defaultDeployment();
    podOf(want).volumes = [{ name: 'buildkit-memory', emptyDir: { medium: 'Memory', sizeLimit: '1536Mi' } }];
    podOf(want).containers[0]!.volumeMounts = [{ name: 'buildkit-memory', mountPath: '/var/lib/buildkit' }];
    assert.deepEqual(objects({ 'buildkit-root-volume-memory': '1.5Gi' }).deployment, want);
  });

  it('qemu.install: a privileged binfmt init container', () => {
    const qemu = { name: 'qemu', image: 'tonistiigi/binfmt:latest', args: ['--install', 'all'], resources: {}, securityContext: { privileged: true } };
    assert.deepEqual(podOf(objects({ 'qemu.install': 'true' }).deployment).initContainers, [qemu]);
    assert.deepEqual(podOf(objects({ 'qemu.install': '1', 'qemu.image': 'my/binfmt:1' }).deployment).initContainers, [{ ...qemu, image: 'my/binfmt:1' }]);
    assert.equal(podOf(objects({ 'qemu.image': 'my/binfmt:1' }).deployment).initContainers, undefined);
    // rootless keeps qemu privileged
    assert.deepEqual(podOf(objects({ 'qemu.install': 'true', rootless: 'true' }).deployment).initContainers![0]!.securityContext, { privileged: true });
  });

  it('config files: one ConfigMap per directory, subdirectories numbered in sorted order', () => {
    const files = {
      'buildkitd.toml': b64('[worker.oci]\n  gc = false\n'),
      'certs/zeta.io/ca.pem': b64('Z'),
      'certs/alpha.io/key.pem': b64('KEY'),
      'certs/alpha.io/ca.pem': b64('CA'),
    };
    const o = objects({ annotations: 'team=ci' }, { files, platforms: [{ os: 'linux', architecture: 'amd64' }] });
    const annotations = { [ANNOTATION_PLATFORM]: 'linux/amd64', team: 'ci' };
    assert.deepEqual(o.configMaps, [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'my-node0-config', annotations }, data: { 'buildkitd.toml': '[worker.oci]\n  gc = false\n' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'my-node0-config-1', annotations }, data: { 'ca.pem': 'CA', 'key.pem': 'KEY' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'my-node0-config-2', annotations }, data: { 'ca.pem': 'Z' } },
    ]);
    assert.deepEqual(podOf(o.deployment).volumes, [
      { name: 'config', configMap: { name: 'my-node0-config' } },
      { name: 'config-1', configMap: { name: 'my-node0-config-1' } },
      { name: 'config-2', configMap: { name: 'my-node0-config-2' } },
    ]);
    assert.deepEqual(buildkitd(o).volumeMounts, [
      { name: 'config', mountPath: '/etc/buildkit' },
      { name: 'config-1', mountPath: '/etc/buildkit/certs/alpha.io' },
      { name: 'config-2', mountPath: '/etc/buildkit/certs/zeta.io' },
    ]);
    assert.deepEqual(objects({}, { files: { 'certs/x/ca.pem': b64('C') } }).configMaps.map((c) => c.metadata!.name), ['my-node0-config-1']);
  });

  it('config files: bytes that are not UTF-8 become U+FFFD one byte at a time, as Go JSON writes them', () => {
    const bytes = Buffer.from([0x41, 0xe2, 0x82, 0x41, 0xff, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0, 0x80]);
    const o = objects({}, { files: { 'certs/x/bin': b64(bytes) } });
    assert.equal(o.configMaps[0]!.data!.bin, 'A\uFFFD\uFFFDA\uFFFD\u{1F600}\uFFFD\uFFFD\uFFFD');
  });

  it('persistent-volume-claim.requests.storage: a StatefulSet whose claim replaces every mount', () => {
    const o = objects({ 'persistent-volume-claim.requests.storage': '10Gi', 'buildkit-root-volume-memory': '2Gi' }, { files: { 'buildkitd.toml': b64('x') } });
    const base = defaultDeployment();
    podOf(base).volumes = [
      { name: 'config', configMap: { name: 'my-node0-config' } },
      { name: 'buildkit-memory', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } },
    ];
    podOf(base).containers[0]!.volumeMounts = [{ name: 'buildkitd', mountPath: '/var/lib/buildkit' }];
    assert.equal(o.deployment, undefined);
    assert.deepEqual(o.statefulSet, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: base.metadata,
      spec: {
        replicas: 1,
        selector: base.spec!.selector,
        template: base.spec!.template,
        volumeClaimTemplates: [{
          metadata: { name: 'buildkitd' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
        }],
        serviceName: 'buildkitd',
        podManagementPolicy: 'Parallel',
        updateStrategy: {},
      },
    });
    assert.equal(o.configMaps.length, 1);
  });

  it('persistent storage with rootless keeps the rootless mounts', () => {
    const o = objects({ 'persistent-volume-claim.requests.storage': '10G', rootless: 'true', replicas: '2' });
    assert.equal(o.statefulSet!.spec!.replicas, 2);
    assert.deepEqual(buildkitd(o).volumeMounts, [{ name: 'buildkitd', mountPath: '/home/user/.local/share/buildkit' }]);
    assert.deepEqual(o.statefulSet!.spec!.volumeClaimTemplates![0]!.spec!.resources, { requests: { storage: '10G' } });
  });

  it('scheduling, metadata, env and resources', () => {
    const o = objects({
      nodeselector: 'pool=build,kubernetes.io/arch=arm64',
      tolerations: 'key=k,operator=Equal,value=v,effect=NoSchedule,tolerationSeconds=30;key=,operator=Exists;',
      labels: 'team=ci,tier=build', annotations: '"z=1,a=2"', 'env.B': '2', 'env.A': '',
      schedulername: 'sched', serviceaccount: 'sa', replicas: '3',
      'requests.cpu': '0.5', 'requests.memory': '1024Mi', 'limits.cpu': '1000m', 'limits.memory': '1.5Gi',
      'requests.ephemeral-storage': '1000M',
    }, { platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: '', architecture: 'x' }] });
    const d = o.deployment!;
    const labels = { app: 'my-node0', team: 'ci', tier: 'build' };
    const annotations = { a: '2', [ANNOTATION_PLATFORM]: 'linux/amd64,linux/arm64/v8,unknown', z: '1' };
    assert.deepEqual(d.metadata, { name: 'my-node0', labels, annotations });
    assert.deepEqual(d.spec!.selector, { matchLabels: labels });
    assert.deepEqual(d.spec!.template.metadata, { labels, annotations });
    assert.equal(d.spec!.replicas, 3);
    const pod = podOf(d);
    assert.deepEqual(pod.nodeSelector, { 'kubernetes.io/arch': 'arm64', pool: 'build' });
    assert.deepEqual(pod.tolerations, [
      { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule', tolerationSeconds: 30 },
      { operator: 'Exists' },
      {},
    ]);
    assert.equal(pod.schedulerName, 'sched');
    assert.equal(pod.serviceAccountName, 'sa');
    assert.deepEqual(buildkitd(o).env, [{ name: 'A' }, { name: 'B', value: '2' }]);
    // requests.ephemeral-storage lands in the limits, as buildx writes it
    assert.deepEqual(buildkitd(o).resources, {
      limits: { cpu: '1', 'ephemeral-storage': '1G', memory: '1536Mi' },
      requests: { cpu: '500m', memory: '1Gi' },
    });
    assert.deepEqual(Object.keys(pod.nodeSelector!), ['kubernetes.io/arch', 'pool'], 'keys in Go order');
  });

  it('limits.ephemeral-storage wins over requests.ephemeral-storage', () => {
    assert.deepEqual(buildkitd(objects({ 'requests.ephemeral-storage': '1G', 'limits.ephemeral-storage': '2G' })).resources,
      { limits: { 'ephemeral-storage': '2G' } });
  });

  it('keeps sizes buildx keeps as typed', () => {
    assert.deepEqual(buildkitd(objects({ 'requests.cpu': '+1', 'limits.cpu': '1.500' })).resources, { limits: { cpu: '1.500' }, requests: { cpu: '+1' } });
  });

  it('rejects the reserved annotation and label', () => {
    throwsBuildx(() => objects({ annotations: 'buildx.docker.com/platform=x' }), 'the annotation "buildx.docker.com/platform" is reserved and cannot be customized');
    throwsBuildx(() => objects({ labels: 'app=x' }), 'the label "app" is reserved and cannot be customized');
    // annotations are checked first
    throwsBuildx(() => objects({ labels: 'app=x', annotations: 'buildx.docker.com/platform=x' }), 'the annotation "buildx.docker.com/platform" is reserved and cannot be customized');
  });

  it('lets a custom annotation be overridden by the rootless one', () => {
    const o = objects({ rootless: 'true', annotations: 'container.apparmor.security.beta.kubernetes.io/buildkitd=runtime/default' });
    assert.equal(o.deployment!.metadata!.annotations!['container.apparmor.security.beta.kubernetes.io/buildkitd'], 'unconfined');
  });

  it('fails on the first bad size in the order buildx parses them', () => {
    const format = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    throwsBuildx(() => objects({ 'requests.cpu': 'lots' }), format);
    throwsBuildx(() => objects({ 'limits.memory': '1K' }), "unable to parse quantity's suffix");
    throwsBuildx(() => objects({ 'persistent-volume-claim.requests.storage': '.Ei' }), 'unable to parse numeric part of quantity');
    throwsBuildx(() => objects({ 'buildkit-root-volume-memory': 'x' }), format);
    // rootless parses the memory size before the resources, non-rootless after them
    throwsBuildx(() => objects({ rootless: 'true', 'buildkit-root-volume-memory': 'e', 'requests.cpu': 'x' }), "unable to parse quantity's suffix");
    throwsBuildx(() => objects({ 'buildkit-root-volume-memory': 'e', 'requests.cpu': 'x' }), format);
    throwsBuildx(() => objects({ 'limits.cpu': '1K', 'requests.memory': 'x' }), format);
    throwsBuildx(() => objects({ 'persistent-volume-claim.requests.storage': 'x', 'limits.cpu': '1K' }), "unable to parse quantity's suffix");
  });

  it('survives the client library serializer unchanged', () => {
    const o = objects({
      rootless: 'true', 'qemu.install': 'true', 'buildkit-root-volume-memory': '1Gi', tolerations: 'key=k,tolerationSeconds=5',
      nodeselector: 'a=b', 'env.FOO': 'bar', 'requests.cpu': '1', 'persistent-volume-claim.requests.storage': '1Gi',
    }, { files: { 'buildkitd.toml': b64('x'), 'certs/h/ca.pem': b64('y') }, flags: ['--debug'] });
    const roundTrip = (v: unknown, type: string) => JSON.parse(JSON.stringify(ObjectSerializer.serialize(v, type, '')));
    assert.deepEqual(roundTrip(o.statefulSet, 'V1StatefulSet'), JSON.parse(JSON.stringify(o.statefulSet)));
    for (const c of o.configMaps) assert.deepEqual(roundTrip(c, 'V1ConfigMap'), c);
    const d = objects({}).deployment;
    assert.deepEqual(roundTrip(d, 'V1Deployment'), d);
  });
});
