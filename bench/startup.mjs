#!/usr/bin/env node
// Start-up: `version` and `ls` wall time, tsbuildx beside reference buildx and a bare `node -e 0`, runs
// alternating. `ls` runs once with only the default builder and once with a booted docker-container builder
// in the store (created by reference buildx), so both the engine ping and the container status are in it.
//   usage: node bench/startup.mjs [--runs 15] [--node PATH] [--compare DIR]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, median, numberOption, referenceBuildx, resultTable, roundOrder, timed, toolNames, tools, tsbuildxNode } from './lib.mjs';

const RUNS = numberOption('runs', 15);
const scratch = mkdtempSync(join(tmpdir(), 'bench-startup-'));
const empty = { DOCKER_CONFIG: join(scratch, 'docker-empty'), BUILDX_CONFIG: join(scratch, 'buildx-empty') };
const withContainer = { DOCKER_CONFIG: join(scratch, 'docker-dc'), BUILDX_CONFIG: join(scratch, 'buildx-dc') };
const builder = `bench-startup-${process.pid}`;

async function measure(set, tool, args, env) {
  const [cmd, argv] = tools[tool](args);
  set[tool].push(await timed(cmd, argv, { env }));
}

const sets = () => Object.fromEntries([...toolNames, 'node'].map((t) => [t, []]));
const results = { version: sets(), ls: sets(), lsContainer: sets() };
try {
  const created = spawnSync(referenceBuildx, ['create', '--name', builder, '--driver', 'docker-container', '--driver-opt', 'network=host', '--bootstrap'],
    { env: { ...process.env, ...withContainer }, encoding: 'utf8' });
  if (created.status !== 0) throw new Error(`create: ${created.stderr}`);
  for (let r = 0; r < RUNS; r++) {
    results.version.node.push(await timed(tsbuildxNode, ['-e', '0']));
    for (const t of roundOrder(r)) {
      await measure(results.version, t, ['version'], empty);
      await measure(results.ls, t, ['ls'], empty);
      await measure(results.lsContainer, t, ['ls'], withContainer);
    }
  }
  console.log(`medians of ${RUNS} runs per tool; tsbuildx on node ${spawnSync(tsbuildxNode, ['--version'], { encoding: 'utf8' }).stdout.trim()}`);
  console.log(`bare \`node -e 0\`: ${fmt(median(results.version.node.map((x) => x.wall)), 3)} s wall`);
  console.log(resultTable([
    ['version: wall s', results.version, 'wall'],
    ['ls (default builder): wall s', results.ls, 'wall'],
    ['ls (+ docker-container builder): wall s', results.lsContainer, 'wall'],
    ['ls (+ docker-container builder): CPU s', results.lsContainer, 'cpu'],
  ], 3));
} finally {
  spawnSync(referenceBuildx, ['rm', '--force', builder], { env: { ...process.env, ...withContainer } });
  rmSync(scratch, { recursive: true, force: true });
}
