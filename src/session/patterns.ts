// Path pattern matching with the semantics of moby/patternmatcher (the matcher behind .dockerignore,
// BuildKit include/exclude patterns and fsutil's filtered walk). The frontend sends .dockerignore lines as
// exclude patterns, so any divergence from Go silently changes what a build sees: behaviour is pinned by
// Go ground truth in test/unit/session/fixtures/go-oracle.json.

import { cleanPath, globMatch, PatternSyntaxError } from './fs-glob.js';
import { compileRe2 } from './fs-re2.js';
import { trimGoSpace } from '../util/go-strings.js';

export { PatternSyntaxError } from './fs-glob.js';

type MatchKind = 'exact' | 'prefix' | 'suffix' | 'regexp';

/** One compiled pattern line. `text` is the cleaned pattern without its leading `!`. */
export class Pattern {
  private kind: MatchKind | undefined;
  private regexp: RegExp | undefined;
  private bad = false;

  constructor(
    readonly text: string,
    readonly exclusion: boolean,
  ) {}

  toString(): string {
    return this.text;
  }

  /** Whether the slash-separated path matches this pattern; throws PatternSyntaxError for a bad one. */
  match(path: string): boolean {
    // Compiled on first use, as Go does: a broken regex only fails a walk that actually evaluates it.
    if (this.kind === undefined && !this.bad) this.compile();
    if (this.bad) throw new PatternSyntaxError();
    switch (this.kind) {
      case 'exact':
        return path === this.text;
      case 'prefix':
        return path.startsWith(this.text.slice(0, -2));
      case 'suffix': {
        const suffix = this.text.slice(2);
        if (path.endsWith(suffix)) return true;
        return suffix.charCodeAt(0) === 0x2f && path === suffix.slice(1);
      }
      default:
        return this.regexp!.test(path);
    }
  }

  // Builds the same RE2 source string Go builds (so that escapes keep RE2 meaning), and classifies
  // patterns that need no regex at all.
  private compile(): void {
    const cps: string[] = Array.from(this.text);
    // Go reads the pattern through text/scanner, which drops a leading byte order mark.
    if (cps[0] === '\uFEFF') cps.shift();
    let re = '^';
    let kind: MatchKind = 'exact';
    let i = 0;
    for (let step = 0; i < cps.length; step++) {
      const ch = cps[i++];
      if (ch === '*') {
        if (cps[i] === '*') {
          i++;
          if (cps[i] === '/') i++;
          if (i >= cps.length) {
            if (kind === 'exact') kind = 'prefix';
            else {
              re += '.*';
              kind = 'regexp';
            }
          } else {
            re += '(.*/)?';
            kind = 'regexp';
          }
          if (step === 0) kind = 'suffix';
        } else {
          re += '[^/]*';
          kind = 'regexp';
        }
      } else if (ch === '?') {
        re += '[^/]';
        kind = 'regexp';
      } else if ('.+()$'.includes(ch)) {
        // Go means to escape `{`, `}` and `|` too, but its lookup table cannot hold characters above 63,
        // so those reach the regex unescaped (`{2}` repeats, `|` alternates). Reproduced on purpose.
        re += '\\' + ch;
      } else if (ch === '\\') {
        if (i < cps.length) {
          re += '\\' + cps[i++];
          kind = 'regexp';
        } else {
          re += '\\';
        }
      } else if (ch === '[' || ch === ']') {
        re += ch;
        kind = 'regexp';
      } else {
        re += ch;
      }
    }
    if (kind === 'regexp') {
      try {
        this.regexp = compileRe2(re + '$');
      } catch (err) {
        if (!(err instanceof PatternSyntaxError)) throw err;
        this.bad = true;
        return;
      }
    }
    this.kind = kind;
  }
}

/** Per-pattern results for a directory, handed to its children (Go's `MatchInfo`). Empty = unknown. */
export type MatchInfo = readonly boolean[];

export interface MatchResult {
  matched: boolean;
  info: boolean[];
}

/** An ordered list of patterns where the last matching one decides, `!` lines re-including. */
export class PatternMatcher {
  readonly patterns: readonly Pattern[];
  readonly hasExclusions: boolean;

  /** Throws for a lone `!` and for patterns Go's glob syntax check rejects. */
  constructor(lines: readonly string[]) {
    const patterns: Pattern[] = [];
    let hasExclusions = false;
    for (const line of lines) {
      // Go trims Unicode white space, then cleans, and only then looks at the `!`.
      let p = trimGoSpace(line);
      if (p === '') continue;
      p = cleanPath(p);
      let exclusion = false;
      if (p.charCodeAt(0) === 0x21) {
        if (p.length === 1) throw new Error('illegal exclusion pattern: "!"');
        exclusion = true;
        hasExclusions = true;
        p = p.slice(1);
      }
      globMatch(p, '.');
      patterns.push(new Pattern(p, exclusion));
    }
    this.patterns = patterns;
    this.hasExclusions = hasExclusions;
  }

  /** Whether `path` (slash-separated, relative) or one of its parent directories is matched. */
  matches(path: string): boolean {
    return this.matchesWithParent(path, []).matched;
  }

  /**
   * The incremental form used while walking: `parent` is the info returned for the parent directory
   * (empty for top-level entries), so parent results are reused instead of re-matching every ancestor.
   */
  matchesWithParent(path: string, parent: MatchInfo): MatchResult {
    const pats = this.patterns;
    if (parent.length !== 0 && parent.length !== pats.length) {
      throw new Error('wrong number of values in parentMatched');
    }
    const info = new Array<boolean>(pats.length).fill(false);
    let matched = false;
    let parentDirs: string[] | undefined;
    for (let i = 0; i < pats.length; i++) {
      const pat = pats[i];
      let m = parent.length !== 0 ? parent[i] : false;
      if (!m) {
        // An inclusion cannot change an already matched path, nor an exclusion an unmatched one.
        if (pat.exclusion !== matched) continue;
        m = pat.match(path);
        if (!m && parent.length === 0) {
          parentDirs ??= parentPrefixes(path);
          for (const dir of parentDirs) {
            if (safeMatch(pat, dir)) {
              m = true;
              break;
            }
          }
        }
      }
      info[i] = m;
      if (m) matched = !pat.exclusion;
    }
    return { matched, info };
  }
}

// Go ignores errors when testing parent directories; the path itself already surfaced them.
function safeMatch(pat: Pattern, path: string): boolean {
  try {
    return pat.match(path);
  } catch {
    return false;
  }
}

/** "a/b/c" → ["a", "a/b"], computed from the cleaned parent like Go does. */
function parentPrefixes(path: string): string[] {
  const parent = cleanPath(path.slice(0, path.lastIndexOf('/') + 1));
  if (parent === '.') return [];
  const parts = parent.split('/');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) out.push(parts.slice(0, i + 1).join('/'));
  return out;
}
