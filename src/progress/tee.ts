// One ProgressWriter feeding several: e.g. the terminal display and an event stream for a program.
import type { ProgressPrinter, ProgressWriter } from './writer.js';

/** Writes to every writer; closes them all; is ready when all are; warnings are the first writer's. */
export function teeProgress(first: ProgressWriter, ...rest: ProgressWriter[]): ProgressPrinter {
  const all = [first, ...rest];
  return {
    write(s) {
      for (const w of all) w.write(s);
    },
    async close(error?: unknown) {
      await Promise.all(all.map((w) => w.close(error)));
    },
    async ready() {
      await Promise.all(all.map((w) => w.ready?.()));
    },
    get warnings() {
      return first.warnings;
    },
  };
}
