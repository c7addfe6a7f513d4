// The ProgressWriter the build command hands down: picks a renderer, paces plain output the way
// BuildKit's display loop does (at most one refresh per 100 ms while updates arrive, then one 150 ms
// after they stop), streams text as it is produced, and respects the output stream's backpressure.
import { GhaRenderer } from './gha.js';
import { PlainRenderer } from './plain.js';
import { QuietRenderer } from './quiet.js';
import { encodeRawJSON } from './rawjson.js';
import type { ColorLevel } from './tty-colors.js';
import { createTtyPrinter } from './tty-writer.js';
import type { Nanos, SolveStatus, VertexWarning } from './types.js';
import { dedupWarnings } from './warnings.js';
import type { ProgressPrinter } from './writer.js';

export interface ProgressWriterOptions {
  mode: 'plain' | 'rawjson' | 'quiet' | 'tty';
  out: NodeJS.WritableStream;
  /** Plain preamble, e.g. `building with "default" instance using docker driver`. */
  description?: string;
  /** tty: right-aligned on the header line, `<driver>:<builder>`, e.g. `docker:default`. */
  consoleDescription?: string;
  /** tty: terminal width, read at every frame; default `out.columns`, else 80. */
  columns?: () => number;
  /** tty: terminal height, read at every frame; default `out.rows`, else 24. */
  rows?: () => number;
  /** tty: colour depth (0 = no styling); default from NO_COLOR, COLORTERM and TERM in `env`. */
  colorLevel?: ColorLevel;
  /** Local clock, epoch nanoseconds. */
  now?: () => bigint;
  /**
   * Where PROGRESS_NO_TRUNC and TTY_DISPLAY_RATE (and for tty NO_COLOR, BUILDKIT_COLORS,
   * BUILDKIT_TTY_LOG_LINES) are read; default process.env, read once here.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * plain: group each step's lines with GitHub Actions `::group::` commands (gha.ts); default: whether
   * GITHUB_ACTIONS=true in `env`.
   */
  githubActions?: boolean;
}

interface Renderer {
  write(ss: SolveStatus): void;
  refresh(): string;
  finish(): string;
}

const MS = 1_000_000n;

function defaultClock(): () => Nanos {
  // monotonic, yet on the epoch scale so it can be compared with daemon timestamps
  const base = BigInt(Date.now()) * MS - process.hrtime.bigint();
  return () => base + process.hrtime.bigint();
}

/** Writes to a stream without outrunning it: while it is backed up, text queues until 'drain'. */
class Sink {
  private queue: string[] = [];
  private backedUp = false;
  private broken = false;
  private inFlight = 0;
  private waiters: Array<() => void> = [];
  private readonly onDrain = () => this.drained();
  private readonly onError = () => this.fail();

  constructor(private readonly out: NodeJS.WritableStream, private readonly onWritable: () => void) {
    // A closed stderr (EPIPE) must not crash the build; output is simply lost, as with Go's writes.
    out.on('error', this.onError);
  }

  get congested(): boolean {
    return this.backedUp;
  }

  write(text: string): void {
    if (text === '' || this.broken) return;
    if (this.backedUp) this.queue.push(text);
    else this.send(text);
  }

