// `ls` output: buildx's table (docker formatter tabwriter: minwidth 10, padding 3) and `--format json`.
import { truncatePlatforms } from './platforms.js';
import { tabwrite } from '../util/tabwriter.js';
import type { BuilderInfo } from './list.js';

export function formatLsTable(builders: BuilderInfo[], noTrunc = false): { stdout: string; stderr: string } {
  const lines = ['NAME/NODE\tDRIVER/ENDPOINT\tSTATUS\tBUILDKIT\tPLATFORMS'];
  const errors: string[] = [];
  for (const b of builders) {
    lines.push(`${b.name}${b.current ? '*' : ''}\t${b.driver}\t${b.error ? 'error' : ''}\t\t`);
    if (b.error) errors.push(`Cannot load builder ${b.name}: ${b.error}`);
    for (const n of b.nodes) {
      const platforms = noTrunc ? n.platforms.join(', ') : truncatePlatforms(n.platforms);
      lines.push(` \\_ ${n.name}\t \\_ ${n.endpoint}\t${n.error ? 'error' : n.status ?? ''}\t${n.version ?? ''}\t${platforms}`);
      if (n.error) errors.push(`Failed to get status for ${b.name} (${n.name}): ${n.error}`);
    }
  }
  return { stdout: tabwrite(lines, { minWidth: 10, padding: 3 }), stderr: errors.length ? `\n${errors.join('\n')}\n` : '' };
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function formatLsJSON(builders: BuilderInfo[]): string {
  return builders.map((b) => JSON.stringify(sortKeys({
    Current: b.current,
    Driver: b.driver,
    Dynamic: b.dynamic,
    Err: b.error,
    LastActivity: b.lastActivity ? b.lastActivity.toISOString().replace('.000Z', 'Z') : '0001-01-01T00:00:00Z',
    Name: b.name,
    Nodes: b.nodes.map((n) => sortKeys({
      DriverOpts: n.driverOpts,
      Flags: n.flags,
      Endpoint: n.endpoint,
      Err: n.error,
      Name: n.name,
      Platforms: n.platforms.length ? n.platforms.map((p) => p.replace(/\*$/, '')) : undefined,
      Status: n.error ? 'error' : n.status,
      Version: n.version,
    })),
  }))).join('\n') + (builders.length ? '\n' : '');
}
