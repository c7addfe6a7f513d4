// Go path helpers the filters depend on, reimplemented from their documented behaviour on Unix:
// filepath.Clean, filepath.Join and filepath.Match (shell globs). Patterns from .dockerignore go through
// these before anything else, so results must be identical to Go's, including the error cases.

/** The error Go reports for a malformed glob (`filepath.ErrBadPattern`); the message is Go's. */
export class PatternSyntaxError extends Error {
  constructor() {
    super('syntax error in pattern');
    this.name = 'PatternSyntaxError';
  }
}

/** Lexical path cleaning, byte-for-byte like Go's `filepath.Clean` on Unix. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.charCodeAt(0) === 0x2f;
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      // `..` at the root stays at the root
      continue;
    }
    out.push(seg);
  }
  const body = out.join('/');
  if (rooted) return '/' + body;
  return body === '' ? '.' : body;
}

/** Go `filepath.Join`: non-empty elements joined by `/`, then cleaned; all empty gives "". */
export function joinPath(...elems: string[]): string {
  const parts = elems.filter((e) => e !== '');
  return parts.length === 0 ? '' : cleanPath(parts.join('/'));
}

/** Go `filepath.Dir` on Unix. */
export function dirPath(p: string): string {
  const i = p.lastIndexOf('/');
  return cleanPath(p.slice(0, i + 1));
}

/** Go `filepath.Base` on Unix. */
export function basePath(p: string): string {
  if (p === '') return '.';
  let end = p.length;
  while (end > 0 && p.charCodeAt(end - 1) === 0x2f) end--;
  if (end === 0) return '/';
  const trimmed = p.slice(0, end);
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

// The glob matcher works on code points: on valid UTF-8 that is equivalent to Go's mix of byte and rune
// steps, and it keeps astral characters whole for `?` and classes.
const SLASH = 0x2f;
const BACKSLASH = 0x5c;

function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0)!);
  return out;
}

/**
 * Go `filepath.Match(pattern, name)` on Unix: whole-name match of a shell glob where `*` and `?` never
 * match `/`. Throws PatternSyntaxError for malformed patterns, but — like Go — only for the parts of the
 * pattern it had to look at before the result was known.
 */
export function globMatch(pattern: string, name: string): boolean {
  let pat = codePoints(pattern);
  let s = codePoints(name);
  outer: while (pat.length > 0) {
    const { star, chunk, rest } = scanChunk(pat);
    pat = rest;
    if (star && chunk.length === 0) return !s.includes(SLASH);
    const first = matchChunk(chunk, s);
    if (first.ok && (first.rest.length === 0 || pat.length > 0)) {
      s = first.rest;
      continue;
    }
    if (first.bad) throw new PatternSyntaxError();
    if (star) {
      for (let i = 0; i < s.length && s[i] !== SLASH; i++) {
        const r = matchChunk(chunk, s.slice(i + 1));
        if (r.ok) {
          if (pat.length === 0 && r.rest.length > 0) continue;
          s = r.rest;
          continue outer;
        }
        if (r.bad) throw new PatternSyntaxError();
      }
    }
    return false;
  }
  return s.length === 0;
}

function scanChunk(pat: number[]): { star: boolean; chunk: number[]; rest: number[] } {
  let i = 0;
  let star = false;
  while (i < pat.length && pat[i] === 0x2a) {
    i++;
    star = true;
  }
  pat = pat.slice(i);
  let inRange = false;
  for (let j = 0; j < pat.length; j++) {
    const c = pat[j];
    if (c === BACKSLASH) {
      if (j + 1 < pat.length) j++;
    } else if (c === 0x5b) {
      inRange = true;
    } else if (c === 0x5d) {
      inRange = false;
    } else if (c === 0x2a && !inRange) {
      return { star, chunk: pat.slice(0, j), rest: pat.slice(j) };
    }
  }
  return { star, chunk: pat, rest: [] };
}

interface ChunkResult {
  ok: boolean;
  bad: boolean;
  rest: number[];
}

// Keeps scanning the chunk after a mismatch so that syntax errors later in the chunk still surface.
function matchChunk(chunkIn: number[], sIn: number[]): ChunkResult {
  let chunk = chunkIn;
  let s = sIn;
  let failed = false;
  const bad: ChunkResult = { ok: false, bad: true, rest: [] };
  while (chunk.length > 0) {
    failed = failed || s.length === 0;
    const c = chunk[0];
    if (c === 0x5b) {
      let r = -1;
      if (!failed) {
        r = s[0];
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk.length > 0 && chunk[0] === 0x5e) {
        negated = true;
        chunk = chunk.slice(1);
      }
      let match = false;
      let nrange = 0;
      for (;;) {
        if (chunk.length > 0 && chunk[0] === 0x5d && nrange > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const lo = getEsc(chunk);
        if (lo === undefined) return bad;
        chunk = lo.rest;
        let hi = lo.value;
        if (chunk[0] === 0x2d) {
          const h = getEsc(chunk.slice(1));
          if (h === undefined) return bad;
          chunk = h.rest;
          hi = h.value;
        }
        match = match || (lo.value <= r && r <= hi);
        nrange++;
      }
      failed = failed || match === negated;
    } else if (c === 0x3f) {
      if (!failed) {
        failed = s[0] === SLASH;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    } else {
      if (c === BACKSLASH) {
        chunk = chunk.slice(1);
        if (chunk.length === 0) return bad;
      }
      if (!failed) {
        failed = chunk[0] !== s[0];
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    }
  }
  if (failed) return { ok: false, bad: false, rest: [] };
  return { ok: true, bad: false, rest: s };
}

function getEsc(chunk: number[]): { value: number; rest: number[] } | undefined {
  if (chunk.length === 0 || chunk[0] === 0x2d || chunk[0] === 0x5d) return undefined;
  let i = 0;
  if (chunk[0] === BACKSLASH) {
    i = 1;
    if (chunk.length === 1) return undefined;
  }
  const rest = chunk.slice(i + 1);
  // a class item must be followed by something (at least the closing bracket)
  if (rest.length === 0) return undefined;
  return { value: chunk[i], rest };
}

/** Whether a path element contains glob metacharacters (unescaped `*`, `?` or `[`). */
export function hasWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === 0x2a || c === 0x3f || c === 0x5b) return true;
  }
  return false;
}
