// The renderer choice (`--progress`, BUILDKIT_PROGRESS, whether stderr is a terminal): the one place that
// decides how progress looks; everything below only writes to the ProgressWriter it is handed.
import { createProgressWriter, resolveProgressMode, type ProgressMode, type ProgressPrinter } from '../index.js';

export interface DisplayOptions {
  /** The `--progress` value; `auto` when the command has none. */
  flag?: string;
  quiet?: boolean;
  env: NodeJS.ProcessEnv;
  out: NodeJS.WritableStream & { isTTY?: boolean };
  /** Plain preamble, e.g. `building with "default" instance using docker driver`. */
  description?: string;
  /** tty: right-aligned on the header line, `<driver>:<builder>`. */
  consoleDescription?: string;
}

/** The mode `--progress`/`-q` select, checked before anything else runs. */
export function progressMode(opts: Pick<DisplayOptions, 'flag' | 'quiet' | 'env' | 'out'>): ProgressMode {
  return resolveProgressMode({ flag: opts.flag ?? 'auto', quiet: opts.quiet ?? false, env: opts.env.BUILDKIT_PROGRESS, stderrIsTTY: Boolean(opts.out.isTTY) });
}

export function createDisplay(mode: ProgressMode, opts: DisplayOptions): ProgressPrinter {
  return createProgressWriter({
    mode: mode === 'none' ? 'quiet' : mode,
    out: opts.out,
    env: opts.env,
    description: opts.description,
    consoleDescription: opts.consoleDescription,
  });
}

/** `create --bootstrap` / `inspect --bootstrap`: the boot shown on stderr as a build's first step is. */
export function bootDisplay(env: NodeJS.ProcessEnv = process.env, out: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): ProgressPrinter {
  return createDisplay(progressMode({ env, out }), { env, out });
}
