// `--filter` for `du` and `prune` (cli.md §4.9): docker's filter flag grammar (`name=value`, names
// lowercased, both sides trimmed, a set of values per name), the config file's `pruneFilters`, and
// buildx's translation into one BuildKit filter string plus a keep duration.
import { FlagError } from './flag-error.js';
import { parseGoDurationNs as goParseDurationNs } from '../util/go-duration.js';

/** docker's filters.Args: values per name, each value once, in the order given. */
export type FilterArgs = Map<string, Set<string>>;

function add(args: FilterArgs, name: string, value: string): void {
  let set = args.get(name);
  if (!set) args.set(name, (set = new Set()));
  set.add(value);
}

/** Parses repeated `--filter` values; throws the message pflag shows after `invalid argument …`. */
export function parseFilterArgs(values: readonly string[]): FilterArgs {
  const args: FilterArgs = new Map();
  for (const v of values) {
    if (v === '') continue;
    const eq = v.indexOf('=');
    if (eq < 0) throw new FlagError('bad format of filter (expected name=value)');
    add(args, v.slice(0, eq).trim().toLowerCase(), v.slice(eq + 1).trim());
  }
  return args;
}

/** command.PruneFilters: the config's defaults added, unless they contradict a CLI label filter. */
export function mergePruneFilters(args: FilterArgs, configFilters: readonly string[] | undefined): FilterArgs {
  const out: FilterArgs = new Map([...args].map(([k, v]) => [k, new Set(v)]));
  for (const f of configFilters ?? []) {
    const eq = f.indexOf('=');
    if (eq < 0) continue;
    const k = f.slice(0, eq);
    const v = f.slice(eq + 1);
    if (k === 'label' && out.get('label!')?.has(v)) continue;
    if (k === 'label!' && out.get('label')?.has(v)) continue;
    add(out, k, v);
  }
  return out;
}

export interface BuildkitPruneInfo {
  /** Records unused for at least this long (nanoseconds); 0 = no limit. */
  keepDurationNs: bigint;
  /** One filter string, comma-joined, as buildx sends it (`[""]` without filters). */
  filter: string[];
}

/** time.ParseDuration in nanoseconds, failing with Go's messages as a flag error. */
export function parseGoDurationNs(text: string): bigint {
  try {
    return goParseDurationNs(text);
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
}

/** buildx's toBuildkitPruneInfo. */
export function toBuildkitPruneInfo(args: FilterArgs): BuildkitPruneInfo {
  const has = (k: string) => (args.get(k)?.size ?? 0) > 0;
  if (has('until') && has('unused-for')) throw new FlagError('conflicting filters "until" and "unused-for"');
  // unused-for is the deprecated name of until
  const untilKey = has('unused-for') ? 'unused-for' : 'until';
  let keepDurationNs = 0n;
  const untilValues = [...(args.get(untilKey) ?? [])];
  if (untilValues.length > 1) throw new FlagError(`"${untilKey}" filter expects only one value`);
  if (untilValues.length === 1) {
    try {
      keepDurationNs = parseGoDurationNs(untilValues[0]!);
    } catch (err) {
      throw new FlagError(`"${untilKey}" filter expects a duration (e.g., '24h'): ${(err as Error).message}`);
    }
  }
  const filters: string[] = [];
  for (const [key, set] of args) {
    if (key === untilKey) continue;
    const values = [...set];
    if (values.length > 1) throw new FlagError(`"${key}" filter expects only one value`);
    if (values.length === 0) filters.push(key);
    else if (key === 'id') filters.push(`id~=${values[0]}`);
    else if (key.endsWith('!') || key.endsWith('~')) filters.push(`${key}=${values[0]}`);
    else filters.push(`${key}==${values[0]}`);
  }
  return { keepDurationNs, filter: [filters.join(',')] };
}

/** One `--filter` value checked as the flag parser does (only the `name=value` shape). */
export function checkFilterFlag(value: string): void {
  parseFilterArgs([value]);
}
