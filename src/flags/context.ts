// `--build-context name=value` (cli.md §4.1.3). Names are image names in familiar form, `:latest` dropped,
// so `--build-context docker.io/library/alpine:latest=…` and `alpine=…` address the same stage.
import { FlagError } from './flag-error.js';
import { familiarString, parseNormalizedNamed } from './reference.js';
import { setOwn } from './csv.js';

export function parseContextName(name: string): string {
  let familiar: string;
  try {
    familiar = familiarString(parseNormalizedNamed(name));
  } catch (err) {
    throw new FlagError(`invalid context name ${name}: ${(err as Error).message}`);
  }
  return familiar.endsWith(':latest') ? familiar.slice(0, -':latest'.length) : familiar;
}

/** name → value; later occurrences of the same (normalized) name win. Empty occurrences are skipped. */
export function parseBuildContexts(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    if (value === '') continue;
    const eq = value.indexOf('=');
    if (eq < 0) throw new FlagError(`invalid context value: ${value}, expected key=value`);
    setOwn(out, parseContextName(value.slice(0, eq)), value.slice(eq + 1));
  }
  return out;
}
