// The docker driver on both engines of the test environment, side by side with reference buildx: Debian's
// dockerd 20.10 (BuildKit v0.8, classic image store) and dockerd v28.5.2 (BuildKit v0.25, containerd
// image store). What the driver gates on the engine's features is checked on each: `ls`/`inspect`,
// multi-platform `--load`, cache export, the OCI and docker exporters, and pushes through the engine.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { it } from 'node:test';
import { DOCKER28_HOST, REFERENCE_BUILDX, REGISTRY, REGISTRY_BASE_IMAGE } from './buildkitd-daemon.js';
import { selectedDrivers } from './drivers.js';
import { BASE_IMAGE, describeRun, e2eSuite, randomName, run, TEST_TIMEOUT, writeTree, type E2E, type RunResult } from './helpers.js';

interface Engine {
  readonly label: string;
  /** '' for the machine's default socket. */
  readonly host: string;
  readonly containerdStore: boolean;
}

const ENGINES: Array<Engine & { driver: 'docker' | 'docker-v28' }> = [
  { driver: 'docker', label: 'dockerd 20.10', host: '', containerdStore: false },
  { driver: 'docker-v28', label: 'dockerd v28', host: DOCKER28_HOST, containerdStore: true },
];

function reference(ctx: E2E, args: string[]): Promise<RunResult> {
  return run(REFERENCE_BUILDX, args, { timeoutMs: 180_000 }, ctx.env);
}

/** Both tools, one after the other, on the same store and engine. */
async function both(ctx: E2E, args: string[]): Promise<{ ts: RunResult; ref: RunResult }> {
  return { ts: await ctx.buildx(args, { timeoutMs: 180_000 }), ref: await reference(ctx, args) };
}

