// Platform display for `ls`/`inspect`: fixed platforms first (marked `*`), then detected ones; the
// table view groups by os/arch and keeps at most four groups, major architectures first.

export interface PlatformLike {
  os: string;
  architecture: string;
  variant?: string;
}

export function formatPlatform(p: PlatformLike): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

const MAJOR = ['linux/amd64', 'linux/arm64', 'linux/arm', 'linux/ppc64le', 'linux/s390x', 'linux/riscv64', 'linux/mips64'];

/** Full list: `linux/amd64*, linux/arm64`. */
export function platformList(fixed: string[], detected: string[]): string[] {
  const out = fixed.map((p) => `${p}*`);
  for (const p of detected) if (!fixed.includes(p) && !out.includes(p)) out.push(p);
  return out;
}

/** Table view of platformList output: at most four os/arch groups, then `(N more)`. */
export function truncatePlatforms(list: string[], max = 4): string {
  const groups = new Map<string, string[]>();
  for (const p of list) {
    const key = p.replace(/\*$/, '').split('/').slice(0, 2).join('/');
    const g = groups.get(key);
    if (g) g.push(p);
    else groups.set(key, [p]);
  }
  const keys = [...groups.keys()];
  const rank = (k: string) => {
    const i = MAJOR.indexOf(k);
    return i < 0 ? MAJOR.length : i;
  };
  const ordered = keys.map((k, i) => ({ k, i })).sort((a, b) => rank(a.k) - rank(b.k) || a.i - b.i).map((x) => x.k);
  const shown = ordered.slice(0, max).map((k) => {
    const g = groups.get(k)!;
    if (g.length === 1) return g[0]!;
    const star = g.some((p) => p.endsWith('*')) ? '*' : '';
    return `${k}${star} (+${g.length})`;
  });
  let text = shown.join(', ');
  const rest = ordered.slice(max).reduce((n, k) => n + groups.get(k)!.length, 0);
  if (rest > 0) text += ` (${rest} more)`;
  return text;
}
