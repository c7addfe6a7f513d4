// `inspect` text (cli.md §4.5, buildx v0.36.1 commands/inspect.go), laid out by a tabwriter with
// minwidth 0 and padding 1. Map-valued fields Go prints in random order (driver options, CDI
// annotations, files) come out sorted, which is one of Go's orders.
import { bytesSize } from '../util/go-units.js';
import { goQuote } from '../util/go-strconv.js';
import { goDuration, goTimeString } from '../util/go-time.js';
import { tabwrite } from '../util/tabwriter.js';
import type { GCPolicyRule } from '../buildkit/convert.js';
import type { NodeInfo } from './list.js';

export interface InspectView {
  name: string;
  driver: string;
  lastActivity?: Date;
  /** A builder-level failure: printed instead of the nodes. */
  error?: string;
  nodes: NodeInfo[];
}

const sortedEntries = <T>(m: Record<string, T>): [string, T][] => Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function gcRuleLines(rule: GCPolicyRule, i: number): string[] {
  const lines = [`GC Policy rule#${i}:`, `\tAll:\t${rule.all}`];
  if (rule.filters.length) lines.push(`\tFilters:\t${rule.filters.join(' ')}`);
  if (rule.keepDuration > 0n) lines.push(`\tKeep Duration:\t${goDuration(rule.keepDuration)}`);
  if (rule.reservedSpace > 0n) lines.push(`\tReserved Space:\t${bytesSize(Number(rule.reservedSpace))}`);
  if (rule.maxUsedSpace > 0n) lines.push(`\tMax Used Space:\t${bytesSize(Number(rule.maxUsedSpace))}`);
  if (rule.minFreeSpace > 0n) lines.push(`\tMin Free Space:\t${bytesSize(Number(rule.minFreeSpace))}`);
  return lines;
}

function nodeLines(n: NodeInfo): string[] {
  const lines = [`Name:\t${n.name}`, `Endpoint:\t${n.endpoint}`];
  const opts = sortedEntries(n.driverOpts ?? {}).map(([k, v]) => `${k}=${goQuote(v)}`);
  if (opts.length) lines.push(`Driver Options:\t${opts.join(' ')}`);
  if (n.error !== undefined) {
    lines.push(`Error:\t${n.error}`);
    return lines;
  }
  lines.push(`Status:\t${n.status ?? ''}`);
  if (n.flags?.length) lines.push(`BuildKit daemon flags:\t${n.flags.join(' ')}`);
  if (n.version) lines.push(`BuildKit version:\t${n.version}`);
  if (n.platforms.length) lines.push(`Platforms:\t${n.platforms.join(', ')}`);
  if (n.features) {
    lines.push('Features:');
    for (const [name, on] of n.features) lines.push(`\t${name}:\t${on}`);
  }
  const labels = sortedEntries(n.labels ?? {});
  if (labels.length) {
    lines.push('Labels:');
    for (const [k, v] of labels) lines.push(`\t${k}:\t${v}`);
  }
  if (n.cdiDevices?.length) {
    lines.push('Devices:');
    for (const d of n.cdiDevices) {
      lines.push(`\tName:\t${d.name}`);
      lines.push(d.onDemand ? `\tOn-Demand:\t${d.onDemand}` : `\tAutomatically allowed:\t${d.autoAllow}`);
      const annotations = sortedEntries(d.annotations);
      if (annotations.length) {
        lines.push('\tAnnotations:');
        for (const [k, v] of annotations) lines.push(`\t\t${k}:\t${v}`);
      }
    }
  }
  (n.gcPolicy ?? []).forEach((rule, i) => lines.push(...gcRuleLines(rule, i)));
  for (const [name, data] of sortedEntries(n.files ?? {})) {
    lines.push(`File#${name}:`);
    for (const line of Buffer.from(data ?? '', 'base64').toString('utf8').split('\n')) lines.push(`\t> ${line}`);
  }
  return lines;
}

export function formatInspect(v: InspectView): string {
  const lines = [`Name:\t${v.name}`, `Driver:\t${v.driver}`];
  if (v.lastActivity) lines.push(`Last Activity:\t${goTimeString(v.lastActivity)}`);
  if (v.error !== undefined) {
    lines.push(`Error:\t${v.error}`);
    return tabwrite(lines, { minWidth: 0, padding: 1 });
  }
  lines.push('', 'Nodes:');
  v.nodes.forEach((n, i) => {
    if (i) lines.push('');
    lines.push(...nodeLines(n));
  });
  return tabwrite(lines, { minWidth: 0, padding: 1 });
}
