import type { SolveStatus } from './types.js';
import type { ProgressWriter } from './writer.js';

/**
 * A writer that also hands every status to `observer` (summary, timeline) before `writer` renders it;
 * closing, backpressure and warnings stay the writer's own.
 */
export function observeProgress(writer: ProgressWriter, observer: (ss: SolveStatus) => void): ProgressWriter & { ready(): Promise<void> } {
  return {
    write(ss: SolveStatus): void {
      observer(ss);
      writer.write(ss);
    },
    close: (error?: unknown) => writer.close(error),
    ready: () => writer.ready?.() ?? Promise.resolve(),
    get warnings() {
      return writer.warnings;
    },
  };
}
