// Resolution of `followpaths`: the Dockerfile frontend asks for e.g. `Dockerfile` and `.dockerignore`
// and expects that, when those are symlinks, the link targets (and every link on the way) come along too.
// Each resolved path becomes an include pattern. Mirrors fsutil's resolver behaviour, including wildcard
// path elements and its "a resolved `.` means no filter at all" rule.

import { lstatSync, readdirSync, readlinkSync } from 'node:fs';

import { basePath, cleanPath, dirPath, globMatch, hasWildcards, joinPath } from './fs-glob.js';
import { compareGoStrings } from '../util/go-strings.js';

const isNotFound = (err: unknown): boolean => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/**
 * Removes entries below an earlier entry, for a list expected to be sorted. Returns null when the list
 * contains `.` (everything is included). Like Go's helper, it also drops entries starting with `/` when
 * they come first, a quirk kept for identical results.
 */
export function dedupePaths(paths: readonly string[]): string[] | null {
  const out: string[] = [];
  let last = '';
  for (const p of paths) {
    if (p === '.') return null;
    if (p.startsWith(last + '/')) continue;
    out.push(p);
    last = p;
  }
  return out;
}

/** Resolves follow paths below `root` (already real). Returns include patterns, or null for "everything". */
export function resolveFollowPaths(root: string, paths: readonly string[]): string[] | null {
  const resolved = new Set<string>();
  const abs = (rel: string): string => (rel === '.' ? root : `${root}/${rel}`);

  // Targets of `p` if it is a symlink (or, for a wildcard element, of every matching symlink); null if none.
  const readSymlink = (p: string, allowWildcard: boolean): string[] | null => {
    const base = basePath(p);
    if (allowWildcard && hasWildcards(base)) {
      const dir = dirPath(p);
      let names: string[];
      try {
        if (!lstatSync(abs(dir)).isDirectory()) return null;
        names = readdirSync(abs(dir)).sort(compareGoStrings);
      } catch (err) {
        if (isNotFound(err)) return null;
        throw new Error(`readdir: ${(err as Error).message}`, { cause: err });
      }
      let out: string[] | null = null;
      for (const name of names) {
        let ok = false;
        try {
          ok = globMatch(base, name);
        } catch {
          ok = false;
        }
        if (!ok) continue;
        const res = readSymlink(joinPath(dir, name), false);
        if (res) (out ??= []).push(...res);
      }
      return out;
    }
    const clean = cleanPath(p);
    if (clean === '/' || clean === '.') return null;
    let link: string;
    try {
      if (!lstatSync(abs(clean)).isSymbolicLink()) return null;
      link = readlinkSync(abs(clean));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    link = cleanPath(link);
    if (link.startsWith('/')) return [link];
    return [joinPath('/', joinPath(dirPath(p), link))];
  };

  const append = (input: string): void => {
    let p = joinPath('.', input);
    let current = '.';
    for (;;) {
      const slash = p.indexOf('/');
      const head = slash < 0 ? p : p.slice(0, slash);
      current = joinPath(current, head);
      const targets = readSymlink(current, true);
      p = slash < 0 ? '' : p.slice(slash + 1);
      // seen before: a symlink loop or a duplicate
      if ((p === '' || targets !== null) && resolved.has(current)) return;
      if (targets !== null) {
        resolved.add(current);
        for (const t of targets) append(joinPath(t, p));
        return;
      }
      if (p === '') {
        resolved.add(current);
        return;
      }
    }
  };

  for (const p of paths) append(p);
  return dedupePaths([...resolved].sort(compareGoStrings));
}
