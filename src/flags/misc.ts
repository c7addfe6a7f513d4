// The small `build` flags: --add-host, --ulimit, --shm-size, --network, --allow, --no-cache(-filter),
// --progress. Each returns what the request needs (attr values, entitlements) or throws buildx's message.
import { isIP } from 'node:net';
import { cutEquals, splitCSV } from './csv.js';
import { FlagError } from './flag-error.js';
import { goQuote, parseGoFloat, parseGoInt64 } from '../util/go-strconv.js';
import { compareGoStrings } from '../util/go-strings.js';

// ---- --add-host -------------------------------------------------------------------------------------

export const HOST_GATEWAY = 'host-gateway';

export interface ExtraHost {
  host: string;
  /** An IP address, or {@link HOST_GATEWAY} for the caller to replace with the driver's gateway IP. */
  ip: string;
}

/** net.ParseIP: dotted IPv4 without leading zeros or any IPv6 form without a zone. */
function isGoIP(s: string): boolean {
  return !s.includes('%') && isIP(s) !== 0;
}

/**
 * `host=ip` or `host:ip` (first `=` wins, else first `:`); the ip part may list several addresses
 * separated by commas, each optionally in brackets. Values are the already-split StringSlice items.
 */
export function parseAddHosts(values: readonly string[]): ExtraHost[] {
  const out: ExtraHost[] = [];
  for (const h of values) {
    let [host, ip] = cutEquals(h);
    if (ip === undefined) {
      const colon = h.indexOf(':');
      if (colon >= 0) [host, ip] = [h.slice(0, colon), h.slice(colon + 1)];
    }
    if (ip === undefined || host === '' || ip === '') throw new FlagError(`invalid host ${h}`);
    if (ip === HOST_GATEWAY) {
      out.push({ host, ip });
      continue;
    }
    for (let v of ip.split(',')) {
      if (v.length > 2 && v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
      if (!isGoIP(v)) throw new FlagError(`invalid host ${h}`);
      out.push({ host, ip: v });
    }
  }
  return out;
}

export function formatAddHost(h: ExtraHost): string {
  return `${h.host}=${h.ip}`;
}

/** The `add-hosts` frontend attr: `host=ip,host2=ip2`. */
export function formatAddHosts(hosts: readonly ExtraHost[]): string {
  return hosts.map(formatAddHost).join(',');
}

// ---- --ulimit ---------------------------------------------------------------------------------------

const ULIMIT_NAMES = new Set([
  'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio',
  'rttime', 'sigpending', 'stack',
]);

export interface Ulimit {
  name: string;
  soft: bigint;
  hard: bigint;
}

/** `name=soft[:hard]` (hard defaults to soft; -1 is unlimited), with go-units' messages. */
export function parseUlimit(value: string): Ulimit {
  const [name, limits] = cutEquals(value);
  if (limits === undefined) throw new FlagError(`invalid ulimit argument: ${value}`);
  if (!ULIMIT_NAMES.has(name)) throw new FlagError(`invalid ulimit type: ${name}`);
  const parts = limits.split(':');
  if (parts.length > 2) {
    throw new FlagError(`too many limit value arguments - ${limits}, can only have up to two, \`soft[:hard]\``);
  }
  let soft: bigint;
  let hard: bigint;
  try {
    // Go parses hard before soft, so with both bad the hard value is named.
    const parsedHard = parts.length === 2 ? parseGoInt64(parts[1] ?? '') : undefined;
    soft = parseGoInt64(parts[0] ?? '');
    hard = parsedHard ?? soft;
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
  if (hard !== -1n) {
    if (soft === -1n) {
      throw new FlagError(`ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${hard}`);
    }
    if (soft > hard) throw new FlagError(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  }
  return { name, soft, hard };
}

/** One entry per name (the last occurrence wins), sorted by name, as docker's UlimitOpt keeps them. */
export function parseUlimits(values: readonly string[]): Ulimit[] {
  const byName = new Map<string, Ulimit>();
  for (const v of values) {
    const u = parseUlimit(v);
    byName.set(u.name, u);
  }
  return [...byName.values()].sort((a, b) => compareGoStrings(a.name, b.name));
}

export function formatUlimit(u: Ulimit): string {
  return `${u.name}=${u.soft}:${u.hard}`;
}

/** The `ulimit` frontend attr: `nofile=1024:2048,nproc=…`. */
export function formatUlimits(ulimits: readonly Ulimit[]): string {
  return ulimits.map(formatUlimit).join(',');
}

// ---- --shm-size -------------------------------------------------------------------------------------

const BINARY_UNITS: Readonly<Record<string, number>> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/**
 * docker's RAMInBytes: a number (fractions and exponents allowed) with an optional binary unit
 * `b|k|m|g|t|p`, optionally followed by `b`/`ib`, case-insensitive (`64m`, `1.5GiB`, `512 kb`).
 */
export function parseBytes(value: string): number {
  const sep = Math.max(...[...'0123456789. '].map((c) => value.lastIndexOf(c)));
  if (sep < 0) throw new FlagError(`invalid size: '${value}'`);
  const num = value[sep] === ' ' ? value.slice(0, sep) : value.slice(0, sep + 1);
  const suffix = value.slice(sep + 1);
  let size: number;
  try {
    size = parseGoFloat(num);
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
  if (size < 0) throw new FlagError(`invalid size: '${value}'`);
  if (suffix === '') return Math.trunc(size);
  const bad = (): FlagError => new FlagError(`invalid suffix: '${suffix.length > 3 ? suffix : suffix.toLowerCase()}'`);
  if (suffix.length > 3) throw bad();
  const sfx = suffix.toLowerCase();
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw bad();
    return Math.trunc(size);
  }
  const mul = BINARY_UNITS[sfx[0] ?? ''];
  if (mul === undefined) throw bad();
  if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) throw bad();
  return Math.trunc(size * mul);
}

/** `--shm-size`; the `shm-size` attr is sent only when this is > 0. */
export function parseShmSize(value: string): number {
  return parseBytes(value);
}

// ---- --network --------------------------------------------------------------------------------------

export interface NetworkSetting {
  /** The `force-network-mode` frontend attr, when one is needed. */
  forceNetworkMode?: 'host' | 'none';
  /** An entitlement the request must carry. */
  entitlement?: 'network.host';
}

export function resolveNetworkMode(mode: string): NetworkSetting {
  switch (mode) {
    case 'host':
      return { forceNetworkMode: 'host', entitlement: 'network.host' };
    case 'none':
      return { forceNetworkMode: 'none' };
    case '':
    case 'default':
      return {};
    default:
      throw new FlagError(
        `network mode ${goQuote(mode)} not supported by buildkit - you can define a custom network for your builder using the network driver-opt in buildx create`,
      );
  }
}

/** The mode itself: `''` and `default` are `default`; anything but default/host/none is refused. */
export function parseNetworkMode(mode: string): 'default' | 'host' | 'none' {
  return resolveNetworkMode(mode).forceNetworkMode ?? 'default';
}

// ---- --allow ----------------------------------------------------------------------------------------

export const LOCAL_DELETE_ENTITLEMENT = 'buildx.local.delete';
const ENTITLEMENTS = new Set(['security.insecure', 'network.host', 'device']);

export interface Entitlements {
  /** Values to send to BuildKit, verbatim and in order. */
  entitlements: string[];
  /** `buildx.local.delete` was given (client-side only, never sent). */
  allowLocalOutputDelete: boolean;
}

/** `device[=name[,alias=…]]`: only the `alias` key is known. */
function checkDeviceConfig(rest: string): void {
  if (rest === '') return;
  for (const field of splitCSV(rest).slice(1)) {
    const [k, v] = cutEquals(field);
    if (v === undefined) throw new FlagError(`invalid device config ${goQuote(field)}`);
    if (k !== 'alias') throw new FlagError(`unknown device config key ${goQuote(k)}`);
  }
}

export function parseEntitlements(values: readonly string[]): Entitlements {
  const out: Entitlements = { entitlements: [], allowLocalOutputDelete: false };
  for (const v of values) {
    if (v === '') continue;
    const [key, rest] = cutEquals(v);
    if (key === LOCAL_DELETE_ENTITLEMENT) {
      if (rest !== undefined) throw new FlagError(`${LOCAL_DELETE_ENTITLEMENT} does not accept a value`);
      out.allowLocalOutputDelete = true;
      continue;
    }
    let name = v;
    if (key === 'device') {
      checkDeviceConfig(rest ?? '');
      name = key;
    }
    if (!ENTITLEMENTS.has(name)) throw new FlagError(`unknown entitlement ${name}`);
    out.entitlements.push(v);
  }
  return out;
}

// ---- --no-cache / --no-cache-filter -----------------------------------------------------------------

/** The `no-cache` frontend attr: `''` for everything, `a,b` for stages, undefined for none. */
export function resolveNoCache(opts: { noCache: boolean; noCacheFilter: readonly string[] }): string | undefined {
  if (opts.noCache && opts.noCacheFilter.length > 0) {
    throw new FlagError('--no-cache and --no-cache-filter cannot currently be used together');
  }
  if (opts.noCache) return '';
  return opts.noCacheFilter.length > 0 ? opts.noCacheFilter.join(',') : undefined;
}

// ---- --progress -------------------------------------------------------------------------------------

/**
 * `quiet`: no progress, image ID printed on success. `none`: no progress and no ID (`--progress=none`,
 * or `BUILDKIT_PROGRESS=quiet`, which never sets -q).
 */
export type ProgressMode = 'tty' | 'plain' | 'rawjson' | 'quiet' | 'none';

export interface ProgressOptions {
  /** `--progress` as given (default `auto`). */
  flag: string;
  /** `-q/--quiet`. */
  quiet: boolean;
  /** BUILDKIT_PROGRESS; consulted only when the flag is `auto`. */
  env?: string | undefined;
  stderrIsTTY: boolean;
}

export function resolveProgressMode(opts: ProgressOptions): ProgressMode {
  const quiet = opts.quiet || opts.flag === 'quiet';
  let mode = opts.flag === 'none' ? 'quiet' : opts.flag;
  if (quiet) {
    if (mode !== 'auto' && mode !== 'quiet') {
      throw new FlagError(`progress=${opts.flag} and quiet cannot be used together`);
    }
    return 'quiet';
  }
  if (mode === 'auto' && opts.env) mode = opts.env;
  switch (mode) {
    case 'auto':
    case 'tty':
    case '':
      if (opts.stderrIsTTY) return 'tty';
      if (mode === 'tty') throw new FlagError('failed to get console: provided file is not a console');
      return 'plain';
    case 'plain':
      return 'plain';
    case 'rawjson':
      return 'rawjson';
    case 'quiet':
      return 'none';
    default:
      throw new FlagError(`invalid progress mode ${mode}`);
  }
}
