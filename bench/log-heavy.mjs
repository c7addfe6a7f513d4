#!/usr/bin/env node
// Log-heavy builds with `--progress=plain --no-cache`, tsbuildx beside reference buildx in one run, the
// progress output going to a file: does every line the daemon sent reach the output, and at what client
// CPU time and peak RSS?
//
// Two builds:
//   single    one RUN printing --lines numbered lines (6,000,000 ≈ 47 MB). BuildKit clips step logs (v0.8
//             in dockerd 20.10: 200 KiB/s and 2 MiB per stream), printing `[output clipped, log limit …]`;
//             the check is then that every gap in the numbering follows such a message, for both tools.
//   parallel  --stages stages printing --stage-lines lines to stdout and as many to stderr each, after a
//             sleep that lets the whole burst fit the daemon's limits: nothing is clipped, so every line
//             must arrive, while plain interleaves the running steps.
// Each line ends with `.`, so a line cut short (plain ends an open line when it switches steps, the
// daemon cuts one when it clips) is never mistaken for a complete one.
//
// tsbuildx also runs once more with GITHUB_ACTIONS=true (grouped output, steps buffered up to 4 MiB).
// Reference buildx (v0.36.1) in plain mode stops making progress on larger parallel builds (seen with
// 4 × 180,000 and 16 × 100,000 lines per stream: its output stalls for minutes while it burns CPU; the
// same 4 × 180,000 build with --progress=rawjson takes it 32 s), hence the default of 8 × 100,000 (the
// largest seen to complete: ≈18 MB of step logs, ≈31 MB of plain output) and the --timeout after which
// a run is stopped and reported as timed out.
//   usage: node bench/log-heavy.mjs [--lines 6000000] [--stages 8] [--stage-lines 100000] [--timeout 300]
//                                   [--only reference|tsbuildx] [--skip single|parallel] [--keep]
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, referenceBuildx, table, tools } from './lib.mjs';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const LINES = Number(opt('lines', 6_000_000));
const STAGES = Number(opt('stages', 8));
const STAGE_LINES = Number(opt('stage-lines', 100_000));
const only = opt('only', undefined);
const skip = opt('skip', undefined);
const keep = argv.includes('--keep');
/** A run still going after this many seconds is stopped and reported as timed out. */
const TIMEOUT_S = Number(opt('timeout', 300));

const variants = [
  { name: 'reference', tool: 'reference', env: {} },
  { name: 'tsbuildx', tool: 'tsbuildx', env: {} },
  { name: 'tsbuildx GHA', tool: 'tsbuildx', env: { GITHUB_ACTIONS: 'true' } },
].filter((v) => !only || v.tool === only);
if (variants.some((v) => v.tool === 'reference') && !existsSync(referenceBuildx)) {
  console.error(`reference buildx not found at ${referenceBuildx}: run scripts/provision.sh go-tools`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'bench-logs-'));

