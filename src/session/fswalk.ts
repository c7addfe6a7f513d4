// The ordered, filtered walk behind a context upload. Order and filtering follow fsutil's filtered walk:
// pre-order, each directory's children in UTF-8 byte order, the root itself not reported, and directories
// that are filtered out themselves reported lazily just before the first descendant that is kept.
//
// File system calls are synchronous: per entry they cost a few microseconds, where the promise API costs a
// thread-pool round trip each. The walk yields to the event loop every few milliseconds instead, so the
// session's health checks and the file data sends keep flowing during long walks.

import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync, type BigIntStats } from 'node:fs';
import { setImmediate as yieldImmediate } from 'node:timers/promises';

import { goErrnoText } from '../util/go-errno.js';
import { dedupePaths, resolveFollowPaths } from './fs-follow.js';
import { goModeFromPosix, GoMode } from './fs-mode.js';
import { compareGoStrings } from '../util/go-strings.js';
import type { FsStat } from './packet.js';
import { PatternMatcher, type MatchInfo, type Pattern } from './patterns.js';

export interface WalkOptions {
  /** Keep only paths matching (or below a match of) one of these. */
  includePatterns?: string[];
  /** Drop paths matching these; `!` lines re-include. The .dockerignore rules arrive here. */
  excludePatterns?: string[];
  /** Paths whose symlink chains are resolved; each resolved path is added to the include patterns. */
  followPaths?: string[];
}

/**
 * Tallies the walk keeps for reporting (the end-of-build summary); incremented in place, so the caller
 * reads them once the walk is over.
 */
export interface WalkCounters {
  /**
   * Entries not sent because an exclude pattern (the .dockerignore rules) matched them, unless the include
   * patterns had already dropped them. A directory pruned as a whole counts once: its contents are never
   * listed, which is what makes pruning cheap, so they are not counted either. A matched directory the
   * walk still looks inside (an exception pattern might re-include something below it) counts once if
   * nothing below it is kept, and the excluded entries below it count one by one.
   */
  excluded: number;
}

export interface WalkEntry {
  stat: FsStat;
  absPath: string;
}

/** What the walk does not follow up on: the matchers, compiled once per transfer. */
interface Filter {
  include: PatternMatcher | undefined;
  exclude: PatternMatcher | undefined;
  onlyPrefixIncludes: boolean;
  onlyPrefixExcludeExceptions: boolean;
}

const PATTERN_CHARS = /[*[\]?^\\]/;

function withoutTrailingGlob(p: Pattern): string {
  let s = p.text;
  if (s.endsWith('/**')) s = s.slice(0, -3);
  if (s.endsWith('/*')) s = s.slice(0, -2);
  return s;
}

// Go prints a []string with %s as "[a b c]"; the error text is what users see.
const listText = (l: readonly string[]): string => `[${l.join(' ')}]`;

function buildFilter(root: string, opts: WalkOptions): Filter {
  let includes: string[] | null = opts.includePatterns ? [...opts.includePatterns] : [];
  if (opts.followPaths && opts.followPaths.length > 0) {
    const targets = resolveFollowPaths(root, opts.followPaths);
    if (targets !== null) includes = dedupePaths([...includes, ...targets]);
  }
  let include: PatternMatcher | undefined;
  let onlyPrefixIncludes = true;
  if (includes && includes.length > 0) {
    try {
      include = new PatternMatcher(includes);
    } catch (err) {
      throw new Error(`invalid includepatterns: ${listText(includes)}: ${(err as Error).message}`, { cause: err });
    }
    onlyPrefixIncludes = !include.patterns.some((p) => !p.exclusion && PATTERN_CHARS.test(withoutTrailingGlob(p)));
  }
  let exclude: PatternMatcher | undefined;
  let onlyPrefixExcludeExceptions = true;
  const excludes = opts.excludePatterns ?? [];
  if (excludes.length > 0) {
    try {
      exclude = new PatternMatcher(excludes);
    } catch (err) {
      throw new Error(`invalid excludepatterns: ${listText(excludes)}: ${(err as Error).message}`, { cause: err });
    }
    onlyPrefixExcludeExceptions = !exclude.patterns.some((p) => p.exclusion && PATTERN_CHARS.test(withoutTrailingGlob(p)));
  }
  return { include, exclude, onlyPrefixIncludes, onlyPrefixExcludeExceptions };
}

