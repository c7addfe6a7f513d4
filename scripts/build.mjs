#!/usr/bin/env node
// Build: generate protobuf code from src/proto/*.proto, compile src (and tests), write the oclif manifest.
// Each step is skipped when its outputs are newer than its inputs, so repeated builds are cheap.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

function newest(dir, filter) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, filter));
    else if (filter(e.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

// 1. protobuf: one static module for all our .proto files, plus its typings.
const protoDir = join(root, 'src/proto');
const genDir = join(protoDir, 'gen');
const genJs = join(genDir, 'buildkit.js');
const protos = readdirSync(protoDir).filter((f) => f.endsWith('.proto')).sort();
if (mtime(genJs) < newest(protoDir, (n) => n.endsWith('.proto'))) {
  mkdirSync(genDir, { recursive: true });
  run(bin('pbjs'), ['-t', 'static-module', '-w', 'es6', '--keep-case', '--no-service', '--no-verify',
    '--no-delimited', '-p', protoDir, '-o', genJs, ...protos.map((p) => join(protoDir, p))]);
  run(bin('pbts'), ['--no-comments', '-o', join(genDir, 'buildkit.d.ts'), genJs]);
}

// 2. TypeScript.
const withTests = process.argv.includes('--tests') || process.argv.includes('--all');
// Compiled files of sources that were removed or moved must not linger: a stale module would still load
// (and a stale test still run).
rmSync(join(root, 'dist'), { recursive: true, force: true });
if (withTests) rmSync(join(root, 'dist-test'), { recursive: true, force: true });
run(bin('tsc'), ['-p', 'tsconfig.json']);
cpSync(genDir, join(root, 'dist/proto/gen'), { recursive: true });
if (withTests) {
  run(bin('tsc'), ['-p', 'tsconfig.test.json']);
  cpSync(genDir, join(root, 'dist-test/src/proto/gen'), { recursive: true });
}

// 3. The CLI bundle: one file holding our code and its runtime dependencies. Resolving and reading the
// ~340 modules separately made up about a third of a warm build's wall time (bench/docker-container.mjs).
// dockerode is bundled (kept external, it added ~300 ms to `ls`: its module tree and a second grpc-js) and
// initialised only at the first `import('dockerode')` (src/docker/engine.ts). It gets stand-ins for what it
// loads but we never call (bundle-stubs.cjs): ssh2 and @grpc/proto-loader were most of its load time; its
// BuildKit progress decoder (with a protobufjs of its own), tar-fs and @balena/dockerignore only serve
// buildImage. docker-modem's readable-stream (its duplex for attach/exec with open stdin, unused here)
// becomes Node's own stream module. Measured: the import costs ~5 ms in `ls` this way.
const REPLACED = /^(ssh2|@grpc\/proto-loader|tar-fs|@balena\/dockerignore|\.\/buildkit|readable-stream)$/;
const FROM_DOCKERODE = /[\\/]node_modules[\\/](dockerode|docker-modem)[\\/]/;
const dockerodeStubs = {
  name: 'dockerode-stubs',
  setup(b) {
    b.onResolve({ filter: REPLACED }, (args) => {
      if (!FROM_DOCKERODE.test(args.importer)) return undefined;
      return { path: args.path, namespace: args.path === 'readable-stream' ? 'node-stream' : 'dockerode-stub' };
    });
    b.onLoad({ filter: /.*/, namespace: 'dockerode-stub' }, (args) => ({
      contents: `module.exports = require('./bundle-stubs.cjs')(${JSON.stringify(args.path)});`,
      resolveDir: join(root, 'scripts'),
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'node-stream' }, () => ({ contents: "module.exports = require('node:stream');", loader: 'js' }));
  },
};
// The kubernetes client library (~5 MB bundled, ~100 ms to load) is loaded only by the kubernetes
// driver, through src/drivers/kubernetes/kube-client.ts: that module becomes a file of its own beside the
// bundle, so no other command reads it.
const kubeClientFile = {
  name: 'kube-client-file',
  setup(b) {
    b.onResolve({ filter: /[\\/]?kube-client\.js$/ }, (args) => (args.importer.includes(join('drivers', 'kubernetes')) ? { path: './kube-client.js', external: true } : undefined));
  },
};
const requireBanner = "import { createRequire as __tsbuildxRequire } from 'node:module'; const require = __tsbuildxRequire(import.meta.url);";
const { build: esbuild } = await import('esbuild');
await esbuild({
  entryPoints: [join(root, 'dist/drivers/kubernetes/kube-client.js')],
  outfile: join(root, 'dist/cli/kube-client.js'),
  bundle: true,
  // Its URL parser requires Node's own punycode, which Node 22+ warns about on stderr at every load:
  // the npm package of the same code instead.
  alias: { punycode: 'punycode/' },
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: { js: requireBanner },
  logLevel: 'warning',
});
await esbuild({
  plugins: [dockerodeStubs, kubeClientFile],
  entryPoints: [join(root, 'dist/commands/index.js')],
  outfile: join(root, 'dist/cli/bundle.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // oclif's TypeScript support for development setups is never used by the built CLI.
  external: ['typescript', 'ts-node'],
  // main.ts tells oclif's flag errors apart by class name.
  keepNames: true,
  // CommonJS dependencies call require() for Node's own modules.
  banner: { js: requireBanner },
  logLevel: 'warning',
});

// 4. Version stamp read by `version` and the plugin metadata: buildx's version line shape, our own build.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
let revision = '';
try {
  revision = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  // not a git checkout
}
writeFileSync(join(root, 'dist/cli/build-info.json'), JSON.stringify({ version: `v${pkg.buildxVersion}+tsbuildx.${pkg.version}`, revision }) + '\n');

// 5. oclif manifest, so that oclif finds commands without loading them.
const { Plugin } = await import('@oclif/core');
const plugin = new Plugin({ root, type: 'core', isRoot: true, ignoreManifest: true, errorOnManifestCreate: true });
await plugin.load();
const manifest = plugin.manifest;
writeFileSync(join(root, 'oclif.manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
