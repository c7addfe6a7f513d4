#!/usr/bin/env node
// The docker-container driver, tsbuildx beside reference buildx in one run (issue 3), both driving the
// same booted builder container:
//  1. context upload: a FILES-file / SIZE_MB context sent by a cold build (fresh node id, so every file
//     is sent), throughput from the `transferring context` status;
//  2. warm build: a small multi-step project whose steps are all cached, whole-command wall time.
// Rounds alternate the tools so drift on a shared machine hits both alike. Medians are printed.
//   usage: node bench/docker-container.mjs [--files 20000] [--mb 500] [--rounds 3] [--warm 10] [--node PATH]
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextTransfer, makeUploadContext, numberOption, referenceBuildx, resultTable, roundOrder, timed, toolNames, tools, tsbuildxNode } from './lib.mjs';

const FILES = numberOption('files', 20000);
const MB = numberOption('mb', 500);
const ROUNDS = numberOption('rounds', 3);
const WARM = numberOption('warm', 10);
const REGISTRY = process.env.TSBUILDX_REGISTRY ?? '127.0.0.1:5000';
if (!existsSync(referenceBuildx)) {
  console.error(`reference buildx not found at ${referenceBuildx}: run scripts/provision.sh go-tools`);
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), 'bench-dc-'));
const builder = `bench${process.pid}`;
const store = join(scratch, 'store');

function sh(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/** One booted builder, created by reference buildx (the store format is shared, so both tools use it). */
function createBuilder() {
  const config = join(scratch, 'buildkitd.toml');
  writeFileSync(config, `[registry."${REGISTRY}"]\n  http = true\n  insecure = true\n`);
  sh(referenceBuildx, ['create', '--name', builder, '--driver', 'docker-container', '--driver-opt', 'network=host',
    '--buildkitd-config', config, '--bootstrap'], { BUILDX_CONFIG: store });
}

/** A state dir holding only the builder: a fresh node id, so the daemon has nothing to diff against. */
function freshState() {
  const dir = mkdtempSync(join(scratch, 'state-'));
  mkdirSync(join(dir, 'instances'));
  cpSync(join(store, 'instances', builder), join(dir, 'instances', builder));
  return dir;
}

function makeWarmProject() {
  const dir = mkdtempSync(join(scratch, 'warm-'));
  writeFileSync(join(dir, 'Dockerfile'), [
    `FROM ${REGISTRY}/busybox:latest AS base`, 'RUN echo base > /base',
    'FROM base AS a', 'COPY a.txt /a.txt', 'RUN cat /a.txt > /a.out',
    'FROM base AS b', 'COPY b.txt /b.txt', 'RUN cat /b.txt > /b.out',
    'FROM base', 'COPY --from=a /a.out /', 'COPY --from=b /b.out /', 'RUN cat /a.out /b.out', '',
  ].join('\n'));
  writeFileSync(join(dir, 'a.txt'), 'a\n');
  writeFileSync(join(dir, 'b.txt'), 'b\n');
  return dir;
}

async function upload(tool, ctx) {
  const env = { BUILDX_CONFIG: freshState() };
  const [cmd, args] = tools[tool](['build', '--builder', builder, '--progress=rawjson', '--no-cache', ctx]);
  const r = await timed(cmd, args, { env });
  const t = contextTransfer(r.stderr);
  return { throughput: t.bytes / 1e6 / t.seconds, bytes: t.bytes, wall: r.wall, cpu: r.cpu, rss: r.rssMB };
}

async function warm(tool, project, state, mustBeCached = true) {
  const [cmd, args] = tools[tool](['build', '--builder', builder, '--progress=plain', project]);
  const r = await timed(cmd, args, { env: { BUILDX_CONFIG: state } });
  // The three RUN steps must come from the cache, or this is not the warm case being measured.
  if (mustBeCached && (r.stderr.match(/^#\d+ \[.*RUN .*\n#\d+ CACHED$/gm) ?? []).length < 3) {
    throw new Error(`${tool}: warm build was not all cached:\n${r.stderr}`);
  }
  return { wall: r.wall, cpu: r.cpu, rss: r.rssMB };
}

const names = toolNames;
try {
  createBuilder();
  const ctx = makeUploadContext(mkdtempSync(join(scratch, 'ctx-')), { files: FILES, mb: MB, from: `${REGISTRY}/busybox:latest` });
  const project = makeWarmProject();
  console.log(`builder ${builder} (docker-container, booted); upload context: ${FILES} files, ${MB} MB; tsbuildx on node ${spawnSync(tsbuildxNode, ['--version'], { encoding: 'utf8' }).stdout.trim()}`);
  const up = Object.fromEntries(names.map((t) => [t, []]));
  for (let r = 0; r < ROUNDS; r++) for (const t of roundOrder(r)) up[t].push(await upload(t, ctx));
  const states = Object.fromEntries(names.map((t) => [t, freshState()]));
  for (const t of names) await warm(t, project, states[t], false); // fill the cache; not measured
  const wm = Object.fromEntries(names.map((t) => [t, []]));
  for (let r = 0; r < WARM; r++) for (const t of roundOrder(r)) wm[t].push(await warm(t, project, states[t]));

  const metrics = [
    ['upload: transfer MB/s (higher is better)', up, 'throughput'],
    ['upload: whole build wall s', up, 'wall'],
    ['upload: client CPU s', up, 'cpu'],
    ['upload: client peak RSS MB', up, 'rss'],
    ['warm all-cached build: wall s', wm, 'wall'],
    ['warm all-cached build: client CPU s', wm, 'cpu'],
  ];
  console.log(`medians: upload ${ROUNDS} rounds per tool, warm build ${WARM} runs per tool`);
  console.log(resultTable(metrics));
} finally {
  spawnSync(referenceBuildx, ['rm', '--force', builder], { env: { ...process.env, BUILDX_CONFIG: store } });
  rmSync(scratch, { recursive: true, force: true });
}
