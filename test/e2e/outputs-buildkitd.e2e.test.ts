// Every output type on a real buildkitd (drivers other than docker), through the built CLI: images loaded
// into dockerd and run, pushes checked against the registry's own answer, OCI/docker archives and layout
// directories checked blob by blob, tar/local results, cache-only and no-output builds, several outputs
// in one build, and registry cache reused by a daemon with an empty state.
//
// The same cases run once per builder kind (TSBUILDX_E2E_OUTPUT_DRIVERS, default `remote,docker-container`):
// `remote` against a bare buildkitd this file starts, `docker-container` created with host networking
// and the same buildkitd config so that both reach the plain-HTTP registry.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { after, before, it } from 'node:test';
import { buildkitdConfig, REFERENCE_BUILDX, REGISTRY, REGISTRY_BASE_IMAGE, startBuildkitd, stopBuildkitd, type Buildkitd } from './buildkitd-daemon.js';
import { describeRun, e2eSuite, randomName, run, TEST_TIMEOUT, type E2E, type RunResult } from './helpers.js';

type Kind = 'remote' | 'docker-container';


const KINDS = (process.env.TSBUILDX_E2E_OUTPUT_DRIVERS ?? 'remote,docker-container')
  .split(',').map((s) => s.trim()).filter((s): s is Kind => s === 'remote' || s === 'docker-container');

const NO_OUTPUT_WARNING = (driver: string) =>
  `WARNING: No output specified with ${driver} driver. Build result will only remain in the build cache. `
  + 'To push result image into registry use --push or to load image into docker use --load';

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

interface Manifest { digest: string; mediaType: string; body: { config?: { digest: string }; layers?: { digest: string }[]; manifests?: { digest: string }[] } }

async function registryManifest(repo: string, ref: string): Promise<Manifest> {
  const res = await fetch(`http://${REGISTRY}/v2/${repo}/manifests/${ref}`, { headers: { Accept: MANIFEST_ACCEPT } });
  assert.equal(res.status, 200, `GET manifest ${repo}:${ref}: ${res.status} ${await res.clone().text()}`);
  return { digest: res.headers.get('docker-content-digest') ?? '', mediaType: res.headers.get('content-type') ?? '', body: await res.json() as Manifest['body'] };
}

