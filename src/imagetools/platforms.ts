// OCI platforms as containerd's platforms package formats, normalizes and matches them for imagetools.
import { posix } from 'node:path';
import { normalizePlatform, parsePlatformSpecifier, type Platform as FlagPlatform } from '../flags/platform.js';
import { samePlatform } from '../flags/platform-match.js';
import type { Platform } from '../registry/types.js';

export function toFlagPlatform(p: Platform): FlagPlatform {
  const out: FlagPlatform = { os: p.os ?? '', architecture: p.architecture ?? '' };
  if (p.variant) out.variant = p.variant;
  if (p['os.version']) out.osVersion = p['os.version'];
  if (p['os.features']?.length) out.osFeatures = p['os.features'];
  return out;
}

export function fromFlagPlatform(p: FlagPlatform): Platform {
  const out: Platform = { architecture: p.architecture, os: p.os };
  if (p.osVersion) out['os.version'] = p.osVersion;
  if (p.osFeatures?.length) out['os.features'] = p.osFeatures;
  if (p.variant) out.variant = p.variant;
  return out;
}

/** platforms.Format: `os/arch[/variant]`, `unknown` without an OS. */
export function formatPlatform(p: Platform): string {
  if (!p.os) return 'unknown';
  return posix.join(p.os, p.architecture ?? '', p.variant ?? '');
}

export function normalize(p: Platform): Platform {
  return fromFlagPlatform(normalizePlatform(toFlagPlatform(p)));
}

/** platforms.Parse, normalized (`linux/arm64/v8` → `linux/arm64`). */
export function parseOCIPlatform(s: string): Platform {
  return fromFlagPlatform(normalizePlatform(parsePlatformSpecifier(s)));
}

/** platforms.Any(...).Match: one wanted platform equals the normalized candidate (OS, arch, variant). */
export function matchesAny(wanted: Platform[], candidate: Platform): boolean {
  const c = toFlagPlatform(candidate);
  return wanted.some((w) => samePlatform(toFlagPlatform(w), c));
}