/** Whether some pattern of the given polarity names a path below `dir` (prefix patterns only). */
function couldMatchBelow(m: PatternMatcher, dir: string, exclusion: boolean): boolean {
  const dirSlash = dir + '/';
  return m.patterns.some((p) => p.exclusion === exclusion && (withoutTrailingGlob(p) + '/').startsWith(dirSlash));
}

function matchOrThrow(m: PatternMatcher, path: string, parent: MatchInfo, what: string): { matched: boolean; info: boolean[] } {
  try {
    return m.matchesWithParent(path, parent);
  } catch (err) {
    throw new Error(`failed to match ${what}: ${(err as Error).message}`, { cause: err });
  }
}

/** Go's major/minor split of a Linux dev_t, as fsutil computes it. */
function devNumbers(rdev: bigint): [number, number] {
  const r = Number(rdev & 0xffffffffn);
  return [(r >>> 8) & 0xfff, (r & 0xff) | ((r >>> 12) & 0xfff00)];
}

function makeStat(rel: string, abs: string, st: BigIntStats): FsStat {
  // Sockets cannot be represented in tar, so fsutil clears the bit (the entry then looks regular).
  const mode = (goModeFromPosix(Number(st.mode)) & ~GoMode.SOCKET) >>> 0;
  const isDir = (mode & GoMode.DIR) !== 0;
  const [devmajor, devminor] = isDir || st.rdev === 0n ? [0, 0] : devNumbers(st.rdev);
  return {
    path: rel,
    mode,
    // buildx resets ownership for every local mount
    uid: 0,
    gid: 0,
    size: isDir ? 0 : Number(st.size),
    modTime: st.mtimeNs,
    linkname: (mode & GoMode.SYMLINK) !== 0 ? readlinkSync(abs) : '',
    devmajor,
    devminor,
  };
}

interface Frame {
  rel: string;
  abs: string;
  names: string[];
  next: number;
  /** The directory's own stat, for lazy emission; undefined for the root. */
  stat: FsStat | undefined;
  emitted: boolean;
  includeInfo: MatchInfo;
  excludeInfo: MatchInfo;
  /** Names that could not be decoded as UTF-8 (only known when the listing contained U+FFFD). */
  undecodable: Set<string> | undefined;
  /** Matched by an exclude pattern: counted as excluded when left without emitting it. */
  excluded: boolean;
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function readNames(abs: string): { names: string[]; undecodable: Set<string> | undefined } {
  const names = readdirSync(abs);
  let undecodable: Set<string> | undefined;
  if (names.some((n) => n.includes('\uFFFD'))) {
    // A replacement character is either genuinely in the name or stands for bytes that are not UTF-8.
    const raw = new Set(readdirSync(abs, { encoding: 'buffer' }).map((b) => b.toString('latin1')));
    for (const n of names) {
      if (n.includes('\uFFFD') && !raw.has(Buffer.from(n).toString('latin1'))) (undecodable ??= new Set()).add(n);
    }
  }
  return { names: names.sort(compareGoStrings), undecodable };
}

const YIELD_EVERY_MS = 8;

/**
 * Walks `root` (symlinks in the root path are resolved first) and yields every kept entry in send order.
 * Throws for a missing root, bad patterns, and unreadable directories that are not filtered out.
 */
export async function* walkDirectory(
  root: string,
  opts: WalkOptions & { signal?: AbortSignal; counters?: WalkCounters } = {},
): AsyncGenerator<WalkEntry> {
  const signal = opts.signal;
  const counters = opts.counters ?? { excluded: 0 };
  signal?.throwIfAborted();
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch (err) {
    throw new Error(`resolve ${root}: ${goErrnoText(err)}`, { cause: err });
  }
  if (!statSync(realRoot).isDirectory()) throw new Error(`stat ${realRoot}: not a directory`);
  const filter = buildFilter(realRoot, opts);
  const filtering = filter.include !== undefined || filter.exclude !== undefined;

  const top = readNames(realRoot);
  const stack: Frame[] = [
    { rel: '', abs: realRoot, ...top, next: 0, stat: undefined, emitted: true, includeInfo: [], excludeInfo: [], excluded: false },
  ];
  let lastYield = Date.now();
  let sinceCheck = 0;

  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.next >= frame.names.length) {
      stack.pop();
      if (frame.excluded && !frame.emitted) counters.excluded++;
      continue;
    }
    if (++sinceCheck >= 64) {
      sinceCheck = 0;
      signal?.throwIfAborted();
      if (Date.now() - lastYield >= YIELD_EVERY_MS) {
        await yieldImmediate();
        signal?.throwIfAborted();
        lastYield = Date.now();
      }
    }
    const name = frame.names[frame.next++];
    const rel = frame.rel === '' ? name : `${frame.rel}/${name}`;
    const abs = `${frame.abs}/${name}`;
    const undecodable = frame.undecodable?.has(name) ?? false;

