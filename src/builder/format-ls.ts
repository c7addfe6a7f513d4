// `ls` output: buildx's table (docker formatter tabwriter: minwidth 10, padding 3), `--format json`, and
// any other `--format` as a Go template over buildx's rows (one per builder, then one per node).
import { truncatePlatforms } from './platforms.js';
import { tabwrite } from '../util/tabwriter.js';
import type { GCPolicyRule } from '../buildkit/convert.js';
import { formatRows, isJSONFormat, isTableFormat } from '../util/docker-format.js';
import { GO_MARSHAL_JSON, goJSON, type GoJSONValue } from '../util/go-json.js';
import { GO_TYPE_NAME } from '../util/go-template.js';
import { rfc3339Nano, rfc3339Seconds } from '../util/go-time.js';
import type { BuilderInfo, NodeInfo } from './list.js';

function lsErrors(builders: BuilderInfo[]): string {
  const errors: string[] = [];
  for (const b of builders) {
    if (b.error) errors.push(`Cannot load builder ${b.name}: ${b.error.trim()}`);
    else for (const n of b.nodes) if (n.error) errors.push(`Failed to get status for ${b.name} (${n.name}): ${n.error.trim()}`);
  }
  return errors.length ? `\n${errors.join('\n')}\n` : '';
}

export function formatLsTable(builders: BuilderInfo[], noTrunc = false): { stdout: string; stderr: string } {
  const lines = ['NAME/NODE\tDRIVER/ENDPOINT\tSTATUS\tBUILDKIT\tPLATFORMS'];
  for (const b of builders) {
    lines.push(`${b.name}${b.current ? '*' : ''}\t${b.driver}\t${b.error ? 'error' : ''}\t\t`);
    if (b.error) continue;
    for (const n of b.nodes) {
      const platforms = noTrunc ? n.platforms.join(', ') : truncatePlatforms(n.platforms);
      lines.push(` \\_ ${n.name}\t \\_ ${n.endpoint}\t${n.error ? 'error' : n.status ?? ''}\t${n.version ?? ''}\t${platforms}`);
    }
  }
  return { stdout: tabwrite(lines, { minWidth: 10, padding: 3 }), stderr: lsErrors(builders) };
}

/** The column names of buildx's ls table, by template field. */
const LS_HEADERS: Readonly<Record<string, string>> = {
  Name: 'NAME/NODE', DriverEndpoint: 'DRIVER/ENDPOINT', LastActivity: 'LAST ACTIVITY', Status: 'STATUS', Buildkit: 'BUILDKIT', Platforms: 'PLATFORMS',
};
const LS_INDENT = ' \\_ ';

/** Refuses a `--format` that is not a template before anything is loaded (buildx's `template parsing error`). */
export function checkLsFormat(format: string): void {
  if (format !== 'table' && format !== 'json') formatRows(format, [], LS_HEADERS);
}

/** The rows buildx's template sees: a builder's, then (not for errors or json) one per node. */
function lsRows(builders: BuilderInfo[], format: string, noTrunc: boolean): object[] {
  const table = isTableFormat(format);
  const row = (b: BuilderInfo, fields: Record<string, string>) => ({
    [GO_TYPE_NAME]: '*commands.lsContext',
    [GO_MARSHAL_JSON]: () => formatLsJSON([b]).trimEnd(),
    Builder: { Name: b.name, Driver: b.driver, Current: b.current, Dynamic: b.dynamic },
    ...fields,
  });
  const rows: object[] = [];
  for (const b of builders) {
    rows.push(row(b, {
      Name: b.name + (b.current && table ? '*' : ''), DriverEndpoint: b.driver,
      LastActivity: b.lastActivity ? rfc3339Seconds(b.lastActivity) : '', Status: b.error ? 'error' : '', Buildkit: '', Platforms: '',
      Error: b.error ?? '',
    }));
    if (b.error || isJSONFormat(format)) continue;
    for (const n of b.nodes) {
      rows.push(row(b, {
        Name: (table ? LS_INDENT : '') + n.name, DriverEndpoint: (table ? LS_INDENT : '') + n.endpoint, LastActivity: '',
        Status: n.error ? 'error' : n.status ?? '', Buildkit: n.version ?? '',
        Platforms: !noTrunc && table ? truncatePlatforms(n.platforms) : n.platforms.join(', '), Error: n.error ?? '',
      }));
    }
  }
  return rows;
}

/** `ls` in any `--format`: the table, json, or a Go template; the error lines go with table formats only. */
export function formatLs(builders: BuilderInfo[], format: string, noTrunc = false): { stdout: string; stderr: string } {
  if (format === 'table') return formatLsTable(builders, noTrunc);
  if (format === 'json') return { stdout: formatLsJSON(builders), stderr: '' };
  return { stdout: formatRows(format, lsRows(builders, format, noTrunc), LS_HEADERS), stderr: isTableFormat(format) ? lsErrors(builders) : '' };
}

function gcPolicyJSON(rules: GCPolicyRule[]): GoJSONValue {
  // Go re-encodes through interface{}: int64 values pass through float64, as Number() rounds them.
  return rules.map((r) => ({
    all: r.all,
    filter: r.filters.length ? r.filters : null,
    keepDuration: Number(r.keepDuration),
    reservedSpace: Number(r.reservedSpace),
    maxUsedSpace: Number(r.maxUsedSpace),
    minFreeSpace: Number(r.minFreeSpace),
  }));
}

function nodeJSON(n: NodeInfo): GoJSONValue {
  return {
    Name: n.name,
    Endpoint: n.endpoint,
    Flags: n.flags,
    DriverOpts: n.driverOpts,
    Files: n.files,
    Status: n.error ? 'error' : n.status,
    ProxyConfig: n.proxyConfig,
    Version: n.version || undefined,
    Err: n.error?.trim() || undefined,
    IDs: n.ids?.length ? n.ids : undefined,
    Platforms: n.platforms.length ? n.platforms.map((p) => p.replace(/\*$/, '')) : undefined,
    GCPolicy: n.gcPolicy?.length ? gcPolicyJSON(n.gcPolicy) : undefined,
    Labels: n.labels && Object.keys(n.labels).length ? n.labels : undefined,
  };
}

/** One line per builder, keys sorted, as buildx's lsContext.MarshalJSON writes it. */
export function formatLsJSON(builders: BuilderInfo[]): string {
  return builders.map((b) => `${goJSON({
    Current: b.current,
    Driver: b.driver,
    Dynamic: b.dynamic,
    Err: b.error?.trim() || undefined,
    LastActivity: b.lastActivity ? rfc3339Nano(b.lastActivity) : '0001-01-01T00:00:00Z',
    Name: b.name,
    Nodes: b.nodes.map(nodeJSON),
  })}\n`).join('');
}
