#!/usr/bin/env node
// A 2-platform push (linux/amd64 + linux/arm64, each with a CPU-bound RUN, arm64 under QEMU) on a
// builder of two docker-container nodes (one created per platform) against the same build on one node,
// and each platform alone on the 2-node builder, so the split build can be set against the slower
// platform rather than the sum. Both tools use the same builders (made by reference buildx); every
// build gets a fresh build arg, so nothing is cached; tools alternate each round.
//   usage: node bench/multi-node.mjs [--rounds 3] [--loop 200000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, median, numberOption, resultTable, roundOrder, table, timed, toolNames, tools } from './lib.mjs';

const ROUNDS = numberOption('rounds', 3);
const LOOP = numberOption('loop', 200000);
const REGISTRY = process.env.TSBUILDX_REGISTRY ?? '127.0.0.1:5000';
const dockerConfig = mkdtempSync(join(tmpdir(), 'bench-mn-'));
const env = { DOCKER_CONFIG: dockerConfig, BUILDX_BUILDER: '' };
const id = process.pid.toString(36);
const context = `bench-mn-${id}`;

function docker(args) {
  const r = spawnSync('docker', args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const run = (tool, args) => { const [cmd, a] = tools[tool](args); return timed(cmd, a, { env }); };

const dir = mkdtempSync(join(tmpdir(), 'bench-mn-ctx-'));
const config = join(dir, 'buildkitd.toml');
writeFileSync(config, `[registry."${REGISTRY}"]\n  http = true\n  insecure = true\n`);
writeFileSync(join(dir, 'Dockerfile'), `FROM ${REGISTRY}/busybox:latest\nARG NONCE\nRUN echo $NONCE; i=0; while [ $i -lt ${LOOP} ]; do i=$((i+1)); done; uname -m > /arch\n`);
const create = (name, ...extra) => ['create', '--name', name, '--driver', 'docker-container', '--driver-opt', 'network=host', '--buildkitd-config', config, ...extra];
const two = `bmn2${id}`;
const one = `bmn1${id}`;
const measures = { split: {}, single: {}, amd64: {}, arm64: {} };
for (const m of Object.values(measures)) for (const t of toolNames) m[t] = [];
let n = 0;
const build = (tool, builder, platforms) =>
  run(tool, ['build', '--builder', builder, '--platform', platforms, '--build-arg', `NONCE=${id}-${n++}`, '--progress', 'plain',
    '-t', `${REGISTRY}/bench-mn-${id}:${tool}`, '--push', dir]);
try {
  docker(['context', 'create', context, '--docker', `host=${process.env.DOCKER_HOST || 'unix:///var/run/docker.sock'}`]);
  await run('reference', create(two, '--node', `${two}0`, '--platform', 'linux/amd64', '--bootstrap'));
  await run('reference', create(two, '--append', '--node', `${two}1`, '--platform', 'linux/arm64', '--bootstrap', context));
  await run('reference', create(one, '--bootstrap'));
  // The base image is pulled once per node before anything is timed.
  for (const tool of toolNames) { await build(tool, two, 'linux/amd64,linux/arm64'); await build(tool, one, 'linux/amd64,linux/arm64'); }
  for (let r = 0; r < ROUNDS; r++) {
    for (const tool of roundOrder(r)) {
      measures.split[tool].push(await build(tool, two, 'linux/amd64,linux/arm64'));
      measures.single[tool].push(await build(tool, one, 'linux/amd64,linux/arm64'));
      measures.amd64[tool].push(await build(tool, two, 'linux/amd64'));
      measures.arm64[tool].push(await build(tool, two, 'linux/arm64'));
    }
  }
} finally {
  for (const b of [two, one]) await run('reference', ['rm', b]).catch(() => {});
  spawnSync('docker', ['context', 'rm', '-f', context], { env: { ...process.env, ...env } });
  rmSync(dir, { recursive: true, force: true });
  rmSync(dockerConfig, { recursive: true, force: true });
}

console.log(`multi-node: ${ROUNDS} rounds per tool; 2 platforms pushed, RUN loop of ${LOOP} (arm64 under QEMU)`);
console.log(resultTable([
  ['2 nodes, 2 platforms wall s', measures.split, 'wall'],
  ['1 node, 2 platforms wall s', measures.single, 'wall'],
  ['2 nodes, amd64 alone wall s', measures.amd64, 'wall'],
  ['2 nodes, arm64 alone wall s', measures.arm64, 'wall'],
]));
const med = (set, t) => median(set[t].map((x) => x.wall));
console.log(table([
  ['tool', '2 nodes / 1 node', '2 nodes / slower platform alone', '2 nodes / sum of platforms'],
  ...toolNames.map((t) => {
    const split = med(measures.split, t);
    const slower = Math.max(med(measures.amd64, t), med(measures.arm64, t));
    return [t, fmt(split / med(measures.single, t)), fmt(split / slower), fmt(split / (med(measures.amd64, t) + med(measures.arm64, t)))];
  }),
]));
