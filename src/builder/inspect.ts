// `inspect [NAME]` text (cli.md §4.5), laid out by a tabwriter with minwidth 0 and padding 1.
import { bootWithDisplay } from './boot.js';
import { tabwrite } from '../util/tabwriter.js';
import { resolveBuilder } from './builder.js';
import { loadNodeInfo } from './list.js';

export interface InspectOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Boot the nodes first (--bootstrap). */
  bootstrap?: boolean;
}

/** Go's default time.Time formatting, for a UTC instant: `2024-01-02 03:04:05 +0000 UTC`. */
function goTime(d: Date): string {
  return `${d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '').replace(/Z$/, '')} +0000 UTC`;
}

export async function inspectBuilder(name: string | undefined, opts: InspectOptions = {}): Promise<string> {
  const b = await resolveBuilder({ name, env: opts.env, skipValidation: true });
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 20_000);
  if (opts.bootstrap) {
    await bootWithDisplay(b, { signal, env: opts.env });
  }
  const infos = await loadNodeInfo(b, signal);
  const lines = [`Name:\t${b.name}`, `Driver:\t${b.driverName}`];
  if (b.lastActivity) lines.push(`Last Activity:\t${goTime(b.lastActivity)}`);
  lines.push('', 'Nodes:');
  b.nodes.forEach((n, i) => {
    const info = infos[i]!;
    if (i) lines.push('');
    lines.push(`Name:\t${n.name}`, `Endpoint:\t${n.endpoint}`);
    const opts = Object.entries(n.driverOpts ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    if (opts.length) lines.push(`Driver Options:\t${opts.join(' ')}`);
    if (info.error) {
      lines.push(`Error:\t${info.error}`);
      return;
    }
    lines.push(`Status:\t${info.status ?? ''}`);
    if (n.flags?.length) lines.push(`BuildKit daemon flags:\t${n.flags.join(' ')}`);
    if (info.version) lines.push(`BuildKit version:\t${info.version}`);
    if (info.platforms.length) lines.push(`Platforms:\t${info.platforms.join(', ')}`);
  });
  return tabwrite(lines, { minWidth: 0, padding: 1 });
}
