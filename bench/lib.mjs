// Shared bench helpers: run a build command under GNU time, parse its rawjson progress, print tables.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
export const state = process.env.TSBUILDX_STATE ?? '/var/lib/tsbuildx-env';
export const referenceBuildx = process.env.REFERENCE_BUILDX ?? join(state, 'bin/buildx');

/** The value after `--NAME` on the command line, else `def`. */
export function option(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

/** A numeric `--NAME N`, else `def`. */
export const numberOption = (name, def) => Number(option(name, def));

/** Which node runs tsbuildx: `--node PATH` (e.g. the Node 24 that setup installs), else this one. */
export const tsbuildxNode = option('node', process.execPath);

/** `--compare DIR`: another built tsbuildx checkout (e.g. the commit before a change), measured as a third tool. */
export const compareRoot = option('compare', undefined);

/** The tools, run the same way: standalone binary with the same environment. */
export const tools = {
  reference: (args) => [referenceBuildx, args],
  tsbuildx: (args) => [tsbuildxNode, [join(repo, 'bin/run.js'), ...args]],
  ...(compareRoot ? { compare: (args) => [tsbuildxNode, [join(compareRoot, 'bin/run.js'), ...args]] } : {}),
};
export const toolNames = Object.keys(tools);

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One row per metric: each tool's median, then each tool's ratio to reference. */
export function resultTable(metrics, digits = 2) {
  const others = toolNames.filter((t) => t !== 'reference');
  const rows = [['metric', ...toolNames, ...others.map((t) => `${t}/reference`)]];
  for (const [label, set, key] of metrics) {
    const m = Object.fromEntries(toolNames.map((t) => [t, set[t]?.length ? median(set[t].map((x) => x[key])) : NaN]));
    rows.push([label, ...toolNames.map((t) => fmt(m[t], digits)), ...others.map((t) => (m.reference ? fmt(m[t] / m.reference) : '-'))]);
  }
  return table(rows);
}

/** Alternates the tools' order every round, so that drift on a busy machine falls on all of them. */
export const roundOrder = (r, names = toolNames) => (r % 2 ? [...names].reverse() : names);

/** Runs a command under /usr/bin/time; returns wall/user/sys seconds, peak RSS (kB) and output. */
export function timed(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    const tfile = join(dir, 'time');
    const t0 = process.hrtime.bigint();
    const p = spawn('/usr/bin/time', ['-o', tfile, '-f', '%U %S %M', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    const out = [];
    const err = [];
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => err.push(d));
    p.on('error', reject);
    p.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const [user, sys, rss] = readFileSync(tfile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      rmSync(dir, { recursive: true, force: true });
      const stderr = Buffer.concat(err).toString();
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${stderr.slice(-2000)}`));
      else resolve({ wall, cpu: user + sys, rssMB: rss / 1024, stdout: Buffer.concat(out).toString(), stderr });
    });
  });
}

const ns = (t) => {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(t);
  return BigInt(Date.parse(`${m[1]}Z`)) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0').slice(0, 9) || '0');
};

/** From a rawjson stream: bytes and seconds of the context transfer (the `transferring context` status). */
export function contextTransfer(rawjson) {
  let best;
  for (const line of rawjson.split('\n')) {
    if (!line.startsWith('{')) continue;
    const s = JSON.parse(line);
    for (const st of s.statuses ?? []) {
      if (!st.id.startsWith('transferring context')) continue;
      if (!best || (st.current ?? 0) >= best.current) best = { current: st.current ?? 0, started: st.started, completed: st.completed ?? st.timestamp };
    }
  }
  if (!best) return { bytes: 0, seconds: 0 };
  return { bytes: best.current, seconds: Number(ns(best.completed) - ns(best.started)) / 1e9 };
}

export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ')).join('\n');
}

export const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : String(n));

/**
 * A build context of `files` files totalling about `mb` MB in 2,000 directories, each file's content
 * distinct (an offset into a random block plus its index) so nothing dedups; its Dockerfile mounts the
 * context in a RUN, so the transfer is measured rather than a big layer commit.
 */
export function makeUploadContext(dir, { files, mb, from }) {
  writeFileSync(join(dir, 'Dockerfile'), `FROM ${from}\nRUN --mount=target=/ctx find /ctx -type f | wc -l\n`);
  const per = Math.floor((mb * 1024 * 1024) / files);
  const chunk = randomBytes(1 << 20);
  for (let i = 0; i < files; i++) {
    const sub = join(dir, `d${i % 100}`, `e${Math.floor(i / 100) % 20}`);
    if (i < 2000) mkdirSync(sub, { recursive: true });
    const off = (i * 7919) % ((1 << 20) - per - 16);
    writeFileSync(join(sub, `f${i}.bin`), Buffer.concat([Buffer.from(`${i}\n`), chunk.subarray(off, off + per)]));
  }
  return dir;
}
