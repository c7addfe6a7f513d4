// The consistent hash ring `loadbalance=sticky` uses to map a build context to a pod. It must pick the
// same pod Go buildx picks (github.com/serialx/hashring with its default MD5 key), so both tools send the
// same context to the same BuildKit cache.
import { createHash } from 'node:crypto';

interface RingKey {
  high: bigint;
  low: bigint;
}

/** MD5 of `s`, read as two little-endian signed 64-bit integers. */
function ringKey(s: string): RingKey {
  const d = createHash('md5').update(s).digest();
  return { high: d.readBigInt64LE(0), low: d.readBigInt64LE(8) };
}

function less(a: RingKey, b: RingKey): boolean {
  return a.high < b.high || (a.high === b.high && a.low < b.low);
}

/**
 * The node of `nodes` that owns `key`: every node sits on the ring once (weight 1, point `<node>-0`);
 * the owner is the first point strictly after the key's hash, wrapping around. Undefined for no nodes.
 */
export function ringOwner(nodes: readonly string[], key: string): string | undefined {
  const points = nodes.map((node) => ({ node, at: ringKey(`${node}-0`) }));
  points.sort((a, b) => (less(a.at, b.at) ? -1 : less(b.at, a.at) ? 1 : 0));
  const k = ringKey(key);
  return (points.find((p) => less(k, p.at)) ?? points[0])?.node;
}
