// A build's status as an async iterable: hand `writer` to the build and iterate the events. The queue is
// bounded, so a consumer that falls behind slows the build's status stream down (through `ready()`)
// instead of letting it grow in memory.
import type { SolveStatus, VertexWarning } from './types.js';
import type { ProgressPrinter } from './writer.js';

export interface ProgressEventsOptions {
  /** Statuses held for a slow consumer before the producer is asked to wait; default 256. */
  highWaterMark?: number;
}

export class ProgressEvents implements AsyncIterable<SolveStatus> {
  private readonly queue: SolveStatus[] = [];
  private readonly seenWarnings: VertexWarning[] = [];
  private readonly limit: number;
  private closed = false;
  private abandoned = false;
  private failure: unknown;
  private wakeConsumer?: () => void;
  private wakeProducers: (() => void)[] = [];

  constructor(opts: ProgressEventsOptions = {}) {
    this.limit = Math.max(1, opts.highWaterMark ?? 256);
  }

  /** The error the producer closed with, once it has (undefined for a build that succeeded). */
  get error(): unknown {
    return this.failure;
  }

  /** The ProgressWriter end: give this to `build()` (or `bootBuilder()`). */
  readonly writer: ProgressPrinter = {
    write: (s) => {
      this.seenWarnings.push(...s.warnings);
      if (this.closed || this.abandoned) return;
      this.queue.push(s);
      this.wake();
    },
    close: async (error?: unknown) => {
      this.failure = error;
      this.closed = true;
      this.wake();
    },
    ready: () => (this.queue.length < this.limit || this.abandoned ? Promise.resolve() : new Promise((resolve) => this.wakeProducers.push(resolve))),
    warnings: this.seenWarnings,
  };

  private wake(): void {
    this.wakeConsumer?.();
    this.wakeConsumer = undefined;
  }

  private releaseProducers(): void {
    for (const resolve of this.wakeProducers.splice(0)) resolve();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SolveStatus> {
    try {
      for (;;) {
        const next = this.queue.shift();
        if (next) {
          if (this.queue.length < this.limit) this.releaseProducers();
          yield next;
          continue;
        }
        if (this.closed) return;
        await new Promise<void>((resolve) => { this.wakeConsumer = resolve; });
      }
    } finally {
      // A consumer that stops early must not leave the build waiting for it.
      this.abandoned = true;
      this.queue.length = 0;
      this.releaseProducers();
    }
  }
}

/** A writer whose statuses can be read with `for await`; see {@link ProgressEvents}. */
export function progressEvents(opts: ProgressEventsOptions = {}): ProgressEvents {
  return new ProgressEvents(opts);
}
