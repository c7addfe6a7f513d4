// Constructed solve-status streams with fixed timestamps, shaped like what BuildKit sends for ordinary
// builds, and a harness that plays them through a progress writer with a clock that follows them.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { createProgressWriter } from '../../../src/progress/printer.js';
import type { ProgressPrinter } from '../../../src/progress/writer.js';
import type { Nanos, SolveStatus, Vertex, VertexStatus, VertexWarning } from '../../../src/progress/types.js';

/** 2023-11-14T22:13:20Z: every stream starts here. */
export const T0 = 1_700_000_000_000_000_000n;

export function at(ms: number): Nanos {
  return T0 + BigInt(Math.round(ms * 1_000_000));
}

export function dg(seed: string): string {
  return `sha256:${createHash('sha256').update(seed).digest('hex')}`;
}

export function ss(part: Partial<SolveStatus>): SolveStatus {
  return { vertexes: [], statuses: [], logs: [], warnings: [], ...part };
}

/** Several updates delivered in one StatusResponse. */
export function batch(...parts: SolveStatus[]): SolveStatus {
  return {
    vertexes: parts.flatMap((p) => p.vertexes),
    statuses: parts.flatMap((p) => p.statuses),
    logs: parts.flatMap((p) => p.logs),
    warnings: parts.flatMap((p) => p.warnings),
  };
}

interface VtxOpts {
  started?: number;
  completed?: number;
  cached?: boolean;
  error?: string;
  inputs?: string[];
  group?: { id: string; name: string; weak: boolean };
}

export function vtx(digest: string, name: string, o: VtxOpts = {}): SolveStatus {
  const v: Vertex = {
    digest,
    inputs: o.inputs ?? [],
    name,
    cached: o.cached ?? false,
    started: o.started === undefined ? undefined : at(o.started),
    completed: o.completed === undefined ? undefined : at(o.completed),
    error: o.error,
    progressGroup: o.group,
  };
  return ss({ vertexes: [v] });
}

export function log(vertex: string, ms: number, text: string | Buffer, stream = 1): SolveStatus {
  return ss({ logs: [{ vertex, stream, data: Buffer.isBuffer(text) ? text : Buffer.from(text), timestamp: at(ms) }] });
}

interface StatusOpts {
  current?: number;
  total?: number;
  started?: number;
  completed?: number;
}

export function st(vertex: string, id: string, ms: number, o: StatusOpts = {}): SolveStatus {
  const s: VertexStatus = {
    id,
    vertex,
    name: '',
    current: o.current ?? 0,
    total: o.total ?? 0,
    timestamp: at(ms),
    started: o.started === undefined ? undefined : at(o.started),
    completed: o.completed === undefined ? undefined : at(o.completed),
  };
  return ss({ statuses: [s] });
}

export function warn(vertex: string, short: string, extra: Partial<VertexWarning> = {}): SolveStatus {
  return ss({ warnings: [{ vertex, level: 1, short: Buffer.from(short), detail: [], url: '', ranges: [], ...extra }] });
}

/** When a status reaches the client: its newest timestamp (never earlier than the previous one). */
export function arrival(s: SolveStatus, prev: Nanos): Nanos {
  let t = prev;
  const see = (x: Nanos | undefined) => {
    if (x !== undefined && x > t) t = x;
  };
  for (const v of s.vertexes) {
    see(v.started);
    see(v.completed);
  }
  for (const x of s.statuses) {
    see(x.timestamp);
    see(x.started);
    see(x.completed);
  }
  for (const l of s.logs) see(l.timestamp);
  return t;
}

export class Capture extends Writable {
  readonly chunks: string[] = [];
  constructor() {
    super({ decodeStrings: false });
  }
  override _write(chunk: string | Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    cb();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

export interface PlayOptions {
  mode: 'plain' | 'rawjson' | 'quiet';
  description?: string;
  /** Default: one refresh per status (TTY_DISPLAY_RATE=0), which is what the goldens record. */
  env?: Record<string, string>;
}

/** Plays a stream into a fresh writer, clock following the stream; returns the output and the writer. */
export async function play(stream: readonly SolveStatus[], opts: PlayOptions): Promise<{ text: string; writer: ProgressPrinter }> {
  const out = new Capture();
  let clock = T0;
  const writer = createProgressWriter({
    mode: opts.mode,
    out,
    description: opts.description,
    now: () => clock,
    env: opts.env ?? { TTY_DISPLAY_RATE: '0' },
  });
  for (const s of stream) {
    clock = arrival(s, clock);
    writer.write(s);
  }
  await writer.close();
  return { text: out.text, writer };
}

export function fixturesDir(): string {
  // Tests run compiled from a different tree; the fixtures stay in the source tree.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'test/unit/progress/fixtures');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('test/unit/progress/fixtures not found above the test file');
    dir = up;
  }
}

/** Compares with a golden file; UPDATE_GOLDEN=1 rewrites it instead (review the diff before keeping it). */
export function golden(name: string, actual: string): void {
  const file = join(fixturesDir(), name);
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `missing golden ${name} (run with UPDATE_GOLDEN=1 to create it)`);
  assert.equal(actual, readFileSync(file, 'utf8'), `output differs from ${name}`);
}
