#!/usr/bin/env node
// Ctrl-C latency: a build whose RUN step sleeps is interrupted (SIGINT) once the step logs; the figure is
// the time from the signal to the client's exit, tsbuildx beside reference buildx, runs alternating. The
// e2e suite checks that the step really stops; this only measures how fast the client lets go.
//   usage: node bench/cancel.mjs [--runs 7] [--builder NAME] [--node PATH] [--compare DIR]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, median, numberOption, option, roundOrder, table, toolNames, tools } from './lib.mjs';

const RUNS = numberOption('runs', 7);
const builder = option('builder', undefined);
const base = option('base', builder ? '127.0.0.1:5000/busybox:latest' : 'busybox:local');

function interrupt(tool, dir, marker) {
  return new Promise((resolve, reject) => {
    const [cmd, args] = tools[tool](['build', '--progress=plain', ...(builder ? ['--builder', builder] : []), dir]);
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let sent;
    p.stderr.on('data', (d) => {
      err += d;
      if (sent === undefined && err.includes(marker)) {
        sent = process.hrtime.bigint();
        p.kill('SIGINT');
      }
    });
    p.on('error', reject);
    p.on('close', (code) => {
      if (sent === undefined) reject(new Error(`${tool}: the step never ran (exit ${code}):\n${err.slice(-2000)}`));
      else resolve({ ms: Number(process.hrtime.bigint() - sent) / 1e6, code });
    });
  });
}

const results = Object.fromEntries(toolNames.map((t) => [t, []]));
for (let r = 0; r < RUNS; r++) {
  for (const tool of roundOrder(r)) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-cancel-'));
    const marker = `sleeping-${process.pid}-${r}-${tool}`;
    // A unique step each time: nothing comes from the cache, so the step is really running when the signal goes.
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${base}\nRUN echo ${marker} && sleep 600\n`);
    try {
      results[tool].push(await interrupt(tool, dir, marker));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
const rows = [['tool', 'median ms SIGINT → exit', 'max ms', 'exit codes']];
for (const t of toolNames) {
  const ms = results[t].map((x) => x.ms);
  rows.push([t, fmt(median(ms), 0), fmt(Math.max(...ms), 0), [...new Set(results[t].map((x) => x.code))].join(',')]);
}
console.log(`${RUNS} runs per tool${builder ? ` on builder ${builder}` : ' on the default builder'}`);
console.log(table(rows));
