// The kubernetes driver on the real single-node cluster provisioning starts: BuildKit Deployments and
// StatefulSets the driver creates, builds through pod exec, pod choice against reference buildx's, updates of
// an existing builder, and every failure as one line. Each builder lives in the suite's own namespace.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { REFERENCE_BUILDX } from './buildkitd-daemon.js';
import { describeRun, e2eSuite, poll, randomName, run, writeTree, type RunOptions, type RunResult } from './helpers.js';
import {
  builderObjects, clusterMissing, K8S_REGISTRY, KUBECONFIG_PATH, kubectl, kubectlOk, podBuildkitdConfig, podsOf, podWithBuild, readyPodsOf, waitEmpty,
} from './kubernetes-cluster.js';

const BOOT_MS = 180_000;
const LONG = { timeout: 600_000 };

e2eSuite('kubernetes driver', (ctx) => {
  const ns = `tsbx-${ctx.id}`;
  const refNs = `tsbx-${ctx.id}-ref`;
  const pv = `tsbx-${ctx.id}-pv`;
  let config = '';

  const withKube = (opts: RunOptions = {}): RunOptions => ({ timeoutMs: BOOT_MS, ...opts, env: { KUBECONFIG: KUBECONFIG_PATH, ...opts.env } });
  const tsb = (args: string[], opts: RunOptions = {}) => ctx.buildx(args, withKube(opts));
  const ref = (args: string[], opts: RunOptions = {}) => run(REFERENCE_BUILDX, args, withKube(opts), ctx.env);
  const ok = (r: RunResult, what: string) => assert.equal(r.code, 0, `${what}: ${describeRun(r)}`);
  /** The one `ERROR:` line a failed command ends with. */
  const errorLine = (r: RunResult) => r.stderr.trimEnd().split('\n').filter((l) => l.startsWith('ERROR: ')).join('\n');

  before(async () => {
    const missing = clusterMissing();
    assert.equal(missing, undefined, missing);
    await kubectlOk(['create', 'namespace', ns]);
    await kubectlOk(['create', 'namespace', refNs]);
    config = join(await ctx.tmp('bkcfg'), 'buildkitd.toml');
    await writeFile(config, podBuildkitdConfig());
  }, { timeout: 60_000 });

  after(async () => {
    for (const n of [ns, refNs]) await kubectl(['delete', 'namespace', n, '--wait=false'], { timeoutMs: 60_000 });
    await kubectl(['delete', 'persistentvolume', pv, '--wait=false'], { timeoutMs: 60_000 });
  }, { timeout: 120_000 });

  /** A context whose one step a later build can find CACHED, and a metadata file naming the build's ref. */
  async function buildOnce(builder: string, dir: string, tool: 'tsbuildx' | 'reference', extra: string[] = []): Promise<{ r: RunResult; ref: string }> {
    const meta = ctx.path('meta.json');
    const args = ['build', '--builder', builder, '--progress', 'plain', '--metadata-file', meta, ...extra, dir];
    const r = tool === 'tsbuildx' ? await tsb(args) : await ref(args);
    ok(r, `${tool} build on ${builder}`);
    const m = JSON.parse(await readFile(meta, 'utf8')) as Record<string, string>;
    return { r, ref: (m['buildx.build.ref'] ?? '').split('/').pop() ?? '' };
  }

  async function context(files: Record<string, string>): Promise<string> {
    const dir = await ctx.tmp('kctx');
    await writeTree(dir, files);
    return dir;
  }

  it('create --bootstrap makes the Deployment buildx makes; ls and inspect read as reference buildx reads them', LONG, async () => {
    const created = await tsb(['create', '--name', 'kt', '--driver', 'kubernetes', '--driver-opt', `namespace=${ns}`, '--buildkitd-config', config, '--bootstrap']);
    ok(created, 'tsbuildx create');
    assert.equal(created.stdout.toString(), 'kt\n');
    assert.match(created.stderr, /#1 waiting for 1 pods to be ready, timeout: 2 minutes .*done\n/);
    // The same builder by reference buildx, in its own namespace and store.
    const refConfig = ctx.path('ref-docker-config');
    const r = await ref(['create', '--name', 'kt', '--driver', 'kubernetes', '--driver-opt', `namespace=${refNs}`, '--buildkitd-config', config, '--bootstrap'], { env: { DOCKER_CONFIG: refConfig } });
    ok(r, 'reference create');
    assert.equal(await builderObjects(ns, { [ns]: 'NS' }), await builderObjects(refNs, { [refNs]: 'NS' }));

    // Both stores hold the same node but for the random endpoint name.
    const ours = await readFile(join(ctx.dockerConfig, 'buildx', 'instances', 'kt'), 'utf8');
    const theirs = await readFile(join(refConfig, 'buildx', 'instances', 'kt'), 'utf8');
    const anon = (s: string) => s.replace(/deployment=buildkit-[0-9a-f-]+/, 'deployment=X').replace(/namespace":"[^"]+"/, 'namespace":"NS"');
    assert.equal(anon(ours), anon(theirs));
    assert.match(ours, /"Endpoint":"kubernetes:\/\/\/kt\?deployment=buildkit-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{5}\\u0026kubeconfig=/);

    for (const cmd of [['ls'], ['inspect', 'kt']]) {
      const a = await tsb(cmd);
      const b = await ref(cmd);
      ok(a, `tsbuildx ${cmd.join(' ')}`);
      ok(b, `reference ${cmd.join(' ')}`);
      assert.equal(a.stdout.toString(), b.stdout.toString(), cmd.join(' '));
    }
    const inspect = (await tsb(['inspect', 'kt'])).stdout.toString();
    assert.match(inspect, /\nName:\s+kt0\n[^]*Status:\s+running\n[^]*BuildKit version:\s+v\d+\.\d+\.\d+/);
    assert.match(inspect, new RegExp(`org.mobyproject.buildkit.worker.hostname:\\s+kt0-[a-z0-9]+-[a-z0-9]+\\n`));
  });

  it('objects for every driver option equal reference buildx\'s: Deployment, rootless, StatefulSet, ConfigMaps', LONG, async () => {
    const configDir = await ctx.tmp('certs');
    await writeTree(configDir, { 'ca.pem': 'not a real ca\n' });
    const full = join(configDir, 'full.toml');
    await writeFile(full, `${podBuildkitdConfig()}[registry."r.example"]\n  ca = ["${join(configDir, 'ca.pem')}"]\n`);
    const variants: [string, string[]][] = [
      ['full', [
        '--driver-opt', 'replicas=2,requests.cpu=100m,requests.memory=64Mi,requests.ephemeral-storage=1Gi,limits.cpu=1000m,limits.memory=512Mi,limits.ephemeral-storage=2Gi',
        '--driver-opt', '"nodeselector=kubernetes.io/os=linux,kubernetes.io/arch=amd64"',
        '--driver-opt', '"tolerations=key=k1,operator=Exists,effect=NoSchedule;key=k2,operator=Equal,value=v,effect=NoExecute,tolerationSeconds=30"',
        '--driver-opt', 'annotations=team=build,labels=tier=ci,serviceaccount=default,schedulername=default-scheduler',
        // One env.* only: Go adds them in map order, which differs from run to run.
        '--driver-opt', `qemu.install=true,qemu.image=${K8S_REGISTRY}/tsbuildx-no-binfmt:1,env.FOO=bar,buildkit-root-volume-memory=256Mi`,
        '--platform', 'linux/amd64,linux/arm64', '--buildkitd-flags', '--debug', '--buildkitd-config', full,
      ]],
      ['rootless', ['--driver-opt', 'rootless=true,buildkit-root-volume-memory=128Mi']],
      ['pvc', ['--driver-opt', 'persistent-volume-claim.requests.storage=1Gi,rootless=false', '--buildkitd-config', config]],
    ];
    const refConfig = ctx.path('ref-docker-config-opts');
    for (const [name, args] of variants) {
      const b = `ko${name}`;
      // timeout=1s: the objects are made before the wait, so the bootstrap failing leaves them to compare.
      const base = ['create', '--name', b, '--driver', 'kubernetes', ...args, '--driver-opt', 'timeout=1s', '--bootstrap'];
      const a = await tsb([...base, '--driver-opt', `namespace=${ns}`]);
      const r = await ref([...base, '--driver-opt', `namespace=${refNs}`], { env: { DOCKER_CONFIG: refConfig } });
      assert.equal(a.code, 1, describeRun(a));
      assert.equal(r.code, 1, describeRun(r));
      const pick = async (n: string) => JSON.stringify(JSON.parse(await builderObjects(n, { [n]: 'NS' })).filter((o: { metadata: { name: string } }) => o.metadata.name.startsWith(`${b}0`)), null, 1);
      const mine = await pick(ns);
      assert.notEqual(mine, '[]', `no objects for ${b}`);
      assert.equal(mine, await pick(refNs), `objects of ${name}`);
      ok(await tsb(['rm', b]), `tsbuildx rm ${b}`);
      ok(await ref(['rm', b], { env: { DOCKER_CONFIG: refConfig } }), `reference rm ${b}`);
    }
  });

  it('builds through a pod with type=local, type=oci and type=tar outputs', LONG, async () => {
    const nonce = randomName();
    const dir = await context({ Dockerfile: 'FROM scratch\nCOPY hello /hello\n', hello: `k8s-${nonce}\n` });
    const local = ctx.path('local');
    ok(await tsb(['build', '--builder', 'kt', '-o', `type=local,dest=${local}`, dir]), 'local');
    assert.equal(await readFile(join(local, 'hello'), 'utf8'), `k8s-${nonce}\n`);
    const oci = ctx.path('oci.tar');
    ok(await tsb(['build', '--builder', 'kt', '-o', `type=oci,dest=${oci}`, dir]), 'oci');
    const ociList = await run('tar', ['-tf', oci], { timeoutMs: 30_000 });
    assert.match(ociList.stdout.toString(), /^index\.json$/m);
    assert.match(ociList.stdout.toString(), /^oci-layout$/m);
    const tar = ctx.path('fs.tar');
    ok(await tsb(['build', '--builder', 'kt', '-o', `type=tar,dest=${tar}`, dir]), 'tar');
    const x = await run('tar', ['-xOf', tar, 'hello'], { timeoutMs: 30_000 });
    assert.equal(x.stdout.toString(), `k8s-${nonce}\n`);
  });

  it('a base image and a push go through the registry at the cluster gateway, and nowhere else', LONG, async () => {
    const nonce = randomName();
    const dir = await context({ Dockerfile: `FROM ${K8S_REGISTRY}/busybox:latest\nRUN echo ${nonce} > /n\n` });
    const image = `${K8S_REGISTRY}/tsbuildx-k8s-${ctx.id}:1`;
    ok(await tsb(['build', '--builder', 'kt', '--progress', 'plain', '--push', '-t', image, dir]), 'push');
    const got = await run('curl', ['-fsS', `http://127.0.0.1:5000/v2/tsbuildx-k8s-${ctx.id}/tags/list`], { timeoutMs: 30_000 });
    assert.equal(got.code, 0, describeRun(got));
    assert.match(got.stdout.toString(), /"tags":\["1"\]/);
  });

  it('sticky: with 3 replicas each context goes to the pod reference buildx sends it to; random spreads builds', LONG, async () => {
    ok(await tsb(['create', '--name', 'ks', '--driver', 'kubernetes', '--driver-opt', `namespace=${ns},replicas=3`, '--bootstrap']), 'create ks');
    const pods = await podsOf(ns, 'ks0');
    assert.equal(pods.length, 3, pods.join(' '));
    const chosen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const dir = await context({ Dockerfile: 'FROM scratch\nCOPY f /f\n', f: `${i}-${randomName()}\n` });
      const theirs = await buildOnce('ks', dir, 'reference');
      const mine = await buildOnce('ks', dir, 'tsbuildx');
      const theirPod = await podWithBuild(ns, pods, theirs.ref);
      const myPod = await podWithBuild(ns, pods, mine.ref);
      assert.equal(theirPod.length, 1, `reference build ${theirs.ref} found on ${theirPod.join(',')}`);
      assert.deepEqual(myPod, theirPod, `context ${dir}`);
      chosen.add(myPod[0]!);
    }

    // A second builder on the same Deployment (node ks0), picking at random.
    ok(await tsb(['create', '--name', 'kr', '--node', 'ks0', '--driver', 'kubernetes', '--driver-opt', `namespace=${ns},replicas=3,loadbalance=random`]), 'create kr');
    const dir = await context({ Dockerfile: 'FROM scratch\nCOPY f /f\n', f: randomName() });
    const spread = new Set<string>();
    for (let i = 0; i < 8 && spread.size < 2; i++) {
      const { ref: r } = await buildOnce('kr', dir, 'tsbuildx');
      for (const p of await podWithBuild(ns, pods, r)) spread.add(p);
    }
    // All of up to 8 builds on one pod of 3 would happen once in 2187 runs.
    assert.ok(spread.size >= 2, `random builds all went to ${[...spread].join(',')}`);
    ok(await tsb(['rm', '--keep-daemon', 'kr']), 'rm kr');
    ok(await tsb(['rm', 'ks']), 'rm ks');
  });

  it('--append adds a node with its own platform and nodeselector, shown per pod like buildx', LONG, async () => {
    const r = await tsb(['create', '--append', '--name', 'kt', '--node', 'kt1', '--platform', 'linux/arm64', '--driver', 'kubernetes',
      '--driver-opt', `namespace=${ns},nodeselector=kubernetes.io/arch=amd64`, '--bootstrap']);
    ok(r, 'append');
    const deploy = JSON.parse(await kubectlOk(['-n', ns, 'get', 'deployment', 'kt1', '-o', 'json'])) as { metadata: { annotations: Record<string, string> }; spec: { template: { spec: { nodeSelector: Record<string, string> } } } };
    assert.equal(deploy.metadata.annotations['buildx.docker.com/platform'], 'linux/arm64');
    assert.deepEqual(deploy.spec.template.spec.nodeSelector, { 'kubernetes.io/arch': 'amd64' });
    const mine = await tsb(['inspect', 'kt']);
    const theirs = await ref(['inspect', 'kt']);
    ok(mine, 'inspect');
    assert.equal(mine.stdout.toString(), theirs.stdout.toString());
    assert.match(mine.stdout.toString(), /Name:\s+kt1\n[^]*Platforms:\s+linux\/arm64\*\n/);
  });

  it('changing an existing node updates its Deployment and says what changed (buildx keeps the old one)', LONG, async () => {
    const r = await tsb(['create', '--name', 'kt', '--node', 'kt1', '--driver', 'kubernetes', '--driver-opt', `namespace=${ns},replicas=2,nodeselector=kubernetes.io/os=linux`]);
    ok(r, 'update');
    assert.match(r.stderr, /^updated deployment kt1: spec\.replicas: 1 → 2$/m);
    assert.match(r.stderr, /^updated deployment kt1: spec\.template\.spec\.nodeSelector\.kubernetes\.io\/arch: "amd64" → unset$/m);
    const spec = JSON.parse(await kubectlOk(['-n', ns, 'get', 'deployment', 'kt1', '-o', 'jsonpath={.spec}'])) as { replicas: number; template: { spec: { nodeSelector: Record<string, string> } } };
    assert.equal(spec.replicas, 2);
    assert.deepEqual(spec.template.spec.nodeSelector, { 'kubernetes.io/os': 'linux' });
    const again = await tsb(['create', '--name', 'kt', '--node', 'kt1', '--driver', 'kubernetes', '--driver-opt', `namespace=${ns},replicas=2,nodeselector=kubernetes.io/os=linux`]);
    ok(again, 'same settings');
    assert.doesNotMatch(again.stderr, /updated/);
    ok(await tsb(['create', '--leave', '--name', 'kt', '--node', 'kt1']), 'leave');
    ok(await kubectl(['-n', ns, 'delete', 'deployment', 'kt1']), 'delete kt1');

    // A new --buildkitd-config: the ConfigMap follows, and the pods restart to read it.
    const newConfig = join(await ctx.tmp('bkcfg2'), 'buildkitd.toml');
    await writeFile(newConfig, `${podBuildkitdConfig()}[worker.oci]\n  max-parallelism = 3\n`);
    const oldPods = await podsOf(ns, 'kt0');
    const c = await tsb(['create', '--name', 'kt', '--node', 'kt0', '--driver', 'kubernetes', '--driver-opt', `namespace=${ns}`, '--buildkitd-config', newConfig]);
    ok(c, 'new config');
    assert.match(c.stderr, /^updated configmap kt0-config: buildkitd\.toml changed$/m);
    assert.match(c.stderr, /^updated deployment kt0: pods restarted for the new config$/m);
    assert.match(await kubectlOk(['-n', ns, 'get', 'configmap', 'kt0-config', '-o', 'jsonpath={.data.buildkitd\\.toml}']), /max-parallelism = 3/);
    const newPods = await poll(() => readyPodsOf(ns, 'kt0'), (p) => p.length === 1 && !oldPods.includes(p[0]!), 150_000, 1000);
    assert.equal(newPods.length, 1, `a new ready pod, not ${oldPods.join(',')}`);
    assert.notEqual(newPods[0], oldPods[0]);
    assert.deepEqual(await poll(() => podsOf(ns, 'kt0'), (p) => p.length === 1, 60_000, 1000), newPods);
  });

  it('stop leaves the pods; a build after it works; rm leaves nothing in the namespace', LONG, async () => {
    ok(await tsb(['stop', 'kt']), 'stop');
    assert.equal((await podsOf(ns, 'kt0')).length, 1);
    const dir = await context({ Dockerfile: 'FROM scratch\nCOPY a /a\n', a: 'a\n' });
    ok(await tsb(['build', '--builder', 'kt', '-o', `type=local,dest=${ctx.path('o')}`, dir]), 'build after stop');
    const rm = await tsb(['rm', 'kt']);
    ok(rm, 'rm');
    assert.equal(await waitEmpty(ns), '', 'objects left in the namespace');
  });

  it('a builder made by reference buildx is listed, built on and removed by tsbuildx, and the other way round', LONG, async () => {
    ok(await ref(['create', '--name', 'kx', '--driver', 'kubernetes', '--driver-opt', `namespace=${ns}`, '--bootstrap']), 'reference create');
    const a = await tsb(['ls']);
    const b = await ref(['ls']);
    assert.equal(a.stdout.toString(), b.stdout.toString());
    const dir = await context({ Dockerfile: 'FROM scratch\nCOPY a /a\n', a: 'x\n' });
    ok(await tsb(['build', '--builder', 'kx', '-o', `type=local,dest=${ctx.path('o')}`, dir]), 'tsbuildx build on reference builder');
    ok(await tsb(['rm', 'kx']), 'tsbuildx rm');
    assert.equal(await waitEmpty(ns), '');

    ok(await tsb(['create', '--name', 'ky', '--driver', 'kubernetes', '--driver-opt', `namespace=${ns}`, '--bootstrap']), 'tsbuildx create');
    ok(await ref(['build', '--builder', 'ky', '-o', `type=local,dest=${ctx.path('o')}`, dir]), 'reference build on tsbuildx builder');
    ok(await ref(['rm', 'ky']), 'reference rm');
    assert.equal(await waitEmpty(ns), '');
  });

  it('a StatefulSet builder keeps its cache on its volume when its pod is replaced', LONG, async () => {
    const hostDir = await ctx.tmp('pv');
    await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify({
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: pv },
      spec: { capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: '', hostPath: { path: hostDir, type: 'Directory' } },
    }) });
    ok(await tsb(['create', '--name', 'kp', '--driver', 'kubernetes', '--driver-opt', `namespace=${ns},persistent-volume-claim.requests.storage=1Gi`, '--buildkitd-config', config, '--bootstrap']), 'create kp');
    // No registry here: like buildx's, the StatefulSet's pods mount only their claim, not the config.
    const nonce = randomName();
    const dir = await context({ Dockerfile: 'FROM scratch\nCOPY n /n\n', n: `${nonce}\n` });
    const first = await tsb(['build', '--builder', 'kp', '--progress', 'plain', dir]);
    ok(first, 'first build');
    assert.doesNotMatch(first.stderr, /#\d+ \[1\/1\] COPY n \/n\n#\d+ CACHED/);
    assert.match(first.stderr, /#\d+ \[1\/1\] COPY n \/n\n#\d+ DONE/);
    ok(await kubectl(['-n', ns, 'delete', 'pod', 'kp0-0', '--wait=true'], { timeoutMs: 120_000 }), 'delete pod');
    const back = await poll(() => tsb(['inspect', '--bootstrap', 'kp']), (r) => r.code === 0 && /Status:\s+running/.test(r.stdout.toString()), 180_000, 2000);
    ok(back, 'pod back');
    const second = await tsb(['build', '--builder', 'kp', '--progress', 'plain', dir]);
    ok(second, 'second build');
    assert.match(second.stderr, /#\d+ \[1\/1\] COPY n \/n\n#\d+ CACHED/);
    // Beyond buildx, which leaves the claim: rm removes it (the volume it bound is the test's own).
    ok(await tsb(['rm', 'kp']), 'rm kp');
    assert.equal(await waitEmpty(ns), '');
  });

  it('failures are one line naming the bad value, exit 1', LONG, async () => {
    const missing = `127.0.0.1:5000/tsbuildx-missing-${ctx.id}:1`;
    const img = await tsb(['create', '--name', 'kf1', '--driver', 'kubernetes', '--driver-opt', `namespace=${ns},image=${missing},timeout=40s`, '--bootstrap']);
    assert.equal(img.code, 1, describeRun(img));
    assert.match(errorLine(img), /^ERROR: expected 1 replicas to be ready, got 0: pod kf10-[a-z0-9]+-[a-z0-9]+: (ErrImagePull|ImagePullBackOff): .*tsbuildx-missing/);
    ok(await tsb(['rm', 'kf1']), 'rm kf1');

    const sel = await tsb(['create', '--name', 'kf2', '--driver', 'kubernetes', '--driver-opt', `namespace=${ns},nodeselector=tsbuildx/none=${ctx.id},timeout=10s`, '--bootstrap']);
    assert.equal(sel.code, 1, describeRun(sel));
    assert.match(errorLine(sel), /^ERROR: expected 1 replicas to be ready, got 0: pod kf20-[a-z0-9]+-[a-z0-9]+: Unschedulable: 0\/1 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector/);
    ok(await tsb(['rm', 'kf2']), 'rm kf2');

    const slow = await tsb(['create', '--name', 'kf3', '--driver', 'kubernetes', '--driver-opt', `namespace=${ns},timeout=5s`, '--bootstrap']);
    assert.equal(slow.code, 1, describeRun(slow));
    assert.match(slow.stderr, /waiting for 1 pods to be ready, timeout: 5 seconds/);
    assert.match(errorLine(slow), /^ERROR: expected 1 replicas to be ready, got 0: pod kf30-\S+: .+$/);
    ok(await tsb(['rm', 'kf3']), 'rm kf3');

    const noConfig = await tsb(['create', '--name', 'kf4', '--driver', 'kubernetes'], { env: { KUBECONFIG: join(ctx.dockerConfig, 'no-such-kubeconfig') } });
    assert.equal(noConfig.code, 1);
    assert.equal(noConfig.stderr, `ERROR: failed to initialize builder kf4 (kf40): cannot determine Kubernetes namespace, specify manually: stat ${join(ctx.dockerConfig, 'no-such-kubeconfig')}: no such file or directory\n`);

    const noNs = await tsb(['create', '--name', 'kf5', '--driver', 'kubernetes', '--driver-opt', `namespace=${ns}-missing`, '--bootstrap']);
    assert.equal(noNs.code, 1);
    assert.equal(errorLine(noNs), `ERROR: error while calling Create for "kf50": namespaces "${ns}-missing" not found`);
    ok(await tsb(['rm', 'kf5']), 'rm kf5');

    const badOpt = await tsb(['create', '--name', 'kf6', '--driver', 'kubernetes', '--driver-opt', 'replicas=two']);
    assert.equal(badOpt.code, 1);
    assert.equal(badOpt.stderr, 'ERROR: failed to initialize builder kf6 (kf60): strconv.ParseInt: parsing "two": invalid syntax\n');
    assert.equal(await waitEmpty(ns), '');
    const ls = await tsb(['ls']);
    assert.doesNotMatch(ls.stdout.toString(), /kf\d/);
  });
});

