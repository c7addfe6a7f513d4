// Flag values that buildx checks while parsing flags: a bad one is a usage error (exit 125 in plugin
// mode), worded like pflag: `invalid argument "<v>" for "--<flag>" flag: <reason>`.
import { Flags } from '@oclif/core';
import { parseGoDuration } from '../util/duration.js';

export class FlagValueError extends Error {
  constructor(readonly flagMessage: string) {
    super(flagMessage);
  }
}

function checker(name: string, check: (v: string) => unknown): (input: string) => Promise<string> {
  return async (input) => {
    try {
      await check(input);
    } catch (err) {
      throw new FlagValueError(`invalid argument "${input}" for "--${name}" flag: ${(err as Error).message}`);
    }
    return input;
  };
}

/** A string flag whose value must pass `check` at parse time; the raw string is kept. */
export function checkedString(name: string, check: (v: string) => unknown, opts: { description: string }) {
  return Flags.custom<string>({ parse: checker(name, check), description: opts.description })();
}

/** checkedString for a repeatable flag. */
export function checkedStrings(name: string, check: (v: string) => unknown, opts: { description: string }) {
  return Flags.custom<string>({ parse: checker(name, check), description: opts.description, multiple: true, multipleNonGreedy: true, default: [] })();
}

/** A `--timeout` value (Go's time.ParseDuration grammar: `20s`, `1m30s`), in milliseconds. */
export function timeoutMs(value: string): number {
  return parseGoDuration(value);
}