/** GET on the engine's API over its unix socket (the docker CLI here is 20.10: no `images --tree`). */
function engineGet(host: string, path: string): Promise<{ status: number; body: unknown }> {
  const socketPath = (host || 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface ImageManifest { Kind: string; Available: boolean; Descriptor: { platform?: { os: string; architecture: string } } }

function tarEntries(file: string): string[] {
  return execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}

for (const engine of ENGINES.filter((e) => selectedDrivers().includes(e.driver))) {
  e2eSuite(`docker driver on ${engine.label}`, (ctx) => {
    ctx.dockerHost = engine.host;

    const project = async (name: string, from = BASE_IMAGE): Promise<string> => {
      const dir = await ctx.tmp(name);
      await writeTree(dir, { Dockerfile: `FROM ${from}\nRUN echo ${name}-${randomName()} > /nonce && uname -m > /arch\n` });
      return dir;
    };

    it('ls and inspect print byte for byte what reference buildx prints (BuildKit version, platforms)', { timeout: TEST_TIMEOUT }, async () => {
      for (const args of [['ls'], ['ls', '--format', 'json'], ['inspect'], ['inspect', 'default'], ['inspect', '--bootstrap', 'default']]) {
        const p = await both(ctx, args);
        assert.equal(p.ts.code, 0, describeRun(p.ts));
        assert.equal(p.ts.stdout.toString('utf8'), p.ref.stdout.toString('utf8'), args.join(' '));
        assert.equal(p.ts.stderr, p.ref.stderr, args.join(' '));
      }
      const inspect = (await ctx.buildx(['inspect'])).stdout.toString('utf8');
      // The engine's BuildKit, asked through Control.Info where it has it (v0.25), else read off the engine version.
      assert.match(inspect, engine.containerdStore ? /\nBuildKit version: v0\.25\.\d+\n/ : /\nBuildKit version: v0\.8\+unknown\n/);
    });

    if (engine.containerdStore) {
      it('build --platform linux/amd64,linux/arm64 --load puts one image with both platforms in the engine', { timeout: TEST_TIMEOUT }, async () => {
        const dir = await project('multi', REGISTRY_BASE_IMAGE);
        const tag = ctx.tag('multi');
        const iid = join(dir, 'iid');
        const r = await ctx.buildx(['build', '--platform', 'linux/amd64,linux/arm64', '--load', '-t', tag, '--iidfile', iid, dir], { timeoutMs: 300_000 });
        assert.equal(r.code, 0, describeRun(r));
        const inspected = await engineGet(engine.host, `/v1.48/images/${encodeURIComponent(tag)}/json?manifests=1`);
        assert.equal(inspected.status, 200, JSON.stringify(inspected.body));
        const img = inspected.body as { Id: string; Manifests: ImageManifest[] };
        const platforms = img.Manifests.filter((m) => m.Kind === 'image' && m.Available).map((m) => `${m.Descriptor.platform!.os}/${m.Descriptor.platform!.architecture}`);
        assert.deepEqual(platforms.sort(), ['linux/amd64', 'linux/arm64']);
        // The image id on this store is the index digest, and that is what --iidfile names.
        assert.equal(readFileSync(iid, 'utf8'), img.Id);
        // Each platform's RUN ran on that platform (arm64 under QEMU).
        for (const [platform, arch] of [['linux/amd64', 'x86_64'], ['linux/arm64', 'aarch64']]) {
          const out = await ctx.dockerOk(['run', '--rm', '--network', 'none', '--platform', platform!, tag, 'cat', '/arch']);
          assert.equal(out.toString('utf8'), `${arch}\n`);
        }
      });

      it('--cache-to type=local exports the cache, and --cache-from brings it back after the records are pruned', { timeout: TEST_TIMEOUT }, async () => {
        const dir = await project('cache');
        const cache = join(dir, 'cache');
        const first = await ctx.buildx(['build', '--progress=plain', '--cache-to', `type=local,dest=${cache},mode=max`, dir], { timeoutMs: 180_000 });
        assert.equal(first.code, 0, describeRun(first));
        const index = JSON.parse(readFileSync(join(cache, 'index.json'), 'utf8')) as { manifests: Array<{ mediaType: string }> };
        assert.equal(index.manifests.length, 1);
        assert.ok(readdirSync(join(cache, 'blobs', 'sha256')).length >= 2);
        // Drop this build's records from the engine (shared with the image store, so --all), then rebuild.
        const nonce = readFileSync(join(dir, 'Dockerfile'), 'utf8').match(/echo (cache-[0-9a-f]+)/)![1]!;
        const pruned = await ctx.buildx(['prune', '-af', '--filter', `description~=${nonce}`], { timeoutMs: 120_000 });
        assert.equal(pruned.code, 0, describeRun(pruned));
        assert.match(pruned.stdout.toString('utf8'), /Total:\t[1-9]/);
        const cold = await ctx.buildx(['build', '--progress=plain', '--cache-from', `type=local,src=${cache}`, dir], { timeoutMs: 180_000 });
        assert.equal(cold.code, 0, describeRun(cold));
        assert.match(cold.stderr, /#\d+ \[2\/2\] RUN echo cache-[0-9a-f]+ .*\n#\d+ CACHED\n/);
        assert.match(cold.stderr, /#\d+ importing cache manifest from local:/);
      });

      it('-o type=oci and -o type=docker write their archives', { timeout: TEST_TIMEOUT }, async () => {
        const dir = await project('archives');
        for (const type of ['oci', 'docker']) {
          const dest = join(dir, `${type}.tar`);
          const r = await ctx.buildx(['build', '-q', '-o', `type=${type},dest=${dest}`, dir], { timeoutMs: 180_000 });
          assert.equal(r.code, 0, describeRun(r));
          const entries = tarEntries(dest);
          assert.ok(entries.includes('index.json') && entries.includes('oci-layout'), entries.join(' '));
          if (type === 'docker') assert.ok(entries.includes('manifest.json'), entries.join(' '));
        }
      });
    } else {
      it('multi-platform --load, cache export and the OCI/docker exporters fail with reference buildx\'s message, writing nothing', { timeout: TEST_TIMEOUT }, async () => {
        const dir = await project('refused', REGISTRY_BASE_IMAGE);
        const tag = ctx.tag('refused');
        const cases = [
          ['build', '--platform', 'linux/amd64,linux/arm64', '--load', '-t', tag, dir],
          ['build', '--cache-to', `type=local,dest=${join(dir, 'cache')}`, dir],
          ['build', '-o', `type=oci,dest=${join(dir, 'oci.tar')}`, dir],
          ['build', '-o', `type=docker,dest=${join(dir, 'docker.tar')}`, dir],
        ];
        for (const args of cases) {
          const p = await both(ctx, ['build', '--progress=quiet', ...args.slice(1)]);
          assert.equal(p.ts.code, 1, describeRun(p.ts));
          assert.equal(p.ts.code, p.ref.code);
          assert.equal(p.ts.stderr, p.ref.stderr, args.join(' '));
          assert.match(p.ts.stderr, /^ERROR: failed to build: /);
        }
        assert.ok(!existsSync(join(dir, 'cache')) && !existsSync(join(dir, 'oci.tar')) && !existsSync(join(dir, 'docker.tar')));
        assert.equal(await ctx.imageExists(tag), false);
      });
    }

    it('--add-host NAME=host-gateway: the engine\'s host address inside RUN, or buildx\'s error where the engine gives none', { timeout: TEST_TIMEOUT }, async () => {
      const dir = await ctx.tmp('gateway');
      await writeTree(dir, { Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo ${randomName()} && grep gw.local /etc/hosts && ping -c 1 gw.local\n` });
      const args = ['build', '--progress=plain', '--no-cache', '--add-host=gw.local:host-gateway', '-o', 'type=cacheonly', dir];
      const p = await both(ctx, args);
      if (engine.containerdStore) {
        assert.equal(p.ts.code, 0, describeRun(p.ts));
        assert.equal(p.ref.code, 0, describeRun(p.ref));
        // v28 labels its worker with the default bridge's address (provisioning's tsbx28br).
        const mapped = (r: RunResult) => /#\d+ [\d.]+ (\S+)\tgw\.local\n/.exec(r.stderr)?.[1];
        assert.equal(mapped(p.ts), '10.228.0.1', p.ts.stderr);
        assert.equal(mapped(p.ts), mapped(p.ref));
        assert.match(p.ts.stderr, /64 bytes from 10\.228\.0\.1/);
      } else {
        assert.equal(p.ts.code, 1, describeRun(p.ts));
        assert.equal(p.ts.stderr, 'ERROR: failed to build: unable to derive the IP value for host-gateway: host-gateway IP not found\n');
        assert.equal(p.ts.stderr, p.ref.stderr);
      }
    });

    it('-o type=image,push=true reaches the registry, and the metadata names what the registry holds, as buildx', { timeout: TEST_TIMEOUT }, async (t) => {
      const dir = await project('push');
      const repo = `e2e/engines-${ctx.id}`;
      const name = `${REGISTRY}/${repo}:${engine.driver}`;
      const registryDigest = async () => {
        const res = await fetch(`http://${REGISTRY}/v2/${repo}/manifests/${engine.driver}`, {
          method: 'HEAD', headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' },
        });
        assert.equal(res.status, 200);
        return res.headers.get('docker-content-digest');
      };
      const md = { ts: join(dir, 'ts.json'), ref: join(dir, 'ref.json') };
      t.after(() => ctx.docker(['image', 'rm', '--force', name], { timeoutMs: 60_000 }));
      const ts = await ctx.buildx(['build', '-q', '-o', `type=image,name=${name},push=true`, '--metadata-file', md.ts, dir], { timeoutMs: 180_000 });
      assert.equal(ts.code, 0, describeRun(ts));
      const ours = JSON.parse(readFileSync(md.ts, 'utf8')) as Record<string, unknown>;
      assert.equal(ours['containerimage.digest'], await registryDigest());
      const ref = await reference(ctx, ['build', '-q', '-o', `type=image,name=${name},push=true`, '--metadata-file', md.ref, dir]);
      assert.equal(ref.code, 0, describeRun(ref));
      const theirs = JSON.parse(readFileSync(md.ref, 'utf8')) as Record<string, unknown>;
      if (engine.containerdStore) {
        // BuildKit pushes by itself here. Reference also attaches provenance (tsbuildx does not yet,
        // issue 13), so the digests differ; the record has buildx's shape.
        assert.equal((ours['containerimage.descriptor'] as { mediaType: string }).mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
        assert.equal(ours['image.name'], name);
        assert.equal(ours['containerimage.config.digest'], undefined);
        assert.equal(theirs['containerimage.config.digest'], undefined);
      } else {
        // The engine pushed, after the build: the same cached image both times, so the same two digests
        // (the registry's manifest digest, and the image id as the config digest) in both files.
        assert.equal(ours['containerimage.digest'], theirs['containerimage.digest']);
        assert.equal(ours['containerimage.config.digest'], theirs['containerimage.config.digest']);
        assert.equal(ours['containerimage.config.digest'], await ctx.imageId(name));
        assert.notEqual(ours['containerimage.digest'], ours['containerimage.config.digest']);
      }
    });
  });
}