async function tarList(file: string): Promise<string[]> {
  const r = await run('tar', ['-tf', file], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `tar -tf ${file}: ${describeRun(r)}`);
  return r.stdout.toString('utf8').split('\n').filter(Boolean).map((n) => n.replace(/^\.\//, '').replace(/\/$/, ''));
}

async function tarFile(file: string, member: string): Promise<string> {
  const r = await run('tar', ['-xOf', file, member], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `tar -xOf ${file} ${member}: ${describeRun(r)}`);
  return r.stdout.toString('utf8');
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** An OCI layout directory: every blob matches its name, and each index entry's manifest, config and layers are there. */
function assertLayout(dir: string): { manifests: { digest: string; annotations?: Record<string, string> }[] } {
  assert.deepEqual(readdirSync(dir).sort(), ['blobs', 'index.json', 'oci-layout']);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
  const blobs = readdirSync(join(dir, 'blobs/sha256'));
  for (const b of blobs) assert.equal(sha256(readFileSync(join(dir, 'blobs/sha256', b))), `sha256:${b}`, `blob ${b}`);
  const blob = (d: string) => {
    const p = join(dir, 'blobs', ...d.split(':'));
    assert.ok(existsSync(p), `blob ${d} is in the layout`);
    return p;
  };
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  for (const m of index.manifests) {
    const manifest = JSON.parse(readFileSync(blob(m.digest), 'utf8')) as Manifest['body'];
    for (const d of [manifest.config!.digest, ...manifest.layers!.map((l) => l.digest)]) blob(d);
  }
  return index;
}

/** A docker engine that refuses every load, reached through a docker context of its own. */
async function refusingEngine(sock: string, message: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url === '/_ping') {
      res.writeHead(200, { 'Api-Version': '1.41', Ostype: 'linux' });
      res.end('OK');
      return;
    }
    req.resume();
    req.on('end', () => {
      if (req.url?.includes('/images/load')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(`${JSON.stringify({ errorDetail: { message }, error: message })}\r\n`);
      } else if (req.url?.endsWith('/info')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"DriverStatus":[]}');
      } else {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end('{"message":"page not found"}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(sock, r));
  return server;
}

/** The builders of one suite, all in the run's own BUILDX_CONFIG. */
class Builders {
  store = '';
  private daemons: Buildkitd[] = [];
  private names: string[] = [];

  constructor(private readonly ctx: E2E, readonly kind: Kind) {}

  async init(): Promise<void> {
    this.store = await this.ctx.tmp('buildx-config');
  }

  cli(args: string[], timeoutMs = 240_000): Promise<RunResult> {
    return this.ctx.buildx(args, { env: { BUILDX_CONFIG: this.store, BUILDX_BUILDER: undefined }, timeoutMs });
  }

  /** Reference buildx on the same builder store. */
  reference(args: string[], timeoutMs = 240_000): Promise<RunResult> {
    return run(REFERENCE_BUILDX, args, { env: { BUILDX_CONFIG: this.store, BUILDX_BUILDER: undefined }, timeoutMs }, this.ctx.env);
  }

  /** A new builder with an empty build cache. */
  async create(driverOpts: string[] = []): Promise<string> {
    const name = `out${this.kind === 'remote' ? 'r' : 'c'}${randomName(3)}`;
    const opts = driverOpts.flatMap((o) => ['--driver-opt', o]);
    let args: string[];
    if (this.kind === 'remote') {
      // Outside the run's temp root: the run's cleanup removes that root while daemons may still write.
      const dir = await mkdtemp(join(tmpdir(), `tsbuildx-e2e-${this.ctx.id}-buildkitd-`));
      const daemon = await startBuildkitd(dir);
      this.daemons.push(daemon);
      args = ['create', '--name', name, '--driver', 'remote', ...opts, daemon.unixEndpoint];
    } else {
      const config = join(await this.ctx.tmp('bkcfg'), 'buildkitd.toml');
      await writeFile(config, buildkitdConfig());
      args = ['create', '--name', name, '--driver', 'docker-container', '--driver-opt', 'network=host', ...opts, '--buildkitd-config', config];
    }
    const r = await this.cli(args, 60_000);
    assert.equal(r.code, 0, describeRun(r));
    this.names.push(name);
    return name;
  }

  /**
   * Containers and volumes go by exact name and daemons by pid, not through the CLI: a builder that failed
   * half-way may have left no store entry to go by.
   */
  async cleanup(): Promise<void> {
    if (this.kind === 'docker-container') {
      for (const name of this.names) {
        await this.ctx.docker(['rm', '--force', '--volumes', `buildx_buildkit_${name}0`], { timeoutMs: 60_000 }).catch(() => undefined);
        await this.ctx.docker(['volume', 'rm', '--force', `buildx_buildkit_${name}0_state`], { timeoutMs: 60_000 }).catch(() => undefined);
      }
    }
    for (const d of this.daemons) {
      await stopBuildkitd(d.proc);
      await rm(d.dir, { recursive: true, force: true });
    }
    if (this.store) await rm(dirname(this.store), { recursive: true, force: true });
  }
}

for (const kind of KINDS) {
  e2eSuite(`outputs on a ${kind} builder`, (ctx) => {
    const builders = new Builders(ctx, kind);
    const nonce = randomName();
    let builder = '';
    let context = '';
    const repo = `tsbuildx-e2e-${ctx.id}-${kind}`;

    /** `build --builder <main builder> … <context>`; `--progress=plain` unless given. */
    const build = (args: string[], opts: { builder?: string; context?: string } = {}): Promise<RunResult> => {
      const progress = args.some((a) => a.startsWith('--progress')) ? [] : ['--progress=plain'];
      return builders.cli(['build', '--builder', opts.builder ?? builder, ...progress, ...args, opts.context ?? context]);
    };
    const ok = async (p: Promise<RunResult>): Promise<RunResult> => {
      const r = await p;
      assert.equal(r.code, 0, describeRun(r));
      return r;
    };
    /** A pushed manifest, deleted from the registry again after the suite. */
    const pushedManifests: { repo: string; digest: string }[] = [];
    const manifest = async (repoName: string, ref: string): Promise<Manifest> => {
      const m = await registryManifest(repoName, ref);
      pushedManifests.push({ repo: repoName, digest: m.digest });
      return m;
    };
    const runImage = async (tag: string) => (await ctx.dockerOk(['run', '--rm', '--network', 'none', tag])).toString('utf8');

    before(async () => {
      await builders.init();
      builder = await builders.create();
      context = await ctx.tmp('ctx');
      await writeFile(join(context, 'Dockerfile'), [
        `FROM ${REGISTRY_BASE_IMAGE}`,
        `RUN echo hello-${nonce} > /hello.txt`,
        'CMD ["cat", "/hello.txt"]',
        '',
      ].join('\n'));
      // The first build pulls the base image; every test after it starts from a warm cache.
      await ok(build(['-o', `type=local,dest=${ctx.path('warm')}`]));
    }, { timeout: 300_000 });
    after(async () => {
      await builders.cleanup();
      // The registry keeps the repository names, but not the images.
      for (const { repo: r, digest } of pushedManifests) {
        await fetch(`http://${REGISTRY}/v2/${r}/manifests/${digest}`, { method: 'DELETE' }).catch(() => undefined);
      }
    }, { timeout: 300_000 });

    it('--load streams the image into dockerd, tagged and runnable', { timeout: TEST_TIMEOUT }, async () => {
      const tag = ctx.tag(`${kind}-load`);
      const r = await ok(build(['--load', '-t', tag]));
      assert.match(r.stderr, /^#\d+ importing to docker$/m);
      assert.match(r.stderr, /^#\d+ exporting to docker image format$/m);
      assert.ok(!r.stderr.includes('WARNING: No output specified'));
      const listed = (await ctx.dockerOk(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'])).toString('utf8').split('\n');
      assert.ok(listed.includes(tag), `${tag} in docker image ls`);
      assert.equal(await runImage(tag), `hello-${nonce}\n`);
    });

    it('-o type=docker without dest loads too, with every -t tag', { timeout: TEST_TIMEOUT }, async () => {
      const [a, b] = [ctx.tag(`${kind}-docker-a`), ctx.tag(`${kind}-docker-b`)];
      await ok(build(['-o', 'type=docker', '-t', a, '-t', b]));
      assert.equal(await ctx.imageId(a), await ctx.imageId(b));
      assert.equal(await runImage(b), `hello-${nonce}\n`);
    });

    it('a load the engine refuses fails the build with the engine message', { timeout: TEST_TIMEOUT }, async () => {
      const sock = join(await ctx.tmp('engine'), 'docker.sock');
      const message = `fake engine refuses ${nonce}: no space left on device`;
      const engine = await refusingEngine(sock, message);
      try {
        const name = `tsbx-refusing-${ctx.id}`;
        await ctx.dockerOk(['context', 'create', name, '--docker', `host=unix://${sock}`]);
        const tag = ctx.tag(`${kind}-refused`);
        const r = await build(['-o', `type=docker,context=${name}`, '-t', tag]);
        assert.equal(r.code, 1, describeRun(r));
        assert.match(r.stderr, new RegExp(`^ERROR: failed to build: failed to solve: .*${message}$`, 'm'));
        assert.match(r.stderr, /^#\d+ importing to docker$/m);
        assert.equal(await ctx.imageExists(tag), false);
        const bad = await build(['-o', 'type=docker,context=no-such-context']);
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /^ERROR: failed to build: unable to parse docker host `no-such-context`$/m);
      } finally {
        engine.closeAllConnections();
        await new Promise<void>((r) => engine.close(() => r()));
      }
    });

    it('--load of two platforms is refused on a classic image store', { timeout: TEST_TIMEOUT }, async () => {
      const r = await build(['--load', '--platform', 'linux/amd64,linux/arm64']);
      assert.equal(r.code, 1, describeRun(r));
      assert.match(r.stderr, /^ERROR: failed to build: docker exporter does not currently support exporting manifest lists$/m);
    });

    for (const [label, args] of [
      ['--push', ['--push']],
      ['-o type=registry', ['-o', 'type=registry']],
      ['-o type=image,push=true,registry.insecure=true', ['-o', 'type=image,push=true,registry.insecure=true']],
    ] as const) {
      it(`${label} pushes to the registry; the metadata file names the pushed digest`, { timeout: TEST_TIMEOUT }, async () => {
        const tagName = `t${randomName(3)}`;
        const ref = `${REGISTRY}/${repo}/push:${tagName}`;
        const md = `${ctx.path('md')}.json`;
        await ok(build([...args, '-t', ref, '--metadata-file', md]));
        const meta = JSON.parse(await readFile(md, 'utf8')) as Record<string, unknown>;
        const pushed = await manifest(`${repo}/push`, tagName);
        assert.equal(meta['containerimage.digest'], pushed.digest);
        assert.equal(meta['image.name'], ref);
        if (pushed.body.config) assert.equal(meta['containerimage.config.digest'], pushed.body.config.digest);
      });
    }

    it('two platforms: RUN under emulation per platform, pushed as one index, exported per platform', { timeout: 2 * TEST_TIMEOUT }, async () => {
      const mp = await ctx.tmp('multi-platform');
      await writeFile(join(mp, 'Dockerfile'), `FROM ${REGISTRY_BASE_IMAGE}\nRUN uname -m > /arch\n`);
      const tagName = `mp${randomName(3)}`;
      await ok(build(['--platform', 'linux/amd64,linux/arm64', '--push', '-t', `${REGISTRY}/${repo}/mp:${tagName}`], { context: mp }));
      const index = await manifest(`${repo}/mp`, tagName);
      const platforms = (index.body.manifests ?? []) as { platform?: { os: string; architecture: string } }[];
      assert.deepEqual(platforms.map((m) => `${m.platform?.os}/${m.platform?.architecture}`).sort(), ['linux/amd64', 'linux/arm64']);
      const dest = ctx.path('mp-local');
      await ok(build(['--platform', 'linux/amd64,linux/arm64', '-o', `type=local,dest=${dest}`], { context: mp }));
      assert.equal(await readFile(join(dest, 'linux_amd64', 'arch'), 'utf8'), 'x86_64\n');
      assert.equal(await readFile(join(dest, 'linux_arm64', 'arch'), 'utf8'), 'aarch64\n');
    });

    it('pushing without a name is refused before anything runs', { timeout: TEST_TIMEOUT }, async () => {
      for (const args of [['--push'], ['-o', 'type=registry']]) {
        const r = await build(args);
        assert.equal(r.code, 1, describeRun(r));
        assert.equal(r.stderr, 'ERROR: failed to build: tag is needed when pushing to registry\n');
      }
    });

    it('--load --push together: loaded and pushed from one build', { timeout: TEST_TIMEOUT }, async () => {
      const tagName = `t${randomName(3)}`;
      const ref = `${REGISTRY}/${repo}/both:${tagName}`;
      const md = `${ctx.path('md')}.json`;
      await ok(build(['--load', '--push', '-t', ref, '--metadata-file', md]));
      try {
        assert.equal(await runImage(ref), `hello-${nonce}\n`);
        const pushed = await manifest(`${repo}/both`, tagName);
        const meta = JSON.parse(await readFile(md, 'utf8')) as Record<string, unknown>;
        assert.equal(meta['containerimage.digest'], pushed.digest);
      } finally {
        await ctx.docker(['image', 'rm', '--force', ref]);
      }
    });

    it('-o type=oci,dest=FILE writes an OCI archive naming the image', { timeout: TEST_TIMEOUT }, async () => {
      const file = `${ctx.path('oci')}.tar`;
      await ok(build(['-o', `type=oci,dest=${file}`, '-t', 'example.com/a/oci:v1']));
      const names = await tarList(file);
      assert.ok(names.includes('oci-layout') && names.includes('index.json'), names.join(' '));
      assert.ok(!names.includes('manifest.json'));
      const index = JSON.parse(await tarFile(file, 'index.json')) as { manifests: { digest: string; annotations: Record<string, string> }[] };
      assert.equal(index.manifests[0]!.annotations['io.containerd.image.name'], 'example.com/a/oci:v1');
      assert.ok(names.includes(`blobs/sha256/${index.manifests[0]!.digest.slice('sha256:'.length)}`));
    });

    it('-o type=oci without dest writes the archive to stdout', { timeout: TEST_TIMEOUT }, async () => {
      const r = await ok(build(['-o', 'type=oci']));
      const file = `${ctx.path('oci-stdout')}.tar`;
      await writeFile(file, r.stdout);
      const names = await tarList(file);
      assert.ok(names.includes('index.json') && names.includes('oci-layout') && names.some((n) => n.startsWith('blobs/sha256/')), names.join(' '));
      assert.ok(!r.stderr.includes('WARNING'));
    });

    it('-o type=oci,tar=false,dest=DIR writes an OCI layout directory, and adds to an existing one', { timeout: TEST_TIMEOUT }, async () => {
      const dir = join(ctx.path('layout'), 'nested', 'dest');
      await ok(build(['-o', `type=oci,tar=false,dest=${dir}`, '-t', 'example.com/a/layout:one']));
      const first = assertLayout(dir);
      assert.deepEqual(first.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']), ['one']);
      await ok(build(['-o', `type=oci,tar=false,dest=${dir}`, '-t', 'example.com/a/layout:two']));
      const second = assertLayout(dir);
      assert.deepEqual(second.manifests.map((m) => m.annotations?.['io.containerd.image.name']), ['example.com/a/layout:one', 'example.com/a/layout:two']);
      // Nothing left behind next to the destination.
      assert.deepEqual(readdirSync(join(dir, '..')), ['dest']);
    });

    it('-o type=docker,dest=FILE writes a docker archive that docker load accepts', { timeout: TEST_TIMEOUT }, async () => {
      const tag = ctx.tag(`${kind}-archive`);
      const file = `${ctx.path('docker')}.tar`;
      await ok(build(['-o', `type=docker,dest=${file}`, '-t', tag]));
      const names = await tarList(file);
      for (const n of ['manifest.json', 'index.json', 'oci-layout']) assert.ok(names.includes(n), `${n} in ${names.join(' ')}`);
      const manifest = JSON.parse(await tarFile(file, 'manifest.json')) as { RepoTags: string[]; Config: string; Layers: string[] }[];
      assert.deepEqual(manifest[0]!.RepoTags, [tag]);
      for (const p of [manifest[0]!.Config, ...manifest[0]!.Layers]) assert.ok(names.includes(p), p);
      assert.equal(await ctx.imageExists(tag), false, 'writing the archive loads nothing');
      await ctx.dockerOk(['load', '-i', file]);
      assert.equal(await runImage(tag), `hello-${nonce}\n`);
    });

    it('-o type=tar to a file and to stdout holds the root filesystem', { timeout: TEST_TIMEOUT }, async () => {
      const file = `${ctx.path('fs')}.tar`;
      await ok(build(['-o', `type=tar,dest=${file}`]));
      const names = await tarList(file);
      assert.ok(names.includes('hello.txt') && names.includes('bin/busybox'), names.slice(0, 20).join(' '));
      assert.equal(await tarFile(file, 'hello.txt'), `hello-${nonce}\n`);
      const r = await ok(build(['-o', '-']));
      const out = `${ctx.path('fs-stdout')}.tar`;
      await writeFile(out, r.stdout);
      assert.equal(await tarFile(out, 'hello.txt'), `hello-${nonce}\n`);
    });

    it('-o type=local writes the root filesystem into a directory', { timeout: TEST_TIMEOUT }, async () => {
      const dir = ctx.path('local');
      await ok(build(['-o', `type=local,dest=${dir}`]));
      assert.equal(await readFile(join(dir, 'hello.txt'), 'utf8'), `hello-${nonce}\n`);
      assert.ok(existsSync(join(dir, 'bin/busybox')));
    });

    it('-o type=local,mode=delete mirrors the result; outside the working directory it needs --allow', { timeout: TEST_TIMEOUT }, async () => {
      const dir = ctx.path('mirror');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'stale.txt'), 'from an earlier build\n');
      const refused = await build(['-o', `type=local,dest=${dir},mode=delete`]);
      assert.equal(refused.code, 1, describeRun(refused));
      assert.match(refused.stderr, new RegExp(`^ERROR: failed to build: local output mode=delete for destination "${dir}" requires --allow=buildx\\.local\\.delete$`, 'm'));
      assert.ok(existsSync(join(dir, 'stale.txt')), 'a refused build deletes nothing');
      await ok(build(['--allow', 'buildx.local.delete', '-o', `type=local,dest=${dir},mode=delete`]));
      assert.equal(await readFile(join(dir, 'hello.txt'), 'utf8'), `hello-${nonce}\n`);
      assert.equal(existsSync(join(dir, 'stale.txt')), false);
    });

    it('two outputs at once: a local directory and a tar file', { timeout: TEST_TIMEOUT }, async () => {
      const dir = ctx.path('multi-local');
      const file = `${ctx.path('multi')}.tar`;
      await ok(build(['-o', `type=local,dest=${dir}`, '-o', `type=tar,dest=${file}`]));
      assert.equal(await readFile(join(dir, 'hello.txt'), 'utf8'), `hello-${nonce}\n`);
      assert.equal(await tarFile(file, 'hello.txt'), `hello-${nonce}\n`);
    });

    it('-o type=cacheonly exports nothing and warns about nothing', { timeout: TEST_TIMEOUT }, async () => {
      const r = await ok(build(['-o', 'type=cacheonly']));
      assert.ok(!r.stderr.includes('WARNING'), r.stderr);
      assert.equal(r.stdout.length, 0);
    });

    it('no output: buildx\'s warning, once, after the progress', { timeout: TEST_TIMEOUT }, async () => {
      const r = await ok(build([]));
      const lines = r.stderr.split('\n');
      assert.deepEqual(lines.filter((l) => l.startsWith('WARNING')), [NO_OUTPUT_WARNING(kind)]);
      assert.ok(lines.indexOf(NO_OUTPUT_WARNING(kind)) > lines.findLastIndex((l) => /^#\d+ /.test(l)), 'after the last progress line');
      assert.equal(r.stdout.length, 0);
    });

    it('a builder created with default-load=true loads without --load', { timeout: TEST_TIMEOUT }, async () => {
      const loading = await builders.create(['default-load=true']);
      const tag = ctx.tag(`${kind}-default-load`);
      const r = await ok(build(['-t', tag], { builder: loading }));
      assert.ok(!r.stderr.includes('WARNING'), r.stderr);
      assert.equal(await runImage(tag), `hello-${nonce}\n`);
    });

    it('registry cache: exported by one build, reused by a builder with an empty cache', { timeout: 2 * TEST_TIMEOUT }, async () => {
      const cacheRef = `${REGISTRY}/${repo}/cache:${randomName(3)}`;
      const ctxDir = await ctx.tmp('cache-ctx');
      await writeFile(join(ctxDir, 'Dockerfile'), `FROM ${REGISTRY_BASE_IMAGE}\nRUN echo cached-${randomName()} > /c.txt\n`);
      await ok(build(['-o', 'type=cacheonly', '--cache-to', `type=registry,ref=${cacheRef},mode=max`], { context: ctxDir }));
      await manifest(`${repo}/cache`, cacheRef.slice(cacheRef.lastIndexOf(':') + 1));
      const fresh = await builders.create();
      const r = await ok(build(['-o', 'type=cacheonly', '--cache-from', `type=registry,ref=${cacheRef}`], { builder: fresh, context: ctxDir }));
      assert.match(r.stderr, /^#(\d+) \[2\/2\] RUN echo cached-\w+ > \/c\.txt\n(?:#\1 .*\n)*#\1 CACHED$/m);
    });

    it('local cache: exported to a directory, reused by a builder with an empty cache, both ways with reference buildx', { timeout: 3 * TEST_TIMEOUT }, async () => {
      // A step cached from imported layers lists their download and extraction before CACHED.
      const cached = /^#(\d+) \[2\/2\] RUN echo local-\w+ > \/c\.txt\n(?:#\1 .*\n)*#\1 CACHED$/m;
      const context = async () => {
        const dir = await ctx.tmp('lcache-ctx');
        await writeFile(join(dir, 'Dockerfile'), `FROM ${REGISTRY_BASE_IMAGE}\nRUN echo local-${randomName()} > /c.txt\n`);
        return dir;
      };
      const ours = await context();
      const dir = join(ctx.path('lcache'), 'nested');
      await ok(build(['-o', 'type=cacheonly', '--cache-to', `type=local,dest=${dir},mode=max`], { context: ours }));
      const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
      assert.deepEqual(index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']), ['latest']);
      for (const b of readdirSync(join(dir, 'blobs/sha256'))) assert.equal(sha256(readFileSync(join(dir, 'blobs/sha256', b))), `sha256:${b}`);
      assert.deepEqual(readdirSync(join(dir, 'ingest')), []);

      const r = await ok(build(['-o', 'type=cacheonly', '--cache-from', `type=local,src=${dir}`], { builder: await builders.create(), context: ours }));
      assert.match(r.stderr, cached);
      const byRef = await builders.reference(['build', '--builder', await builders.create(), '--progress=plain', '-o', 'type=cacheonly',
        '--cache-from', `type=local,src=${dir}`, ours]);
      assert.equal(byRef.code, 0, describeRun(byRef));
      assert.match(byRef.stderr, cached, 'reference buildx reads the cache tsbuildx wrote');

      const theirs = await context();
      const refDir = ctx.path('lcache-ref');
      const written = await builders.reference(['build', '--builder', builder, '--progress=plain', '-o', 'type=cacheonly',
        '--cache-to', `type=local,dest=${refDir},mode=max`, theirs]);
      assert.equal(written.code, 0, describeRun(written));
      const back = await ok(build(['-o', 'type=cacheonly', '--cache-from', `type=local,src=${refDir}`], { builder: await builders.create(), context: theirs }));
      assert.match(back.stderr, cached, 'tsbuildx reads the cache reference buildx wrote');
    });

    it('a local cache import with no index.json is skipped with buildx\'s warning', { timeout: TEST_TIMEOUT }, async () => {
      const missing = ctx.path('no-cache');
      const r = await ok(build(['-o', 'type=cacheonly', '--cache-from', `type=local,src=${missing}`]));
      const index = join(missing, 'index.json');
      assert.deepEqual(r.stderr.split('\n').filter((l) => l.startsWith('WARNING')),
        [`WARNING: local cache import at ${missing} skipped due to err: could not read ${index}: open ${index}: no such file or directory`]);
    });

    it('bad output values fail with one line and write nothing', { timeout: TEST_TIMEOUT }, async () => {
      const dir = ctx.path('never');
      for (const [args, message] of [
        [['-o', 'type=oci,tar=false'], 'dest is required for oci exporter'],
        [['-o', 'type=oci,tar=false,dest=-'], 'dest cannot be stdout for oci exporter'],
        [['-o', `type=tar,dest=${dir}/x.tar`, '-o', 'type=oci', '-o', '-'], 'multiple outputs configured to write to stdout'],
      ] as const) {
        const r = await build([...args]);
        assert.equal(r.code, 1, describeRun(r));
        assert.equal(r.stderr, `ERROR: failed to build: ${message}\n`);
        assert.equal(r.stdout.length, 0);
      }
      assert.ok(!existsSync(dir));
    });
  });
}
