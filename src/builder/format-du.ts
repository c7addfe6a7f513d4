// What `du` and `prune` print (cli.md §4.8, §4.9): docker-formatter rows for `du`, buildx's fixed
// tab-padded rows for the records `prune` streams, and the summary lines.
import { BuildxError } from '../util/errors.js';
import { formatRows, isJSONFormat, isTableFormat } from '../util/docker-format.js';
import { GO_MARSHAL_JSON, goEncodeJSON } from '../util/go-json.js';
import { GO_TYPE_NAME } from '../util/go-template.js';
import { goTimeStringNs } from '../util/go-time.js';
import { humanDuration, humanSize } from '../util/go-units.js';
import { tabwrite } from '../util/tabwriter.js';
import type { UsageRecord } from './disk-usage.js';

export const DU_TABLE_FORMAT = 'table {{.ID}}\t{{.Reclaimable}}\t{{.Size}}\t{{.LastUsedAt}}';

export const DU_PRETTY_FORMAT = `ID:           {{.ID}}
{{- if .Parents }}
Parents:
{{- range .Parents }}
 - {{.}}
{{- end }}
{{- end }}
Created at:   {{.CreatedAt}}
Mutable:      {{.Mutable}}
Reclaimable:  {{.Reclaimable}}
Shared:       {{.Shared}}
Size:         {{.Size}}
{{- if .Description}}
Description:  {{ .Description }}
{{- end }}
Usage count:  {{.UsageCount}}
{{- if .LastUsedAt}}
Last used:    {{ .LastUsedAt }}
{{- end }}
{{- if .Type}}
Type:         {{ .Type }}
{{- end }}
`;

const DU_HEADERS = {
  ID: 'ID', Parents: 'PARENTS', CreatedAt: 'CREATED AT', Mutable: 'MUTABLE', Reclaimable: 'RECLAIMABLE', Shared: 'SHARED',
  Size: 'SIZE', Description: 'DESCRIPTION', UsageCount: 'USAGE COUNT', LastUsedAt: 'LAST ACCESSED', Type: 'TYPE',
};

/** The template `du` renders with: `--format` (`table`, `pretty`, `json` or a template) or `--verbose`. */
export function duFormat(format: string | undefined, verbose: boolean): string {
  if (format && verbose) throw new BuildxError('--format and --verbose cannot be used together');
  if (!format) return verbose ? DU_PRETTY_FORMAT : DU_TABLE_FORMAT;
  if (format === 'pretty') return DU_PRETTY_FORMAT;
  if (format === 'table') return DU_TABLE_FORMAT;
  return format;
}

function lastUsed(r: UsageRecord, nowMs: number): string {
  if (r.lastUsedAtNs === undefined) return '';
  return `${humanDuration(nowMs - Number(r.lastUsedAtNs / 1_000_000n))} ago`;
}

/** A record as buildx's diskusageContext shows it to templates; `table` formats mark mutable IDs and shared sizes with `*`. */
function duRow(r: UsageRecord, table: boolean, nowMs: number): Record<string, unknown> {
  const row = {
    ID: table && r.mutable ? `${r.id}*` : r.id,
    Parents: r.parents.length ? r.parents : null,
    CreatedAt: goTimeStringNs(r.createdAtNs),
    Mutable: r.mutable,
    Reclaimable: !r.inUse,
    Shared: r.shared,
    Size: humanSize(r.size) + (table && r.shared ? '*' : ''),
    Description: r.description,
    UsageCount: r.usageCount,
    LastUsedAt: lastUsed(r, nowMs),
    Type: r.recordType,
  };
  // `{{json .}}` marshals the context's methods into a map: keys sorted, HTML escaped.
  const json = (): string => goEncodeJSON(new Map(Object.entries(row)), { escapeHTML: true });
  return Object.assign(row, { [GO_TYPE_NAME]: '*commands.diskusageContext', [GO_MARSHAL_JSON]: json });
}

export interface FormatDiskUsageOptions {
  /** From duFormat(). */
  format: string;
  /** Filters were given: no summary. */
  filtered: boolean;
  /** For `… ago`; default now. */
  nowMs?: number;
}

/** The whole `du` output for `records` (as diskUsage() returns them). */
export function formatDiskUsage(records: readonly UsageRecord[], opts: FormatDiskUsageOptions): string {
  const now = opts.nowMs ?? Date.now();
  const table = isTableFormat(opts.format);
  let out = formatRows(opts.format, records.map((r) => duRow(r, table, now)), DU_HEADERS);
  if ((opts.format === DU_TABLE_FORMAT || opts.format === DU_PRETTY_FORMAT) && !isJSONFormat(opts.format) && !opts.filtered) {
    out += usageSummary(records);
  }
  return out;
}

const KV = { minWidth: 1, padding: 1, padChar: '\t', tabWidth: 8 } as const;

/** `Shared:`/`Private:` (when something is shared), `Reclaimable:`, `Total:`. */
export function usageSummary(records: readonly UsageRecord[]): string {
  let total = 0;
  let reclaimable = 0;
  let shared = 0;
  for (const r of records) {
    if (r.size > 0) {
      total += r.size;
      if (!r.inUse) reclaimable += r.size;
    }
    if (r.shared) shared += r.size;
  }
  const lines: string[] = [];
  if (shared > 0) lines.push(`Shared:\t${humanSize(shared)}`, `Private:\t${humanSize(total - shared)}`);
  lines.push(`Reclaimable:\t${humanSize(reclaimable)}`, `Total:\t${humanSize(total)}`);
  return tabwrite(lines, KV);
}

/**
 * `prune`'s output as records arrive: buildx flushes its tabwriter after each row, so each row (the
 * first with the header) is aligned on its own.
 */
export class PruneOutput {
  private first = true;
  private total = 0;

  constructor(private readonly verbose: boolean, private readonly nowMs: () => number = Date.now) {}

  record(r: UsageRecord): string {
    this.total += r.size;
    const now = this.nowMs();
    if (this.verbose) {
      const kv: string[] = [`ID:\t${r.id}`];
      if (r.parents.length) kv.push(`Parent:\t${r.parents.join(',')}`);
      kv.push(`Created at:\t${goTimeStringNs(r.createdAtNs)}`, `Mutable:\t${r.mutable}`, `Reclaimable:\t${!r.inUse}`, `Shared:\t${r.shared}`,
        `Size:\t${humanSize(r.size)}`);
      if (r.description) kv.push(`Description:\t${r.description}`);
      kv.push(`Usage count:\t${r.usageCount}`);
      if (r.lastUsedAtNs !== undefined) kv.push(`Last used:\t${lastUsed(r, now)}`);
      if (r.recordType) kv.push(`Type:\t${r.recordType}`);
      kv.push('');
      return tabwrite(kv, KV);
    }
    const lines: string[] = [];
    if (this.first) lines.push('ID\tRECLAIMABLE\tSIZE\tLAST ACCESSED');
    this.first = false;
    const id = r.mutable ? `${r.id}*` : r.id;
    const size = humanSize(r.size) + (r.shared ? '*' : '');
    lines.push(`${id.padEnd(40)}\t${String(!r.inUse).padEnd(5)}\t${size.padEnd(10)}\t${lastUsed(r, now)}`);
    return tabwrite(lines, KV);
  }

  /** The closing `Total:` line. */
  end(): string {
    return tabwrite([`Total:\t${humanSize(this.total)}`], KV);
  }
}
