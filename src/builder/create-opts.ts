// Parsing of `create`'s option flags: --driver-opt CSV, --buildkitd-flags (shell words) and the
// entitlement default container drivers need (cli.md §3.4, §4.2).
import { BuildxError } from '../util/errors.js';
import { parsePlatforms } from '../flags/platform.js';
import type { OCIPlatform } from './store.js';

/** One CSV record (RFC 4180 quoting), as Go's csvvalue reads a --driver-opt value. */
function csvFields(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out;
}

/** `undefined` when no --driver-opt was given: an update then keeps the node's options. */
export function parseDriverOpts(values: readonly string[]): Record<string, string> | undefined {
  if (!values.length) return undefined;
  const m: Record<string, string> = {};
  for (const s of values) {
    for (const f of csvFields(s)) {
      const i = f.indexOf('=');
      if (i < 0) throw new BuildxError(`invalid value ${JSON.stringify(f)}, expecting k=v`);
      m[f.slice(0, i)] = f.slice(i + 1);
    }
  }
  return m;
}

/** POSIX-shell-like word splitting (quotes and backslashes), as buildx's shlex does. */
export function shellSplit(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new BuildxError('failed to parse buildkit flags: EOF found when expecting closing quote');
      cur += s.slice(i + 1, end); i = end; inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`\n'.includes(s[j + 1]!)) j++;
        cur += s[j];
      }
      if (j >= s.length) throw new BuildxError('failed to parse buildkit flags: EOF found when expecting closing quote');
      i = j; inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i]; inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = ''; inWord = false;
    } else { cur += c; inWord = true; }
  }
  if (inWord) words.push(cur);
  return words;
}

const NETWORK_HOST = '--allow-insecure-entitlement=network.host';

/** The values of every --allow-insecure-entitlement in a buildkitd argument list. */
function entitlements(flags: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]!;
    if (f === '--allow-insecure-entitlement' && i + 1 < flags.length) out.push(flags[++i]!);
    else if (f.startsWith('--allow-insecure-entitlement=')) out.push(f.slice('--allow-insecure-entitlement='.length));
  }
  return out;
}

/**
 * Container drivers isolate the daemon's network, so buildx grants `network.host` unless the user chose
 * entitlements themselves; `undefined` means "not given" (an update keeps the node's flags).
 */
export function parseBuildkitdFlags(input: string, driver: string, driverOpts: Record<string, string> | undefined, configEntitlements: string[] = []): string[] | undefined {
  let res: string[] | undefined = input ? shellSplit(input) : undefined;
  const ents = entitlements(res ?? []);
  const container = driver === 'docker-container' || driver === 'kubernetes';
  if (driverOpts?.network === 'host' && !ents.includes('network.host') && driver === 'docker-container') {
    res = [...(res ?? []), NETWORK_HOST];
  } else if (!ents.length && !configEntitlements.includes('network.host') && container) {
    res = [...(res ?? []), NETWORK_HOST];
  }
  return res;
}

/** --platform values as OCI platform objects, in Go's JSON field order. */
export function parseNodePlatforms(values: readonly string[]): OCIPlatform[] {
  return parsePlatforms(values).map((p) => {
    const o: OCIPlatform = { architecture: p.architecture, os: p.os };
    if (p.osVersion) o['os.version'] = p.osVersion;
    if (p.osFeatures?.length) o['os.features'] = p.osFeatures;
    if (p.variant) o.variant = p.variant;
    return o;
  });
}
