// The interface between whatever produces solve status (a build, a boot) and whatever shows it.
import type { SolveStatus, VertexWarning } from './types.js';

/**
 * Where the library sends progress. The command picks the renderer and hands one of these down;
 * nothing below the command ever chooses how progress looks.
 */
export interface ProgressWriter {
  /** Feed one status update (vertices, statuses, logs, warnings). */
  write(status: SolveStatus): void;
  /** Flush and print the final frame/summary. `error` is the build failure, if any. Resolves when all output is written. */
  close(error?: unknown): Promise<void>;
  /** Resolves once the output has taken what was written: lets a producer apply backpressure. */
  ready?(): Promise<void>;
  /** Warnings collected so far (for the end-of-build list). */
  readonly warnings: readonly VertexWarning[];
}

/** For callers that show nothing: takes every status and drops it. */
export const discardProgress: ProgressWriter = { write() {}, async close() {}, warnings: [] };

/** A ProgressWriter that can also tell a producer to wait while the output is backed up. */
export interface ProgressPrinter extends ProgressWriter {
  /** Resolves once the output stream has accepted what was written (immediately if it is not backed up). */
  ready(): Promise<void>;
}