/** Runs under /usr/bin/time with stderr (the progress output) going straight to `outFile`. */
function timedToFile(cmd, args, outFile, env) {
  return new Promise((resolve, reject) => {
    const tfile = `${outFile}.time`;
    const fd = openSync(outFile, 'w');
    const childEnv = { ...process.env, ...env };
    // a bench started inside GitHub Actions must still measure plain output unless asked otherwise
    if (!env.GITHUB_ACTIONS) delete childEnv.GITHUB_ACTIONS;
    delete childEnv.BUILDKIT_PROGRESS;
    const t0 = process.hrtime.bigint();
    // its own process group, so that a timeout stops the tool and not only /usr/bin/time
    const p = spawn('/usr/bin/time', ['-o', tfile, '-f', '%U %S %M', cmd, ...args], { stdio: ['ignore', 'ignore', fd], env: childEnv, detached: true });
    let timedOut = false;
    const signal = (sig) => {
      try {
        process.kill(-p.pid, sig);
      } catch {
        // already gone
      }
    };
    // SIGINT first (GNU time ignores it while it waits): the tool cancels the build on the daemon. If the
    // tool does not stop, SIGKILL it alone, so that time still writes its figures.
    const timer = setTimeout(() => {
      timedOut = true;
      signal('SIGINT');
      setTimeout(() => {
        try {
          for (const pid of readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8').split(' ').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }, 15_000).unref();
    }, TIMEOUT_S * 1000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      closeSync(fd);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      // /usr/bin/time still writes the figures of a killed command, after a line saying so
      const [user, sys, rss] = readFileSync(tfile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      if (code !== 0 && !timedOut) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}; see ${outFile}`));
      else resolve({ wall, cpu: user + sys, rssMB: rss / 1024, timedOut });
    });
  });
}

const CLIP = /\[output clipped, log limit [^\]]*\]/;
/** A log line of plain output, either tool, GHA or not: `#N <t> <text>`, or `#N <text>` continuing a line. */
const LOG = /^#\d+ (?:\d+\.\d+ )?(.*)$/;

/**
 * single: numbered lines `<i>.` must come in order; a jump is explained only by a clip message since the
 * last complete line. Returns lines received, clip messages, and unexplained gaps (client drops).
 */
function checkSingle(file) {
  const text = readFileSync(file, 'latin1');
  let expected = 1;
  let received = 0;
  let clips = 0;
  let clippedSince = false;
  let unexplained = 0;
  let firstProblem;
  for (const line of text.split('\n')) {
    const m = LOG.exec(line);
    if (!m) continue;
    const body = m[1];
    if (CLIP.test(body)) {
      clips++;
      clippedSince = true;
      continue;
    }
    const n = /^(\d+)\.$/.exec(body);
    if (!n) continue; // a cut line, or not ours
    const i = Number(n[1]);
    if (i !== expected && !clippedSince) {
      unexplained++;
      firstProblem ??= `expected ${expected}, got ${i}`;
    }
    expected = i + 1;
    received++;
    clippedSince = false;
  }
  // the daemon may clip the end away; otherwise the last line must be the last one printed
  if (expected !== LINES + 1 && !clippedSince && clips === 0) {
    unexplained++;
    firstProblem ??= `output ends at ${expected - 1} of ${LINES}`;
  }
  return { received, expected: LINES, clips, unexplained, firstProblem };
}

/** parallel: every `s<k><o|e><i>.` for k ≤ STAGES, i ≤ STAGE_LINES must appear (duplicates are counted apart). */
function checkParallel(file) {
  const text = readFileSync(file, 'latin1');
  const seen = new Map();
  let received = 0;
  let clips = 0;
  let duplicates = 0;
  for (const line of text.split('\n')) {
    const m = LOG.exec(line);
    if (!m) continue;
    if (CLIP.test(m[1])) {
      clips++;
      continue;
    }
    const n = /^s(\d+)([oe])(\d+)\.$/.exec(m[1]);
    if (!n) continue;
    const key = `${n[1]}${n[2]}`;
    let bits = seen.get(key);
    if (!bits) seen.set(key, (bits = new Uint8Array(STAGE_LINES + 1)));
    const i = Number(n[3]);
    if (bits[i]) duplicates++;
    bits[i] = 1;
    received++;
  }
  let missing = 0;
  let firstProblem;
  for (let k = 1; k <= STAGES; k++) {
    for (const s of ['o', 'e']) {
      const bits = seen.get(`${k}${s}`);
      for (let i = 1; i <= STAGE_LINES; i++) {
        if (bits?.[i]) continue;
        missing++;
        firstProblem ??= `s${k}${s}${i} missing`;
      }
    }
  }
  return { received: received - duplicates, expected: STAGES * 2 * STAGE_LINES, clips, unexplained: clips ? 0 : missing, missing, duplicates, firstProblem };
}

function singleContext() {
  const dir = mkdtempSync(join(work, 'single-'));
  writeFileSync(join(dir, 'Dockerfile'), `FROM busybox:local\nRUN awk 'BEGIN { for (i = 1; i <= ${LINES}; i++) print i "." }'\n`);
  return dir;
}

/** Bytes one stream of a parallel stage prints (an upper bound: every number at full width). */
const STREAM_BYTES = STAGE_LINES * `s${STAGES}o${STAGE_LINES}.\n`.length;
/** BuildKit v0.8 lets a stream write ceil(t)·200 KiB by t seconds, 2 MiB at most: sleep until the burst fits. */
const SLEEP = Math.ceil(STREAM_BYTES / (200 * 1024)) + 1;
if (STREAM_BYTES > 2 * 1024 * 1024) console.error(`warning: ${STREAM_BYTES} bytes per stream exceed the daemon's 2 MiB step log limit`);

function parallelContext() {
  const dir = mkdtempSync(join(work, 'parallel-'));
  const awk = (k, s, redirect) => `awk 'BEGIN { for (i = 1; i <= ${STAGE_LINES}; i++) print "s${k}${s}" i "."${redirect} }'`;
  const lines = [];
  for (let k = 1; k <= STAGES; k++) {
    lines.push(`FROM busybox:local AS s${k}`);
    lines.push(`RUN sleep ${SLEEP}; ${awk(k, 'o', '')}; ${awk(k, 'e', ' > "/dev/stderr"')}; echo ${k} > /done`);
  }
  lines.push('FROM busybox:local');
  for (let k = 1; k <= STAGES; k++) lines.push(`COPY --from=s${k} /done /done${k}`);
  writeFileSync(join(dir, 'Dockerfile'), `${lines.join('\n')}\n`);
  return dir;
}

const scenarios = [
  { name: 'single', make: singleContext, check: checkSingle, what: `1 RUN, ${LINES.toLocaleString('en')} lines` },
  { name: 'parallel', make: parallelContext, check: checkParallel, what: `${STAGES} parallel RUNs × 2 streams × ${STAGE_LINES.toLocaleString('en')} lines` },
].filter((s) => s.name !== skip);

const results = [];
try {
  for (const sc of scenarios) {
    const ctx = sc.make();
    for (const v of variants) {
      const out = join(work, `${sc.name}-${v.name.replace(/\W+/g, '_')}.log`);
      const [cmd, args] = tools[v.tool](['build', '--progress=plain', '--no-cache', ctx]);
      const t = await timedToFile(cmd, args, out, v.env);
      const c = sc.check(out);
      const bytes = readFileSync(out).length;
      results.push({ scenario: sc.name, what: sc.what, variant: v.name, ...t, ...c, bytes });
      console.error(`${sc.name} / ${v.name}: ${t.timedOut ? `TIMED OUT after ${TIMEOUT_S} s, ` : ''}cpu ${fmt(t.cpu)} s, rss ${fmt(t.rssMB, 1)} MB, ${c.received} lines${c.clips ? `, ${c.clips} clip messages` : ''}${c.firstProblem ? ` (${c.firstProblem})` : ''}`);
    }
  }
} finally {
  if (keep) console.error(`outputs kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

for (const sc of scenarios) {
  const rows = results.filter((r) => r.scenario === sc.name);
  if (rows.length === 0) continue;
  const ref = rows.find((r) => r.variant === 'reference');
  console.log(`\n${sc.name}: ${sc.what}, --progress=plain --no-cache, output to a file`);
  const head = ['tool', 'client CPU s', 'peak RSS MB', 'wall s', 'output MB', 'lines received', 'daemon clip msgs', 'client drops', 'CPU ×ref', 'RSS ×ref'];
  const body = rows.map((r) => [
    r.variant, fmt(r.cpu), fmt(r.rssMB, 1), `${fmt(r.wall)}${r.timedOut ? ' TIMED OUT' : ''}`, fmt(r.bytes / 1e6, 1), `${r.received.toLocaleString('en')} / ${r.expected.toLocaleString('en')}`,
    r.clips, r.timedOut ? 'n/a' : r.unexplained, ref ? fmt(r.cpu / ref.cpu) : '-', ref ? fmt(r.rssMB / ref.rssMB) : '-',
  ]);
  console.log(table([head, ...body]));
}
console.log('\nclient drops: lines missing from the output that no daemon clip message explains (must be 0).');
if (results.some((r) => r.timedOut)) console.log(`TIMED OUT: stopped after ${TIMEOUT_S} s (--timeout); its figures cover the run until then.`);
