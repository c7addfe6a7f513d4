// The ProgressPrinter for `--progress=tty`: feeds the TtyRenderer and decides when to redraw. A frame is
// drawn at once when the last one is at least 100 ms old, otherwise as soon as it is; while nothing
// arrives a 150 ms ticker keeps the timers moving (TTY_DISPLAY_RATE=<ms> sets both). Frames are skipped,
// not queued, while the terminal is backed up: only the newest one matters.
import type { ProgressPrinter } from './writer.js';
import { colorSettings, loadStyler, noStyle, type ColorLevel } from './tty-colors.js';
import { TtyRenderer } from './tty.js';
import type { Nanos, SolveStatus, VertexWarning } from './types.js';
import { dedupWarnings } from './warnings.js';

/** The part of printer.ts's output sink the tty path uses. */
export interface OutputSink {
  readonly congested: boolean;
  write(text: string): void;
  ready(): Promise<void>;
  flushed(): Promise<void>;
  detach(): void;
}

export interface TtyPrinterOptions {
  out: NodeJS.WritableStream;
  /** Right-aligned on the header line, e.g. `docker:default`. */
  consoleDescription?: string;
  /** Local clock, epoch ns. */
  now: () => Nanos;
  env: Readonly<Record<string, string | undefined>>;
  /** Terminal size, read at every frame; default the stream's `columns`/`rows`, else 80×24. */
  columns?: () => number;
  rows?: () => number;
  /** Overrides the colour depth chosen from the environment (0 = no styling at all). */
  colorLevel?: ColorLevel;
  /** Wraps `out`; `onWritable` is called when a backed-up stream drains. */
  sink: (out: NodeJS.WritableStream, onWritable: () => void) => OutputSink;
  /** Monotonic milliseconds, for pacing only; default performance.now. */
  wallMs?: () => number;
}

/** What a tty stream adds to a writable: its size, and 'resize' when the terminal changes it. */
interface TerminalSize {
  columns?: number;
  rows?: number;
}

function logLinesFrom(env: Readonly<Record<string, string | undefined>>): number {
  const v = env.BUILDKIT_TTY_LOG_LINES;
  if (v === undefined || !/^\d+$/.test(v.trim())) return 6;
  return Number.parseInt(v, 10);
}

export function createTtyPrinter(opts: TtyPrinterOptions): ProgressPrinter {
  const { out, env } = opts;
  const wall = opts.wallMs ?? (() => performance.now());
  const term = out as NodeJS.WritableStream & TerminalSize;
  const settings = colorSettings(env);
  if (opts.colorLevel !== undefined) settings.level = opts.colorLevel;

  const renderer = new TtyRenderer({
    consoleDescription: opts.consoleDescription,
    now: opts.now,
    columns: opts.columns ?? (() => term.columns ?? 80),
    rows: opts.rows ?? (() => term.rows ?? 24),
    logLines: logLinesFrom(env),
  });

  let displayMs = 100;
  let tickerMs = 150;
  const rate = env.TTY_DISPLAY_RATE ? Number.parseInt(env.TTY_DISPLAY_RATE, 10) : Number.NaN;
  if (Number.isFinite(rate) && rate >= 0) displayMs = tickerMs = rate;

  const collected: VertexWarning[] = [];
  let closing: Promise<void> | undefined;
  let styled = settings.level === 0;
  let lastDraw: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let timerDue = Number.POSITIVE_INFINITY;

  const cancelTimer = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    timerDue = Number.POSITIVE_INFINITY;
  };
  const schedule = (ms: number) => {
    const due = wall() + ms;
    if (timer && timerDue <= due) return;
    cancelTimer();
    timerDue = due;
    timer = setTimeout(() => {
      timer = undefined;
      timerDue = Number.POSITIVE_INFINITY;
      draw();
    }, Math.max(0, ms));
    timer.unref?.();
  };
  const draw = () => {
    // A frame that cannot go out now is not kept: request() draws a fresh one when the way is clear.
    if (closing || !styled || sink.congested) return;
    lastDraw = wall();
    sink.write(renderer.frame());
    if (tickerMs > 0) schedule(tickerMs);
  };
  const request = () => {
    if (closing) return;
    const since = lastDraw === undefined ? Number.POSITIVE_INFINITY : wall() - lastDraw;
    if (since >= displayMs) {
      cancelTimer();
      draw();
    } else {
      schedule(displayMs - since);
    }
  };

  const sink = opts.sink(out, request);
  const onResize = () => request();
  out.on('resize', onResize);

  const styleLoaded = styled
    ? Promise.resolve()
    : loadStyler(settings)
      .catch(() => noStyle) // without chalk the display still works, just uncoloured
      .then((s) => {
        renderer.style = s;
        styled = true;
        request();
      });
  request();

  return {
    get warnings(): readonly VertexWarning[] {
      return dedupWarnings(collected);
    },

    write(ss: SolveStatus): void {
      if (closing) return;
      collected.push(...ss.warnings);
      renderer.write(ss);
      request();
    },

    ready(): Promise<void> {
      return sink.ready();
    },

    close(_error?: unknown): Promise<void> {
      // The build error itself is printed once by bin/ (`ERROR: …`), below the final frame.
      closing ??= (async () => {
        cancelTimer();
        out.removeListener('resize', onResize);
        await styleLoaded;
        sink.write(renderer.finish());
        await sink.flushed();
        sink.detach();
      })();
      return closing;
    },
  };
}