    let st: BigIntStats | undefined;
    if (!undecodable) {
      try {
        st = lstatSync(abs, { bigint: true });
      } catch (err) {
        // vanished since the listing: nothing to send
        if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') continue;
        throw err;
      }
    }
    const isDir = st?.isDirectory() ?? false;

    let skip = false;
    // excluded by the exclude patterns rather than left out by the include patterns: what gets counted
    let excluded = false;
    let includeInfo: MatchInfo = [];
    let excludeInfo: MatchInfo = [];
    if (filter.include) {
      const r = matchOrThrow(filter.include, rel, frame.includeInfo, 'includepatterns');
      includeInfo = r.info;
      if (!r.matched) {
        if (isDir && filter.onlyPrefixIncludes && !couldMatchBelow(filter.include, rel, false)) continue;
        skip = true;
      }
    }
    if (filter.exclude) {
      const r = matchOrThrow(filter.exclude, rel, frame.excludeInfo, 'excludepatterns');
      excludeInfo = r.info;
      if (r.matched) {
        excluded = !skip;
        if (isDir && filter.onlyPrefixExcludeExceptions) {
          if (!filter.exclude.hasExclusions || !couldMatchBelow(filter.exclude, rel, true)) {
            if (excluded) counters.excluded++;
            continue;
          }
        }
        skip = true;
      }
    }

    if (undecodable) {
      if (skip) {
        if (excluded) counters.excluded++;
        continue;
      }
      throw new Error(`unsupported file name in ${frame.abs}: not valid UTF-8 (${JSON.stringify(name)})`);
    }

    // a skipped non-directory is never sent, not even lazily
    if (skip && !isDir) {
      if (excluded) counters.excluded++;
      continue;
    }
    const stat = makeStat(rel, abs, st!);
    if (!skip) {
      // ancestors that were filtered out themselves still have to precede a kept descendant
      if (filtering) {
        for (const f of stack) {
          if (f.emitted) continue;
          f.emitted = true;
          yield { stat: f.stat!, absPath: f.abs };
        }
      }
      yield { stat, absPath: abs };
    }

    if (isDir) {
      let listing: ReturnType<typeof readNames>;
      try {
        listing = readNames(abs);
      } catch (err) {
        const code = errno(err);
        if (code === 'ENOENT' || code === 'ENOTDIR') continue;
        if (skip && (code === 'EACCES' || code === 'EPERM')) {
          if (excluded) counters.excluded++;
          continue;
        }
        throw new Error(`open ${abs}: ${goErrnoText(err)}`, { cause: err });
      }
      stack.push({ rel, abs, ...listing, next: 0, stat, emitted: !skip, includeInfo, excludeInfo, excluded });
    }
  }
}
