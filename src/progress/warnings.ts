// The end-of-build warning list buildx prints after the progress output (cli.md §4.1.4).
import type { SourceInfo, SourceRange, VertexWarning } from './types.js';

const YELLOW = '\x1b[33m';
const RESET = '\x1b[0m';

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return (a ?? Buffer.alloc(0)).equals(b ?? Buffer.alloc(0));
}

function samePosition(a: SourceRange['start'], b: SourceRange['start']): boolean {
  return a.line === b.line && a.character === b.character;
}

/**
 * Same warning, ignoring which vertex reported it: a lint warning comes once per platform and is
 * repeated in every part of a split status batch.
 */
export function sameWarning(a: VertexWarning, b: VertexWarning): boolean {
  if (a.level !== b.level || a.url !== b.url || !sameBytes(a.short, b.short)) return false;
  if (a.detail.length !== b.detail.length || a.detail.some((d, i) => !sameBytes(d, b.detail[i]))) return false;
  const sa = a.sourceInfo;
  const sb = b.sourceInfo;
  if ((sa === undefined) !== (sb === undefined)) return false;
  if (sa && sb && (sa.filename !== sb.filename || sa.language !== sb.language || !sameBytes(sa.data, sb.data))) return false;
  return a.ranges.length === b.ranges.length &&
    a.ranges.every((r, i) => {
      const o = b.ranges[i] as SourceRange;
      return samePosition(r.start, o.start) && samePosition(r.end, o.end);
    });
}

export function dedupWarnings(warnings: readonly VertexWarning[]): VertexWarning[] {
  const out: VertexWarning[] = [];
  for (const w of warnings) if (!out.some((o) => sameWarning(o, w))) out.push(w);
  return out;
}

export interface FormatWarningsOptions {
  /** Also print details, the URL and the source excerpt of each warning (buildx with --debug). */
  debug?: boolean;
  /** Yellow heading, as buildx prints it; default true (buildx colours it even when not on a terminal). */
  color?: boolean;
}

/**
 * buildx's warning block: a blank line, ` N warning(s) found (use docker --debug to expand):`, then
 * ` - <short>` per warning. Empty when there are none.
 */
export function formatWarnings(warnings: readonly VertexWarning[], opts: FormatWarningsOptions = {}): string {
  if (warnings.length === 0) return '';
  const debug = opts.debug ?? false;
  let heading = warnings.length === 1 ? '1 warning found' : `${warnings.length} warnings found`;
  if (!debug) heading += ' (use docker --debug to expand)';
  heading += ':\n';
  let out = `\n ${opts.color ?? true ? `${YELLOW}${heading}${RESET}` : heading}`;
  for (const w of warnings) {
    out += ` - ${w.short.toString('utf8')}\n`;
    if (!debug) continue;
    for (const d of w.detail) out += `${d.toString('utf8')}\n`;
    if (w.url !== '') out += `More info: ${w.url}\n`;
    if (w.sourceInfo && w.ranges.length > 0) out += formatSourceExcerpt(w.sourceInfo, w.ranges);
    out += '\n';
  }
  return out;
}

/**
 * The excerpt BuildKit prints for a source location: `<file>:<line>`, a rule, the lines around the
 * range numbered, the ones in the range marked `>>>`, and a closing rule.
 */
export function formatSourceExcerpt(info: SourceInfo, ranges: readonly SourceRange[]): string {
  const lines = info.data.toString('utf8').split('\n');
  if (ranges.length === 0) return '';
  let start = Math.min(...ranges.map((r) => r.start.line));
  let end = Math.max(...ranges.map((r) => Math.max(r.start.line, r.end.line)), 0);
  if (start > lines.length || start < 1) return '';
  end = Math.min(end, lines.length);
  const first = start;
  // Two lines of context around a range, four around a single line, taken where the file allows.
  const pad = end === start ? 4 : 2;
  for (let p = 0; p < pad; p++) {
    if (start > 1) {
      start--;
      p++;
    }
    if (end !== lines.length) {
      end++;
      p++;
    }
  }
  const inRange = (l: number) => ranges.some((r) => r.start.line <= l && Math.max(r.start.line, r.end.line) >= l);
  let out = `${info.filename}:${first}\n--------------------\n`;
  for (let i = start; i <= end; i++) {
    out += ` ${String(i).padStart(3)} | ${inRange(i) ? '>>>' : '   '} ${lines[i - 1] ?? ''}\n`;
  }
  return `${out}--------------------\n`;
}
