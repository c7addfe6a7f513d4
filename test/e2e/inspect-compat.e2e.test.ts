// `inspect`, `ls` and `create --buildkitd-config` compared byte for byte with reference buildx on the
// same store: remote builders on a bare buildkitd this test starts, the default docker builder, and a
// docker-container builder booted by reference buildx with registry certificates in its config.
// Nothing is normalised but the order of `File#` blocks, which Go prints in map order.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { freePort, REFERENCE_BUILDX as REF, startBuildkitd, stopBuildkitd } from './buildkitd-daemon.js';
import { describeRun, e2eSuite, run, TEST_TIMEOUT, type RunResult } from './helpers.js';


/** Go prints stored files in map order; sort the `File#` blocks (each runs to the next unindented line). */
function sortFileBlocks(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let blocks: string[][] = [];
  const flush = () => {
    blocks.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    for (const b of blocks) out.push(...b);
    blocks = [];
  };
  for (const line of lines) {
    if (line.startsWith('File#')) blocks.push([line]);
    else if (blocks.length && line.startsWith(' ')) blocks[blocks.length - 1]!.push(line);
    else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out.join('\n');
}

e2eSuite('inspect, ls and create --buildkitd-config match reference buildx', (ctx) => {
  let dir = '';
  let store = '';
  let daemon: ChildProcess | undefined;
  let unixEp = '';
  let tcpEp = '';
  const env = (s = store) => ({ BUILDX_CONFIG: s, DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined, DEBUG: undefined });
  const ts = (args: string[], s?: string): Promise<RunResult> => ctx.buildx(args, { env: env(s), timeoutMs: 120_000 });
  const ref = (args: string[], s?: string): Promise<RunResult> => run(REF, args, { env: env(s), timeoutMs: 120_000 }, ctx.env);
  const ok = async (p: Promise<RunResult>): Promise<string> => {
    const r = await p;
    assert.equal(r.code, 0, describeRun(r));
    return r.stdout.toString('utf8');
  };
  /** Same exit status, stdout and stderr from both tools. */
  const same = async (args: string[], normalise = (s: string) => s) => {
    const [a, b] = [await ts(args), await ref(args)];
    assert.equal(a.code, b.code, `${args.join(' ')}: exit codes differ\n${describeRun(a)}\n${describeRun(b)}`);
    assert.equal(normalise(a.stdout.toString('utf8')), normalise(b.stdout.toString('utf8')), `${args.join(' ')}: stdout differs`);
    assert.equal(a.stderr, b.stderr, `${args.join(' ')}: stderr differs`);
    return a.stdout.toString('utf8');
  };

  before(async () => {
    assert.ok(existsSync(REF), `reference buildx not found at ${REF}`);
    // Outside the run's temp root, which the run's cleanup removes before the daemon below is stopped.
    dir = await mkdtemp(join(tmpdir(), `tsbuildx-e2e-${ctx.id}-inspect-`));
    store = join(dir, 'buildx');
    tcpEp = `tcp://127.0.0.1:${await freePort()}`;
    const d = await startBuildkitd(dir, ['--addr', tcpEp]);
    daemon = d.proc;
    unixEp = d.unixEndpoint;
  }, { timeout: 120_000 });

  after(async () => {
    await stopBuildkitd(daemon);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, { timeout: 30_000 });

  it('remote builders on a bare buildkitd: inspect (also --debug) and ls in every format', { timeout: TEST_TIMEOUT }, async () => {
    await ok(ref(['create', '--name', 'multi', '--driver', 'remote', '--platform', 'linux/arm64,linux/riscv64', '--driver-opt', 'default-load=true', unixEp]));
    await ok(ref(['create', '--name', 'multi', '--append', '--node', 'second', tcpEp]));
    await ok(ref(['create', '--name', 'multi', '--append', '--node', 'dead', `unix://${dir}/none.sock`]));
    await ok(ref(['create', '--name', 'single', '--driver', 'remote', tcpEp]));
    const text = await same(['inspect', 'multi']);
    assert.match(text, /^GC Policy rule#0:\n All: +false\n/m);
    assert.match(text, /^Labels:\n org\.mobyproject\.buildkit\.worker\.executor: +oci$/m);
    await same(['inspect', '--debug', 'multi']);
    await same(['inspect', 'single']);
    const json = await same(['ls', '--format', 'json']);
    assert.match(json, /"GCPolicy":\[\{"all":false,"filter":\["type==source\.local"/);
    await same(['ls']);
    await same(['ls', '--no-trunc']);
    // --format as a Go template over buildx's rows: builder rows, node rows, table headers, error lines.
    for (const format of ['{{.Name}} {{.DriverEndpoint}}', 'table {{.Name}}\t{{.Status}}\t{{.Buildkit}}', '{{json .}}',
      'table {{.Name}}\t{{.Platforms}}\t{{.LastActivity}}', '{{.Name}}|{{.Error}}', '{{if .Buildkit}}{{.Name}}={{.Buildkit}}{{end}}']) {
      await same(['ls', '--format', format]);
    }
  });

  it('ls refuses a --format that is not a template with buildx\'s line and exit 1, before any builder is loaded', { timeout: TEST_TIMEOUT }, async () => {
    for (const format of ['{{.Nope', '{{.Nope}}', 'table {{.Name}}\t{{.Driver}}', '{{nosuchfunc .Name}}']) {
      const r = await same(['ls', '--format', format]);
      assert.equal(r, '', `nothing on stdout for ${format}`);
    }
    const unclosed = await ts(['ls', '--format', '{{.Nope']);
    assert.equal(unclosed.code, 1);
    assert.equal(unclosed.stderr, 'ERROR: template parsing error: template: :1: unclosed action\n');
  });

  it('the default docker builder', { timeout: TEST_TIMEOUT }, async () => {
    await same(['inspect', 'default']);
    await same(['inspect', '--debug', 'default']);
    await same(['inspect']);
  });

  it('create --buildkitd-config stores the same instance file, certificates included', { timeout: TEST_TIMEOUT }, async () => {
    const certs = join(dir, 'certs');
    await mkdir(certs, { recursive: true });
    await writeFile(join(certs, 'ca.pem'), 'CA\n');
    await writeFile(join(certs, 'client.key'), 'KEY\n');
    await writeFile(join(certs, 'client.crt'), 'CRT\n');
    const configs: Record<string, string> = {
      plain: '# comment\ndebug = true\ninsecure-entitlements = [ "network.host" ]\n[worker.oci]\n  max-parallelism = 4\n  [[worker.oci.gcpolicy]]\n    all = true\n',
      certs: `[registry."reg.example:5000"]\n  ca = ["${certs}/ca.pem"]\n  [[registry."reg.example:5000".keypair]]\n    key = "${certs}/client.key"\n    cert = "${certs}/client.crt"\n[registry."docker.io"]\n  mirrors = ["mirror.gcr.io"]\n`,
    };
    for (const [name, content] of Object.entries(configs)) {
      const file = join(dir, `${name}.toml`);
      await writeFile(file, content);
      const [a, b] = [join(dir, `ts-${name}`), join(dir, `ref-${name}`)];
      const args = ['create', '--name', name, '--driver', 'docker-container', '--buildkitd-config', file];
      assert.equal(await ok(ts(args, a)), `${name}\n`);
      assert.equal(await ok(ref(args, b)), `${name}\n`);
      assert.equal(await readFile(join(a, 'instances', name), 'utf8'), await readFile(join(b, 'instances', name), 'utf8'), `${name}: instance files differ`);
    }
  });

  it('create --buildkitd-config fails like buildx, with nothing stored', { timeout: TEST_TIMEOUT }, async () => {
    const missingCA = join(dir, 'missing-ca.toml');
    await writeFile(missingCA, `[registry."r"]\n  ca = ["${dir}/nope.pem"]\n`);
    const broken = join(dir, 'broken.toml');
    await writeFile(broken, 'debug = "yes"\n');
    for (const config of [join(dir, 'absent.toml'), missingCA, broken, dir]) {
      const [a, b] = [join(dir, 'fail-ts'), join(dir, 'fail-ref')];
      const args = ['create', '--name', 'bad', '--driver', 'docker-container', '--buildkitd-config', config];
      const [x, y] = [await ts(args, a), await ref(args, b)];
      assert.equal(x.code, 1, describeRun(x));
      assert.equal(y.code, 1, describeRun(y));
      assert.equal(x.stderr, y.stderr);
      assert.deepEqual(await readdir(join(a, 'instances')).catch(() => []), []);
    }
  });

  it('a docker-container builder booted by reference buildx with certificates in its config', { timeout: TEST_TIMEOUT }, async () => {
    await ok(ts(['create', '--name', 'probe', '--driver', 'docker-container'], join(dir, 'probe')));
    const name = `tsbx_insp_${ctx.id}`;
    try {
      await ok(ref(['create', '--name', name, '--driver', 'docker-container', '--driver-opt', 'network=host',
        '--buildkitd-config', join(dir, 'certs.toml'), '--bootstrap']));
      const text = await same(['inspect', name], sortFileBlocks);
      assert.match(text, /^File#certs\/reg\.example_5000\/ca\.pem:\n > CA\n/m);
      await same(['inspect', '--debug', name], sortFileBlocks);
      await same(['ls', '--format', 'json']);
      await same(['ls']);
    } finally {
      await ref(['rm', name]);
    }
  });
});
