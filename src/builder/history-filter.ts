// `history ls --filter` as buildx reads it: docker-style `key=value` / `key!=value` / `key<value` filters,
// translated into BuildKit's filter grammar for the daemon, plus the same test applied locally (daemons
// without filter support send everything).
import type { BuildHistoryRecord } from '../buildkit/history-convert.js';
import { BuildxError } from '../util/errors.js';
import { parseGoDuration } from '../util/duration.js';

export type RecordMatcher = (r: BuildHistoryRecord) => boolean;

const SEPARATORS = ['!=', '=', '<=', '<', '>=', '>'] as const;

function cutAny(s: string): [string, string, string] | undefined {
  for (const sep of SEPARATORS) {
    const i = s.indexOf(sep);
    if (i >= 0) return [s.slice(0, i), s.slice(i + sep.length), sep];
  }
  return undefined;
}

export function recordStatus(r: BuildHistoryRecord): string {
  if (r.completedAt === undefined) return 'running';
  if (!r.error) return 'completed';
  return r.error.message.includes('context canceled') ? 'canceled' : 'error';
}

function repositoryOf(r: BuildHistoryRecord): string {
  const src = r.frontendAttrs['vcs:source'];
  if (src !== undefined) return src;
  const ctx = r.frontendAttrs.context;
  if (ctx !== undefined && /^(git@|git:\/\/|ssh:\/\/|https?:\/\/)/.test(ctx)) return ctx.split('#')[0]!;
  return '';
}

function valueMatcher(key: string, value: string, sep: string): RecordMatcher {
  return (r) => {
    const v = key === 'ref' ? r.ref : key === 'repository' ? repositoryOf(r) : recordStatus(r);
    if (sep === '=') return key === 'status' ? v === value : v.includes(value);
    return v !== value;
  };
}

const sec = (ns: bigint | undefined) => (ns === undefined ? 0 : Number(ns / 1_000_000_000n));

function timeMatcher(key: string, value: string, sep: string): RecordMatcher {
  let cmp: number;
  if (key === 'duration') {
    try {
      cmp = parseGoDuration(value) * 1e6;
    } catch {
      throw new BuildxError(`invalid duration ${value}`);
    }
  } else {
    let ago: number | undefined;
    try {
      ago = parseGoDuration(value);
    } catch {
      ago = undefined;
    }
    if (ago !== undefined) cmp = Math.floor((Date.now() - ago) / 1000);
    else {
      const t = Date.parse(value);
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(value) || Number.isNaN(t)) throw new BuildxError(`invalid time ${value}`);
      cmp = Math.floor(t / 1000);
    }
  }
  return (r) => {
    let v = 0;
    if (key === 'startedAt') v = sec(r.createdAt);
    else if (key === 'completedAt') v = sec(r.completedAt);
    else if (r.completedAt !== undefined && r.createdAt !== undefined) v = Number(r.completedAt - r.createdAt);
    switch (sep) {
      case '>=': return v >= cmp;
      case '<=': return v <= cmp;
      case '>': return v > cmp;
      default: return v < cmp;
    }
  };
}

/** The daemon's filters and the local matchers for docker-style filters; the first bad one is an error. */
export function parseHistoryFilters(filters: string[]): { daemon: string[]; matchers: RecordMatcher[] } {
  const daemon: string[] = [];
  const matchers: RecordMatcher[] = [];
  for (const f of filters) {
    const cut = cutAny(f);
    if (!cut) throw new BuildxError(`invalid filter "${f}"`);
    const [key, value] = cut;
    let sep = cut[2];
    if (key === 'ref' || key === 'repository' || key === 'status') {
      if (sep !== '=' && sep !== '!=') throw new BuildxError(`invalid separator for "${f}", expected = or !=`);
      matchers.push(valueMatcher(key, value, sep));
      if (sep === '=') sep = key === 'status' ? '==' : '~=';
    } else if (key === 'startedAt' || key === 'completedAt' || key === 'duration') {
      if (sep === '=' || sep === '!=') throw new BuildxError(`invalid separator for "${f}", expected <=, <, >= or >`);
      matchers.push(timeMatcher(key, value, sep));
    } else {
      throw new BuildxError(`unsupported filter "${f}"`);
    }
    daemon.push(key + sep + value);
  }
  return { daemon, matchers };
}

/** One CSV record as Go's encoding/csv writes it (BuildKit reads the filter list that way). */
export function csvRecord(fields: string[]): string {
  return fields.map((f) => {
    const quote = f !== '' && (f === '\\.' || /[,"\r\n]/.test(f) || /^\s/u.test(f));
    return quote ? `"${f.replace(/"/g, '""')}"` : f;
  }).join(',');
}
