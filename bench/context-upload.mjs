#!/usr/bin/env node
// Context upload on the docker driver, tsbuildx beside reference buildx in one run (issue 2):
// a FILES-file / SIZE_MB context sent by `build`; throughput of the transfer step, whole-build wall,
// client CPU and peak RSS; then an unchanged rerun (bytes re-sent, wall).
//   usage: node bench/context-upload.mjs [--files 20000] [--mb 500] [--rounds 2]
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextTransfer, makeUploadContext, numberOption, option, referenceBuildx, resultTable, roundOrder, timed, toolNames as allTools, tools } from './lib.mjs';

const FILES = numberOption('files', 20000);
const MB = numberOption('mb', 500);
const ROUNDS = numberOption('rounds', 2);
const only = option('only', undefined);
const toolNames = only ? [only] : allTools;
if (toolNames.includes('reference') && !existsSync(referenceBuildx)) {
  console.error(`reference buildx not found at ${referenceBuildx}: run scripts/provision.sh go-tools`);
  process.exit(2);
}

function makeContext() {
  return makeUploadContext(mkdtempSync(join(tmpdir(), 'bench-ctx-')), { files: FILES, mb: MB, from: 'busybox:local' });
}

/**
 * A fresh buildx state dir gives a fresh node id, so the context's shared key is new and the daemon has
 * nothing to diff against: every file is sent. (Pruning the engine's cache instead can crash dockerd
 * 20.10 while other builds run.) The rerun reuses the dir, so only changes would be sent.
 */
async function measure(tool, ctx) {
  const env = { BUILDX_CONFIG: mkdtempSync(join(tmpdir(), 'bench-bx-')) };
  const [cmd, args] = tools[tool](['build', '--progress=rawjson', '--no-cache', ctx]);
  const cold = await timed(cmd, args, { env });
  const ct = contextTransfer(cold.stderr);
  const [cmd2, args2] = tools[tool](['build', '--progress=rawjson', ctx]);
  const warm = await timed(cmd2, args2, { env });
  rmSync(env.BUILDX_CONFIG, { recursive: true, force: true });
  const wt = contextTransfer(warm.stderr);
  return {
    throughput: ct.bytes / 1e6 / ct.seconds, bytes: ct.bytes, transfer: ct.seconds, wall: cold.wall, cpu: cold.cpu, rss: cold.rssMB,
    rerunBytes: wt.bytes, rerunWall: warm.wall,
  };
}

const ctx = makeContext();
console.log(`context: ${FILES} files, ${MB} MB in ${ctx}`);
const results = Object.fromEntries(toolNames.map((t) => [t, []]));
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const tool of roundOrder(r, toolNames)) results[tool].push(await measure(tool, ctx));
  }
} finally {
  rmSync(ctx, { recursive: true, force: true });
}
const keys = [
  ['throughput', 'transfer MB/s (higher is better)'],
  ['transfer', 'transfer step s'],
  ['wall', 'whole build wall s'],
  ['cpu', 'client CPU s'],
  ['rss', 'client peak RSS MB'],
  ['rerunBytes', 'unchanged rerun: bytes sent'],
  ['rerunWall', 'unchanged rerun: wall s'],
];
console.log(`median of ${ROUNDS} rounds; each round: a cold build (fresh node id, so every file is sent; --no-cache) then an unchanged rerun`);
console.log(resultTable(keys.map(([k, label]) => [label, results, k])));
