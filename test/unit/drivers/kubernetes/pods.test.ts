// Pod choice and the reasons a bootstrap names: the hash ring against values Go buildx's
// github.com/serialx/hashring computed for the same pod names and keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { ringOwner } from '../../../../src/drivers/kubernetes/hash-ring.js';
import { choosePod, labelSelector, podProblem, runningPods } from '../../../../src/drivers/kubernetes/pods.js';

const PODS = ['buildkit-a-7d9f8c-abcde', 'buildkit-a-7d9f8c-fghij', 'buildkit-a-7d9f8c-klmno'];

function pod(name: string, extra: { phase?: string; deleting?: boolean; ready?: boolean; status?: V1Pod['status'] } = {}): V1Pod {
  return {
    metadata: { name, ...(extra.deleting ? { deletionTimestamp: new Date() } : {}) },
    spec: { containers: [{ name: 'buildkitd' }] },
    status: extra.status ?? {
      phase: extra.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: extra.ready === false ? 'False' : 'True' }],
    },
  };
}

describe('the sticky hash ring', () => {
  it('picks the pod Go buildx picks for each key', () => {
    // Printed by a Go program using hashring.New(PODS).GetNode(key), the package buildx vendors.
    const fromGo: [string, string][] = [
      ['/', 'buildkit-a-7d9f8c-fghij'],
      ['/tmp/ctx', 'buildkit-a-7d9f8c-fghij'],
      ['/home/user/project', 'buildkit-a-7d9f8c-klmno'],
      ['/work/main', 'buildkit-a-7d9f8c-klmno'],
      ['/var/lib/x/y/z', 'buildkit-a-7d9f8c-klmno'],
      ['relative', 'buildkit-a-7d9f8c-fghij'],
    ];
    for (const [key, want] of fromGo) assert.equal(ringOwner(PODS, key), want, key);
  });

  it('does not depend on the order pods are listed in', () => {
    for (const key of ['/', '/work/main', 'relative']) {
      assert.equal(ringOwner([...PODS].reverse(), key), ringOwner(PODS, key));
    }
  });

  it('has no owner without pods, and one pod owns everything', () => {
    assert.equal(ringOwner([], '/x'), undefined);
    assert.equal(ringOwner(['only'], '/x'), 'only');
  });
});

describe('choosing a pod', () => {
  it('keeps running pods that are not terminating, sorted by name', () => {
    const pods = [pod('c'), pod('a', { deleting: true }), pod('b', { phase: 'Pending' }), pod('d'), pod('b2')];
    assert.deepEqual(runningPods(pods).map((p) => p.metadata?.name), ['b2', 'c', 'd']);
  });

  it('sticky goes to the ring owner; random follows the random source', () => {
    const pods = runningPods(PODS.map((n) => pod(n)));
    assert.equal(choosePod(pods, 'sticky', '/home/user/project')?.metadata?.name, 'buildkit-a-7d9f8c-klmno');
    assert.equal(choosePod(pods, 'random', '/home/user/project', () => 0)?.metadata?.name, 'buildkit-a-7d9f8c-abcde');
    assert.equal(choosePod(pods, 'random', '/home/user/project', () => 0.99)?.metadata?.name, 'buildkit-a-7d9f8c-klmno');
    assert.equal(choosePod([], 'sticky', '/'), undefined);
  });

  it('selects by the labels, sorted', () => {
    assert.equal(labelSelector({ zeta: '1', app: 'b0' }), 'app=b0,zeta=1');
  });
});

describe('why a pod is not ready', () => {
  it('says nothing for a ready pod', () => {
    assert.equal(podProblem(pod('p')), undefined);
  });

  it('names the scheduler verdict on one line', () => {
    const p = pod('p', { status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 node(s) didn\'t match Pod\'s node affinity/selector.\n preemption: 0/1 nodes' }] } });
    assert.equal(podProblem(p), "pod p: Unschedulable: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes");
  });

  it('names a waiting container, init containers first', () => {
    const p = pod('p', { status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      initContainerStatuses: [{ name: 'qemu', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull', message: 'failed to pull "127.0.0.1:5000/nope:1": not found' } } }],
      containerStatuses: [{ name: 'buildkitd', image: 'y', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
    } });
    assert.equal(podProblem(p), 'pod p: ErrImagePull: failed to pull "127.0.0.1:5000/nope:1": not found');
  });

  it('names a crashing container and a pod still starting', () => {
    const crashed = pod('p', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'buildkitd', image: 'y', imageID: '', ready: false, restartCount: 3, state: { running: {} }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }] } });
    assert.equal(podProblem(crashed), 'pod p: container buildkitd exited with code 1 (Error)');
    assert.equal(podProblem(pod('q', { phase: 'Running', ready: false })), 'pod q: Running, not ready');
    assert.equal(podProblem(pod('r', { deleting: true, ready: false })), 'pod r: Terminating');
  });
});
