// Which node of a builder builds which requested platform, as buildx decides it: first strictly against
// the platforms each node was created with (`create --platform`); when any platform finds no node that
// way, against what every node's workers report too, accepting compatible platforms. The best match wins
// and ties go to the earlier node; a platform nothing matches goes to node 0. A node receives all its
// platforms in one solve.
//
// One change from buildx (buildx#366): among equally good matches on the workers' platforms, a node that
// runs the platform natively (its worker's first platform, or one it was created with) is preferred to
// one that would emulate it, so a native arm64 node appended to an amd64 one is not left idle while the
// amd64 node emulates arm64.
import { platformMatcher, type MatchMode } from '../flags/platform-match.js';
import type { Platform } from '../flags/platform.js';

export interface SelectableNode {
  /** The platforms the node was created with. */
  configured: readonly Platform[];
}

export interface NodeAssignment {
  /** Index into the builder's nodes. */
  node: number;
  /** The requested platforms this node builds, in request order; empty: the node's default. */
  platforms: Platform[];
  /** Requested platforms no node offered, sent to this node anyway (always node 0). */
  unmatched: Platform[];
}

interface Candidate {
  platform: Platform;
  native: boolean;
}

function bestNode(p: Platform, candidates: readonly (readonly Candidate[])[], mode: MatchMode): number {
  let best = -1;
  let bestCandidate: Candidate | undefined;
  candidates.forEach((list, i) => {
    for (const c of list) {
      const m = platformMatcher(c.platform, mode);
      if (!m.matches(p)) continue;
      if (!bestCandidate) {
        best = i;
        bestCandidate = c;
        continue;
      }
      const better = m.less(p, bestCandidate.platform);
      const equal = !better && m.rank(p) === platformMatcher(bestCandidate.platform, mode).rank(p);
      if (better || (equal && mode === 'compatible' && c.native && !bestCandidate.native)) {
        best = i;
        bestCandidate = c;
      }
    }
  });
  return best;
}

function assign(requested: readonly Platform[], candidates: readonly (readonly Candidate[])[], mode: MatchMode): { assignments: NodeAssignment[]; perfect: boolean } {
  if (requested.length === 0) return { assignments: [{ node: 0, platforms: [], unmatched: [] }], perfect: true };
  const out: NodeAssignment[] = [];
  let perfect = true;
  for (const p of requested) {
    let idx = bestNode(p, candidates, mode);
    const matched = idx >= 0;
    if (!matched) {
      idx = 0;
      perfect = false;
    }
    let a = out.find((x) => x.node === idx);
    if (!a) out.push((a = { node: idx, platforms: [], unmatched: [] }));
    a.platforms.push(p);
    if (!matched) a.unmatched.push(p);
  }
  return { assignments: out, perfect };
}

/** The strict first pass on configured platforms; `undefined` when it does not place every platform. */
export function selectByConfigured(nodes: readonly SelectableNode[], requested: readonly Platform[]): NodeAssignment[] | undefined {
  const candidates = nodes.map((n) => n.configured.map((platform) => ({ platform, native: true })));
  const { assignments, perfect } = assign(requested, candidates, 'strict');
  return perfect ? assignments : undefined;
}

/**
 * The second pass, once every node is up: configured platforms plus the workers' (`workers[i]`, the
 * first being the one the node runs natively; empty for a node that could not be asked).
 */
export function selectByWorkers(nodes: readonly SelectableNode[], workers: readonly (readonly Platform[])[], requested: readonly Platform[]): NodeAssignment[] {
  const candidates = nodes.map((n, i) => [
    ...n.configured.map((platform) => ({ platform, native: true })),
    ...(workers[i] ?? []).map((platform, j) => ({ platform, native: j === 0 })),
  ]);
  return assign(requested, candidates, 'compatible').assignments;
}
