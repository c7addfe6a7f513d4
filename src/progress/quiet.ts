// The `quiet` renderer: the build runs silently, but warnings are still gathered for the caller.
import type { SolveStatus } from './types.js';

export class QuietRenderer {
  write(_ss: SolveStatus): void {}
  refresh(): string {
    return '';
  }
  finish(): string {
    return '';
  }
}
