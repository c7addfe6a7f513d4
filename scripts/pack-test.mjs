#!/usr/bin/env node
// The package as users get it: `npm pack`, installed into a fresh project, then imported (ESM) on every
// Node this project supports and type-checked against its declarations by a strict TypeScript consumer,
// without skipLibCheck. Exits non-zero on the first failure.
//   usage: node scripts/pack-test.mjs [NODE_BINARY ...]   (default: the running node)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const nodes = process.argv.slice(2).length ? process.argv.slice(2) : [process.execPath];
const work = mkdtempSync(join(tmpdir(), 'tsbuildx-pack-'));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

try {
  run('npm', ['pack', '--silent', '--pack-destination', work], root);
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')));
  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const typesNode = JSON.parse(run('node', ['-p', 'JSON.stringify(require("@types/node/package.json").version)'], root));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball, `@types/node@${typesNode}`], app);

  writeFileSync(join(app, 'main.mjs'), `
import * as tsbuildx from 'tsbuildx';
const want = ['build', 'prepareBuild', 'listBuilders', 'inspectBuilder', 'createBuilder', 'removeBuilder', 'bootBuilder',
  'progressEvents', 'createProgressWriter', 'formatInspect', 'formatLsTable', 'parseOutput', 'BuildxError'];
const missing = want.filter((n) => !(n in tsbuildx));
if (missing.length) throw new Error('missing exports: ' + missing.join(', '));
const out = tsbuildx.parseOutput('type=local,dest=out');
if (out.type !== 'local' || out.destination !== 'out') throw new Error('parseOutput: ' + JSON.stringify(out));
const events = tsbuildx.progressEvents();
events.writer.write({ vertexes: [], statuses: [], logs: [], warnings: [] });
await events.writer.close();
let n = 0;
for await (const _ of events) n++;
if (n !== 1) throw new Error('progressEvents yielded ' + n);
console.log('ok ' + process.version);
`);
  for (const node of nodes) process.stdout.write(`pack-test: import on ${run(node, ['main.mjs'], app)}`);
  const version = run(nodes[0], [join(app, 'node_modules/.bin/buildx'), 'version'], app);
  if (!version.startsWith('github.com/docker/buildx v')) throw new Error(`buildx version: ${version}`);
  process.stdout.write(`pack-test: bin: ${version}`);

  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
    files: ['check.ts'],
  }));
  writeFileSync(join(app, 'check.ts'), `
import { build, inspectBuilder, progressEvents, type BuildRequest, type BuildResult, type BuilderInfo, type SolveStatus } from 'tsbuildx';
const request: BuildRequest = { context: '.', tags: ['x:y'], platforms: ['linux/amd64'], outputs: [{ type: 'local', destination: 'out', attrs: {} }] };
export async function typed(): Promise<string | undefined> {
  const events = progressEvents();
  const pending: Promise<BuildResult> = build(request, { progress: events.writer, signal: AbortSignal.timeout(1000) });
  for await (const s of events) { const v: SolveStatus = s; void v.vertexes.length; }
  const info: BuilderInfo = await inspectBuilder(undefined);
  void info.nodes.map((n) => n.status);
  return (await pending).imageId;
}
`);
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', app], app);
  process.stdout.write('pack-test: declarations type-check (strict, skipLibCheck off)\n');
} catch (err) {
  process.stderr.write(`pack-test failed: ${err.stderr || err.stdout || err.message}\n`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
