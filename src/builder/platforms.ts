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

const osArch = (p: string): string => p.replace(/\*$/, '').split('/').slice(0, 2).join('/');

/** One group as the table shows it: the platform itself, or `linux/arm* (+3)` for several. */
function groupText(key: string, members: string[]): string {
  if (members.length === 1) return members[0]!;
  return `${key}${members.some((p) => p.endsWith('*')) ? '*' : ''} (+${members.length})`;
}

/**
 * Table view of platformList output (buildx commands/ls.go truncPlatforms): major architectures are
 * grouped first until `max` groups exist; other os/arch groups are only taken while fewer than `max`
 * groups were found, and printed (sorted) while fewer than `max` entries are out; whatever no shown
 * group covers is counted as `(N more)`.
 */
export function truncatePlatforms(list: string[], max = 4): string {
  const groups = new Map<string, string[]>();
  for (const major of MAJOR) {
    for (const p of list) {
      if (groups.size >= max) break;
      if (osArch(p) === major) groups.set(major, [...(groups.get(major) ?? []), p]);
    }
  }
  if (groups.size < max) {
    const rest = new Map<string, string[]>();
    for (const p of list) {
      const key = osArch(p);
      if (!groups.has(key)) rest.set(key, [...(rest.get(key) ?? []), p]);
    }
    for (const [k, v] of rest) groups.set(k, v);
  }
  const out: string[] = [];
  let count = 0;
  for (const major of MAJOR) {
    const g = groups.get(major);
    if (!g) continue;
    out.push(groupText(major, g));
    count += g.length;
  }
  for (const key of [...groups.keys()].sort()) {
    if (out.length >= max) break;
    if (MAJOR.includes(key)) continue;
    out.push(groupText(key, groups.get(key)!));
    count += groups.get(key)!.length;
  }
  if (list.length > count) out.push(`(${list.length - count} more)`);
  return out.join(', ');
}
