// Which platforms a platform can stand in for, as containerd's matchers decide it (buildx picks the
// node for each requested platform with them): `strict` accepts only the platform itself, the default
// also its compatible older forms (amd64/v3 → v2, v1, 386; arm64/v8.2 → v8.1, v8, arm/v8 … v5).
import { normalizePlatform, type Platform } from './platform.js';

export type MatchMode = 'strict' | 'compatible';

const ARM64_VERSIONS: Readonly<Record<string, { major: number[]; minor: number[] }>> = {
  v8: { major: [8], minor: [0] },
  'v8.0': { major: [8], minor: [0] },
  ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9].map((m) => [`v8.${m}`, { major: [8], minor: [m] }])),
  v9: { major: [9, 8], minor: [0, 5] },
  'v9.0': { major: [9, 8], minor: [0, 5] },
  ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((m) => [`v9.${m}`, { major: [9, 8], minor: [m, Math.min(m + 5, 9)] }])),
};

function withArch(p: Platform, architecture: string, variant?: string): Platform {
  const out: Platform = { os: p.os, architecture };
  if (variant) out.variant = variant;
  if (p.osVersion) out.osVersion = p.osVersion;
  if (p.osFeatures?.length) out.osFeatures = p.osFeatures;
  return out;
}

/** The platforms `p` can run, best first (containerd's platformVector). */
export function platformVector(p: Platform): Platform[] {
  const versionOf = (variant: string | undefined): number => {
    const v = (variant ?? '').replace(/^v/, '');
    return /^[+-]?\d+$/.test(v) ? Number(v) : NaN;
  };
  switch (p.architecture) {
    case 'amd64': {
      const out = [p];
      const v = versionOf(p.variant);
      if (v > 1) for (let i = v - 1; i >= 1; i--) out.push(withArch(p, 'amd64', `v${i}`));
      out.push(withArch(p, '386'));
      return out;
    }
    case 'arm': {
      const out = [p];
      const v = versionOf(p.variant);
      if (v > 5) for (let i = v - 1; i >= 5; i--) out.push(withArch(p, 'arm', `v${i}`));
      return out;
    }
    case 'arm64': {
      let variant = p.variant || 'v8';
      const versions = ARM64_VERSIONS[variant];
      if (!versions) return [];
      const out: Platform[] = [];
      versions.major.forEach((major, i) => {
        for (let minor = versions.minor[i]!; minor >= 0; minor--) out.push(withArch(p, 'arm64', minor === 0 ? `v${major}` : `v${major}.${minor}`));
      });
      if (variant.startsWith('v8') || variant.startsWith('v9')) variant = 'v8';
      return [...out, ...platformVector(withArch(p, 'arm', variant))];
    }
    default:
      return [p];
  }
}

/** Equal once normalized, in OS, architecture and variant (containerd's matcher for one platform). */
export function samePlatform(a: Platform, b: Platform): boolean {
  const x = normalizePlatform(a);
  const y = normalizePlatform(b);
  return x.os === y.os && x.architecture === y.architecture && (x.variant ?? '') === (y.variant ?? '');
}

/** What a platform `offered` (a node's) accepts, and how it ranks two candidates (containerd's MatchComparer). */
export interface PlatformMatcher {
  matches(p: Platform): boolean;
  /** Where `p` sits in the offered platform's vector (0: the platform itself), -1 when it does not match. */
  rank(p: Platform): number;
  /** True when `a` is a better fit than `b`: it matches an earlier entry of the vector that `b` does not. */
  less(a: Platform, b: Platform): boolean;
}

export function platformMatcher(offered: Platform, mode: MatchMode): PlatformMatcher {
  const normalized = normalizePlatform(offered);
  const vector = mode === 'strict' ? [normalized] : platformVector(normalized);
  return {
    matches: (p) => vector.some((v) => samePlatform(v, p)),
    rank: (p) => vector.findIndex((v) => samePlatform(v, p)),
    less: (a, b) => {
      for (const v of vector) {
        const am = samePlatform(v, a);
        const bm = samePlatform(v, b);
        if (am && !bm) return true;
        if (am || bm) return false;
      }
      return false;
    },
  };
}
