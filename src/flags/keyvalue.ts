// `--build-arg` and `--label`: repeated `KEY[=VALUE]` values folded into one map, later keys winning.
import { cutEquals, setOwn } from './csv.js';
import { FlagError } from './flag-error.js';
import { goQuote } from '../util/go-strconv.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Splits `KEY=VALUE` at the first `=`; `value` is undefined for a bare key. Empty keys are refused. */
export function parseKeyValue(value: string): { key: string; value: string | undefined } {
  const [key, v] = cutEquals(value);
  if (key === '') throw new FlagError(`invalid key-value pair ${goQuote(value)}: empty key`);
  return { key, value: v };
}

/** A bare `KEY` takes `env[KEY]` when that variable exists (even empty) and is dropped otherwise. */
export function parseBuildArgs(values: readonly string[], env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of values) {
    const { key, value } = parseKeyValue(raw);
    if (value !== undefined) setOwn(out, key, value);
    else if (Object.hasOwn(env, key) && env[key] !== undefined) setOwn(out, key, env[key]);
  }
  return out;
}

/** A bare `KEY` is a label with an empty value. */
export function parseLabels(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of values) {
    const { key, value } = parseKeyValue(raw);
    setOwn(out, key, value ?? '');
  }
  return out;
}

/**
 * buildx forwards a non-empty SOURCE_DATE_EPOCH from the environment unless `--build-arg` already set
 * that key (an explicit empty value counts as set).
 */
export function withSourceDateEpoch(buildArgs: Readonly<Record<string, string>>, env: Env): Record<string, string> {
  const out: Record<string, string> = { ...buildArgs };
  const epoch = env['SOURCE_DATE_EPOCH'];
  if (!Object.hasOwn(buildArgs, 'SOURCE_DATE_EPOCH') && epoch) setOwn(out, 'SOURCE_DATE_EPOCH', epoch);
  return out;
}
