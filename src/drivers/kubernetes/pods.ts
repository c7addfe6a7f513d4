// Which BuildKit pods a builder has, which one a build goes to, and why the ones that are not ready are
// not. Pure functions over pod objects, so they are tested without a cluster.
import type { V1Pod } from '@kubernetes/client-node';
import { compareGoStrings } from '../../util/go-strings.js';
import { ringOwner } from './hash-ring.js';

/** A `matchLabels` selector as the API's `labelSelector` query (`a=b,c=d`, keys sorted like Go's). */
export function labelSelector(labels: Record<string, string>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}

/**
 * The pods a build may use: running and not being deleted, sorted by name. buildx v0.36.1 also keeps
 * terminating pods, whose BuildKit is about to go away mid-build; they are left out here.
 */
export function runningPods(pods: readonly V1Pod[]): V1Pod[] {
  return pods
    .filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp)
    .sort((a, b) => compareGoStrings(a.metadata?.name ?? '', b.metadata?.name ?? ''));
}

export type Loadbalance = 'sticky' | 'random';

/**
 * The pod for one connection. `sticky` hashes `key` (the build context's absolute path) onto the ring of
 * pod names, so a context keeps meeting its cache; `random` spreads builds.
 */
export function choosePod(pods: readonly V1Pod[], mode: Loadbalance, key: string, random: () => number = Math.random): V1Pod | undefined {
  if (!pods.length) return undefined;
  if (mode === 'sticky') {
    const name = ringOwner(pods.map((p) => p.metadata?.name ?? ''), key);
    const pod = pods.find((p) => p.metadata?.name === name);
    if (pod) return pod;
  }
  return pods[Math.floor(random() * pods.length)];
}

function isReady(p: V1Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** One line on why a pod is not ready: the scheduler's verdict, else the first waiting container's reason. */
export function podProblem(p: V1Pod): string | undefined {
  if (isReady(p)) return undefined;
  const name = p.metadata?.name ?? '';
  if (p.metadata?.deletionTimestamp) return `pod ${name}: Terminating`;
  const unscheduled = p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) return `pod ${name}: ${unscheduled.reason ?? 'Unschedulable'}: ${oneLine(unscheduled.message ?? '')}`;
  const containers = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
  for (const c of containers) {
    const waiting = c.state?.waiting;
    if (waiting?.reason && waiting.reason !== 'PodInitializing' && waiting.reason !== 'ContainerCreating') {
      return `pod ${name}: ${waiting.reason}${waiting.message ? `: ${oneLine(waiting.message)}` : ''}`;
    }
    const term = c.state?.terminated ?? c.lastState?.terminated;
    if (term && !c.ready && (term.exitCode ?? 0) !== 0) {
      return `pod ${name}: container ${c.name} exited with code ${term.exitCode}${term.reason ? ` (${term.reason})` : ''}`;
    }
  }
  return `pod ${name}: ${p.status?.phase ?? 'Pending'}, not ready`;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