  ready(): Promise<void> {
    if (!this.backedUp || this.broken) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves when everything written so far has left for the stream. */
  async flushed(): Promise<void> {
    while (!this.broken && (this.backedUp || this.inFlight > 0)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  detach(): void {
    this.out.removeListener('drain', this.onDrain);
    this.out.removeListener('error', this.onError);
  }

  private send(text: string): void {
    this.inFlight++;
    const ok = this.out.write(text, () => {
      this.inFlight--;
      this.wake();
    });
    if (!ok && !this.broken) {
      this.backedUp = true;
      this.out.once('drain', this.onDrain);
    }
  }

  private drained(): void {
    this.backedUp = false;
    const text = this.queue.join('');
    this.queue = [];
    if (text !== '') this.send(text);
    if (!this.backedUp) {
      this.wake();
      this.onWritable();
    }
  }

  private fail(): void {
    this.broken = true;
    this.backedUp = false;
    this.queue = [];
    this.inFlight = 0;
    this.wake();
  }

  private wake(): void {
    if (this.backedUp && !this.broken) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Go's rate.Limiter with burst 1: an event is allowed when the previous allowed one is `every` old. */
class Limiter {
  private last?: Nanos;
  constructor(private readonly every: Nanos) {}
  allow(now: Nanos): boolean {
    if (this.every <= 0n || this.last === undefined || now - this.last >= this.every) {
      this.last = now;
      return true;
    }
    return false;
  }
}

export function createProgressWriter(opts: ProgressWriterOptions): ProgressPrinter {
  const env = opts.env ?? process.env;
  const now = opts.now ?? defaultClock();
  if (opts.mode === 'tty') {
    // the tty display paces itself (it redraws frames rather than appending text)
    return createTtyPrinter({
      out: opts.out, consoleDescription: opts.consoleDescription, now, env, columns: opts.columns, rows: opts.rows,
      colorLevel: opts.colorLevel, sink: (out, onWritable) => new Sink(out, onWritable),
    });
  }
  const collected: VertexWarning[] = [];
  let closing: Promise<void> | undefined;

  let renderer: Renderer | undefined;
  if (opts.mode === 'plain' && (opts.githubActions ?? env.GITHUB_ACTIONS === 'true')) {
    renderer = new GhaRenderer({ description: opts.description, truncateNames: env.PROGRESS_NO_TRUNC === '0', now });
  } else if (opts.mode === 'plain') {
    renderer = new PlainRenderer({ description: opts.description, truncateNames: env.PROGRESS_NO_TRUNC === '0', now });
  } else if (opts.mode === 'quiet') {
    renderer = new QuietRenderer();
  }

  // Pacing of plain output; rawjson prints every status as it comes and quiet prints nothing.
  let displayMs = 100;
  let tickerMs = 150;
  const rate = env.TTY_DISPLAY_RATE ? Number.parseInt(env.TTY_DISPLAY_RATE, 10) : Number.NaN;
  if (Number.isFinite(rate)) displayMs = tickerMs = rate;
  const limiter = new Limiter(BigInt(displayMs) * MS);
  let timer: NodeJS.Timeout | undefined;
  let lastUpdate = 0;

  const refresh = () => {
    if (renderer && !sink.congested) sink.write(renderer.refresh());
  };
  const sink = new Sink(opts.out, refresh);

  // BuildKit's ticker is reset by each update, so it fires only after a quiet spell; an idle-spell
  // refresh is what lets a waiting vertex take over the output after 10 s without new input. Idle time
  // is wall time, whatever clock the model is given.
  const tick = () => {
    timer = undefined;
    if (closing) return;
    const idle = performance.now() - lastUpdate;
    if (idle >= tickerMs) refresh();
    arm(idle >= tickerMs ? tickerMs : tickerMs - idle);
  };
  const arm = (ms: number) => {
    if (timer || tickerMs <= 0) return;
    timer = setTimeout(tick, ms);
    timer.unref();
  };

  return {
    get warnings(): readonly VertexWarning[] {
      return dedupWarnings(collected);
    },

    write(ss: SolveStatus): void {
      if (closing) return;
      collected.push(...ss.warnings);
      if (opts.mode === 'rawjson') {
        sink.write(encodeRawJSON(ss));
        return;
      }
      if (!renderer || opts.mode === 'quiet') return;
      renderer.write(ss);
      lastUpdate = performance.now();
      if (limiter.allow(now())) refresh();
      arm(tickerMs);
    },

    ready(): Promise<void> {
      return sink.ready();
    },

    close(_error?: unknown): Promise<void> {
      // The build error itself is printed once by bin/ (`ERROR: …`); progress only ends its blocks.
      closing ??= (async () => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        if (renderer) sink.write(renderer.finish());
        await sink.flushed();
        sink.detach();
      })();
      return closing;
    },
  };
}
