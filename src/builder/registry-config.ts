// A builder's registry settings for client-side registry access (imagetools, the multi-node merge), as
// buildx's ImageOpt reads them: the `[registry."host"]` sections of its first node's buildkitd.toml,
// `http` and `insecure` per host.
import { parseToml } from '../util/toml-parse.js';
import { isTable } from '../util/toml-value.js';
import type { Builder } from './builder.js';

export interface HostSettings {
  plainHTTP?: boolean;
  insecure?: boolean;
}

export function registryConfigOf(b: Builder): Record<string, HostSettings> {
  const file = b.nodes[0]?.files?.['buildkitd.toml'];
  if (!file) return {};
  const doc = parseToml(Buffer.from(file, 'base64').toString('utf8'));
  const reg = doc.get('registry');
  const out: Record<string, HostSettings> = {};
  if (!isTable(reg)) return out;
  for (const [host, rc] of reg) {
    if (!isTable(rc)) continue;
    const s: HostSettings = {};
    const http = rc.get('http');
    const insecure = rc.get('insecure');
    if (typeof http === 'boolean') s.plainHTTP = http;
    if (typeof insecure === 'boolean') s.insecure = insecure;
    out[host] = s;
  }
  return out;
}
