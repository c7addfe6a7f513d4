// `-o type=local,mode=delete` mirrors the result into its destination, deleting what the build did not
// produce. buildx allows that without `--allow=buildx.local.delete` only for a directory strictly below
// the working directory (symlinks resolved), so a typo cannot wipe the project or something outside it.
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { BuildxError } from '../util/errors.js';
import { LOCAL_DELETE_ENTITLEMENT, type ExportEntry } from '../flags/index.js';

/** The local exporter's mode, read as BuildKit reads it. */
export function localExportMode(value: string | undefined): 'copy' | 'delete' {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'copy') return 'copy';
  if (v === 'delete') return 'delete';
  throw new BuildxError(`invalid local exporter mode ${JSON.stringify(value)}`);
}

/** The real path of `p`, resolving symlinks as far as the path exists; the rest is appended as written. */
function realPathSoFar(p: string): string {
  const abs = resolve(p);
  const rest: string[] = [];
  for (let cur = abs; ; cur = dirname(cur)) {
    try {
      return join(realpathSync(cur), ...rest);
    } catch {
      if (dirname(cur) === cur) return abs;
      rest.unshift(basename(cur));
    }
  }
}

export function isSafeDeleteDestination(dest: string, cwd: string = process.cwd()): boolean {
  const rel = relative(realPathSoFar(cwd), realPathSoFar(dest));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

export function checkLocalDelete(outputs: readonly ExportEntry[], allowDelete: boolean, cwd?: string): void {
  for (const o of outputs) {
    if (o.type !== 'local' || localExportMode(o.attrs.mode) !== 'delete' || allowDelete) continue;
    const dest = o.destination ?? '';
    if (!isSafeDeleteDestination(dest, cwd)) {
      throw new BuildxError(`local output mode=delete for destination ${JSON.stringify(dest)} requires --allow=${LOCAL_DELETE_ENTITLEMENT}`);
    }
  }
}
