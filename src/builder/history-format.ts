// `history ls` output as buildx prints it: the docker-formatter table (running builds first, then newest
// first), one JSON object per line, and the values a `--format` template sees.
import { formatRows, isTableFormat } from '../util/docker-format.js';
import { GO_MARSHAL_JSON, goJSON } from '../util/go-json.js';
import { GO_TYPE_NAME } from '../util/go-template.js';
import { humanDuration } from '../util/go-units.js';
import type { HistoryRecord } from './history.js';

export function desktopBuildURL(fullRef: string): string {
  return `docker-desktop://dashboard/build/${fullRef}`;
}

/** An OSC 8 terminal hyperlink. */
export function ansiHyperlink(url: string, text: string): string {
  return `\x1b]8;;${url}\x1b\\${text}\x1b]8;;\x1b\\`;
}

/** Nanoseconds since the epoch as RFC 3339 with trimmed nanoseconds, in UTC (`Z`) or the local offset. */
export function rfc3339Ns(ns: bigint, local = false): string {
  const offsetMin = local ? -new Date(Number(ns / 1_000_000n)).getTimezoneOffset() : 0;
  const shifted = ns + BigInt(offsetMin) * 60_000_000_000n;
  const ms = Number(shifted / 1_000_000n);
  const iso = new Date(ms - (ms % 1000)).toISOString();
  const frac = (shifted % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const zone = offsetMin === 0 ? 'Z' : `${offsetMin < 0 ? '-' : '+'}${String(Math.trunc(Math.abs(offsetMin) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMin) % 60).padStart(2, '0')}`;
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}${zone}`;
}

/** buildx's short durations: `0.3s` under a minute, else `2m  5s`. */
export function formatRecordDuration(ns: bigint): string {
  const secs = Number(ns) / 1e9;
  if (secs < 60) return `${secs.toFixed(1)}s`;
  return `${Math.trunc(secs / 60)}m ${String(Math.trunc(secs) % 60).padStart(2, ' ')}s`;
}

export function fullRef(r: HistoryRecord): string {
  return `${r.builder}/${r.node}/${r.record.ref}`;
}

export function lsStatus(r: HistoryRecord): string {
  if (r.record.completedAt === undefined) return 'Running';
  return r.record.error ? 'Error' : 'Completed';
}

function lsDuration(r: HistoryRecord): string {
  const end = r.record.completedAt ?? (r.now ? BigInt(r.now.getTime()) * 1_000_000n : undefined);
  if (end === undefined) return '';
  const v = formatRecordDuration(end - (r.record.createdAt ?? 0n));
  return r.record.completedAt === undefined ? `${v}+` : v;
}

/** Long names keep their end: `..` and the last n-2 characters. */
function trimBeginning(s: string, n: number): string {
  return s.length <= n ? s : `..${s.slice(s.length - n + 2)}`;
}

/** Running builds first, then newest first (the order every `history ls` output has). */
export function sortForListing(records: readonly HistoryRecord[]): HistoryRecord[] {
  return [...records].sort((a, b) => {
    const ar = a.record.completedAt === undefined;
    const br = b.record.completedAt === undefined;
    if (ar !== br) return ar ? -1 : 1;
    const x = a.record.createdAt ?? 0n;
    const y = b.record.createdAt ?? 0n;
    return x < y ? 1 : x > y ? -1 : 0;
  });
}

export interface LsFormatOptions {
  noTrunc?: boolean;
  /** Whether stdout is a terminal: the link column is then a hyperlink labelled `Open`. */
  isTerminal?: boolean;
  /** The clock `CREATED AT` is relative to; default now. */
  now?: Date;
}

/** What a `--format` template's `.Ref`, `.Name`, … give for one record (`table` formats truncate names). */
export interface HistoryLsRow {
  Ref: string;
  FullRef: string;
  Name: string;
  Status: string;
  CreatedAt: string;
  Duration: string;
  Link: string;
}

export function historyLsRow(r: HistoryRecord, opts: LsFormatOptions & { table?: boolean } = {}): HistoryLsRow {
  const url = desktopBuildURL(fullRef(r));
  const now = (opts.now ?? new Date()).getTime();
  const created = Number((r.record.createdAt ?? 0n) / 1_000_000n);
  return {
    Ref: r.record.ref,
    FullRef: fullRef(r),
    Name: !opts.noTrunc && opts.table ? trimBeginning(r.name, 36) : r.name,
    Status: lsStatus(r),
    CreatedAt: `${humanDuration(now - created)} ago`,
    Duration: lsDuration(r),
    Link: opts.table ? (opts.isTerminal ? ansiHyperlink(url, 'Open') : '') : url,
  };
}

/** The header row of table formats (buildx names no header for FullRef). */
export const HISTORY_LS_HEADERS: Readonly<Record<string, string>> = {
  Ref: 'BUILD ID', Name: 'NAME', Status: 'STATUS', CreatedAt: 'CREATED AT', Duration: 'DURATION', Link: '',
};

export const HISTORY_LS_TABLE_FORMAT = 'table {{.Ref}}\t{{.Name}}\t{{.Status}}\t{{.CreatedAt}}\t{{.Duration}}\t{{.Link}}';

/**
 * `history ls` output for a `--format` value: `table` (buildx's columns), `json` (one object per line), or
 * a Go template (`table …` gets the header row and aligned columns).
 */
export function formatHistoryLs(records: readonly HistoryRecord[], format = 'table', opts: LsFormatOptions = {}): string {
  const f = format === 'table' ? HISTORY_LS_TABLE_FORMAT : format;
  const table = isTableFormat(f);
  const rows = sortForListing(records).map((r) => Object.assign(historyLsRow(r, { ...opts, table }), {
    [GO_TYPE_NAME]: '*history.lsContext', [GO_MARSHAL_JSON]: () => historyLsJSON(r),
  }));
  return formatRows(f, rows, HISTORY_LS_HEADERS);
}

export function formatHistoryLsTable(records: readonly HistoryRecord[], opts: LsFormatOptions = {}): string {
  return formatHistoryLs(records, 'table', opts);
}

/** The JSON object `history ls --format json` prints per record. */
export function historyLsJSON(r: HistoryRecord): string {
  return goJSON({
    ref: fullRef(r),
    name: r.name,
    status: lsStatus(r),
    created_at: rfc3339Ns(r.record.createdAt ?? 0n),
    completed_at: r.record.completedAt === undefined ? undefined : rfc3339Ns(r.record.completedAt),
    total_steps: r.record.numTotalSteps,
    completed_steps: r.record.numCompletedSteps,
    cached_steps: r.record.numCachedSteps,
  });
}

export function formatHistoryLsJSON(records: readonly HistoryRecord[]): string {
  return formatHistoryLs(records, 'json');
}
