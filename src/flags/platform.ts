// `--platform` values, read like buildx does (containerd/platforms v1.0.0-rc.5 Parse, then Normalize).
import { posix } from 'node:path';
import { FlagError } from './flag-error.js';
import { goQuote } from '../util/go-strconv.js';
import { compareGoStrings } from '../util/go-strings.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
  osFeatures?: string[];
}

const SPECIFIER_SOURCE = '^[A-Za-z0-9_.-]+$';
const OS_SOURCE = '^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.%-]*)((?:\\+[A-Za-z0-9_.%-]+)*)\\))?$';
const SPECIFIER_RE = new RegExp(SPECIFIER_SOURCE);
const OS_RE = new RegExp(OS_SOURCE);
const INVALID = 'invalid argument';

const KNOWN_OS = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl',
  'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos',
]);
const KNOWN_ARCH = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips',
  'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x',
  'sparc', 'sparc64', 'wasm',
]);

const NODE_OS: Readonly<Record<string, string>> = { win32: 'windows', sunos: 'solaris' };
const NODE_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x',
  riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle', ppc: 'ppc', s390: 's390',
};

/**
 * This machine's platform in Go's terms (GOOS/GOARCH, plus the ARM variant Go would detect). Read on
 * call, never at import.
 */
export function localPlatform(): Platform {
  const os = NODE_OS[process.platform] ?? process.platform;
  const architecture = NODE_ARCH[process.arch] ?? process.arch;
  const p: Platform = { os, architecture };
  if (architecture === 'arm64') p.variant = 'v8';
  if (architecture === 'arm') {
    const v = (process.config.variables as Record<string, unknown>)['arm_version'];
    p.variant = `v${typeof v === 'string' || typeof v === 'number' ? v : 7}`;
  }
  return p;
}

