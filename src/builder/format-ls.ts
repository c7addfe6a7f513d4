// `ls` output: buildx's table (docker formatter tabwriter: minwidth 10, padding 3) and `--format json`.
import { truncatePlatforms } from './platforms.js';
import { tabwrite } from '../util/tabwriter.js';
import type { GCPolicyRule } from '../buildkit/convert.js';
import { goJSON, type GoJSONValue } from '../util/go-json.js';
import { rfc3339Nano } from '../util/go-time.js';
import type { BuilderInfo, NodeInfo } from './list.js';

export function formatLsTable(builders: BuilderInfo[], noTrunc = false): { stdout: string; stderr: string } {
  const lines = ['NAME/NODE\tDRIVER/ENDPOINT\tSTATUS\tBUILDKIT\tPLATFORMS'];
  const errors: string[] = [];
  for (const b of builders) {
    lines.push(`${b.name}${b.current ? '*' : ''}\t${b.driver}\t${b.error ? 'error' : ''}\t\t`);
    if (b.error) {
      errors.push(`Cannot load builder ${b.name}: ${b.error.trim()}`);
      continue;
    }
    for (const n of b.nodes) {
      const platforms = noTrunc ? n.platforms.join(', ') : truncatePlatforms(n.platforms);
      lines.push(` \\_ ${n.name}\t \\_ ${n.endpoint}\t${n.error ? 'error' : n.status ?? ''}\t${n.version ?? ''}\t${platforms}`);
      if (n.error) errors.push(`Failed to get status for ${b.name} (${n.name}): ${n.error.trim()}`);
    }
  }
  return { stdout: tabwrite(lines, { minWidth: 10, padding: 3 }), stderr: errors.length ? `\n${errors.join('\n')}\n` : '' };
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