function normalizeOS(os: string, local: Platform): string {
  if (os === '') return local.os;
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

function normalizeArch(arch: string, variant: string): [string, string] {
  const a = arch.toLowerCase();
  const v = variant.toLowerCase();
  switch (a) {
    case 'i386':
      return ['386', ''];
    case 'x86_64': case 'x86-64': case 'amd64':
      return ['amd64', v === 'v1' ? '' : v];
    case 'aarch64': case 'arm64':
      if (v === '8' || v === 'v8' || v === 'v8.0') return ['arm64', ''];
      if (v === '9' || v === '9.0' || v === 'v9.0') return ['arm64', 'v9'];
      return ['arm64', v];
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      if (v === '' || v === '7') return ['arm', 'v7'];
      if (v === '5' || v === '6' || v === '8') return ['arm', `v${v}`];
      return ['arm', v];
    default:
      return [a, v];
  }
}

/** url.PathUnescape, for the %-escapes allowed in OS versions and features. */
function pathUnescape(s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(s[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function withOptional(p: Platform, variant: string, osVersion: string, osFeatures: string[]): Platform {
  const out: Platform = { os: p.os, architecture: p.architecture };
  if (variant) out.variant = variant;
  if (osVersion) out.osVersion = osVersion;
  if (osFeatures.length > 0) out.osFeatures = osFeatures;
  return out;
}

/**
 * containerd's Parse alone (no Normalize): `linux/arm` keeps an empty variant and `linux/arm64/v8` keeps
 * `v8`. Single components resolve against `local` (`linux` → local arch, `arm64` → local OS).
 */
export function parsePlatformSpecifier(specifier: string, local: Platform = localPlatform()): Platform {
  if (specifier.includes('*')) throw new FlagError(`${goQuote(specifier)}: wildcards not yet supported: ${INVALID}`);
  const parts = splitN(specifier, '/', 4);
  const first = parts[0] ?? '';
  const m = OS_RE.exec(first);
  if (!m) {
    throw new FlagError(
      `${goQuote(first)} is an invalid OS component of ${goQuote(specifier)}: OSAndVersion specifier component must match ${goQuote(OS_SOURCE)}: ${INVALID}`,
    );
  }
  const os = normalizeOS(m[1] ?? '', local);
  let osVersion: string;
  try {
    osVersion = pathUnescape(m[2] ?? '');
  } catch (err) {
    throw new FlagError(`${goQuote(specifier)} has an invalid OS version ${goQuote(m[2] ?? '')}: ${(err as Error).message}`);
  }
  const osFeatures: string[] = [];
  for (const raw of (m[3] ?? '').split('+').slice(1)) {
    let feature: string;
    try {
      feature = pathUnescape(raw);
    } catch (err) {
      throw new FlagError(`${goQuote(specifier)} has invalid OS features: invalid os feature ${goQuote(raw)}: ${(err as Error).message}`);
    }
    if (feature !== '') osFeatures.push(feature);
  }
  for (const part of parts.slice(1)) {
    if (!SPECIFIER_RE.test(part)) {
      throw new FlagError(
        `${goQuote(part)} is an invalid component of ${goQuote(specifier)}: platform specifier component must match ${goQuote(SPECIFIER_SOURCE)}: ${INVALID}`,
      );
    }
  }

  switch (parts.length) {
    case 1: {
      if (KNOWN_OS.has(os)) {
        const variant = local.architecture === 'arm' && local.variant !== 'v7' ? (local.variant ?? '') : '';
        return withOptional({ os, architecture: local.architecture }, variant, osVersion, osFeatures);
      }
      let [architecture, variant] = normalizeArch(first, '');
      if (architecture === 'arm' && variant === 'v7') variant = '';
      if (KNOWN_ARCH.has(architecture)) return withOptional({ os: local.os, architecture }, variant, osVersion, osFeatures);
      throw new FlagError(`${goQuote(specifier)}: unknown operating system or architecture: ${INVALID}`);
    }
    case 2: {
      let [architecture, variant] = normalizeArch(parts[1] ?? '', '');
      if (architecture === 'arm' && variant === 'v7') variant = '';
      return withOptional({ os, architecture }, variant, osVersion, osFeatures);
    }
    case 3: {
      let [architecture, variant] = normalizeArch(parts[1] ?? '', parts[2] ?? '');
      if (architecture === 'arm64' && variant === '') variant = 'v8';
      return withOptional({ os, architecture }, variant, osVersion, osFeatures);
    }
    default:
      throw new FlagError(`${goQuote(specifier)}: cannot parse platform specifier: ${INVALID}`);
  }
}

/** Go's strings.SplitN: at most n pieces, the last holding the rest. */
function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

/** containerd's Normalize: canonical OS/arch/variant spelling, features sorted and deduplicated. */
export function normalizePlatform(p: Platform, local: Platform = localPlatform()): Platform {
  const [architecture, variant] = normalizeArch(p.architecture, p.variant ?? '');
  const features = p.osFeatures ? [...new Set(p.osFeatures)].sort(compareGoStrings) : [];
  return withOptional({ os: normalizeOS(p.os, local), architecture }, variant, p.osVersion ?? '', features);
}

const OS_OPTION_ESCAPES: Readonly<Record<string, string>> = { '%': '%25', '+': '%2B', '(': '%28', ')': '%29', '/': '%2F' };

function encodeOSOption(v: string): string {
  return v.replace(/[%+()/]/g, (c) => OS_OPTION_ESCAPES[c] ?? c);
}

/** `os[(version[+feature…])]/arch[/variant]` (containerd FormatAll); the OS part is omitted only when empty. */
export function formatPlatform(p: Platform): string {
  if (p.os === '') return 'unknown';
  let os = p.os;
  const version = encodeOSOption(p.osVersion ?? '');
  const features = [...new Set((p.osFeatures ?? []).filter((f) => f !== ''))]
    .sort(compareGoStrings)
    .map(encodeOSOption)
    .join('+');
  if (version !== '' || features !== '') os += `(${version}${features === '' ? '' : `+${features}`})`;
  return posix.join(os, p.architecture, p.variant ?? '');
}

/**
 * One `--platform` value: `local` (any case) is this machine; everything else is parsed and normalized.
 */
export function parsePlatform(specifier: string, local: Platform = localPlatform()): Platform {
  const p = specifier.toLowerCase() === 'local' ? local : parsePlatformSpecifier(specifier, local);
  return normalizePlatform(p, local);
}

/**
 * All `--platform` occurrences, each possibly comma-separated, in order with duplicates (by formatted
 * form) dropped. buildx itself keeps duplicates here; they collapse later when requests are grouped.
 */
export function parsePlatforms(values: readonly string[], local: Platform = localPlatform()): Platform[] {
  const seen = new Set<string>();
  const out: Platform[] = [];
  for (const value of values) {
    for (const s of value.split(',')) {
      const p = parsePlatform(s, local);
      const key = formatPlatform(p);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}
