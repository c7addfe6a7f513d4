// A kubernetes builder's pods as its nodes, the way buildx's LoadNodes shows them.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { expandDynamic, type NodeInfo } from '../../../src/builder/list.js';

const node = (name: string, platforms: string[]): NodeInfo => ({ name, endpoint: `kubernetes:///b?deployment=${name}`, status: 'running', platforms });

it('each pod repeats its node; a pod platform annotation replaces the detected platforms', () => {
  const infos = [node('b0', ['linux/amd64', 'linux/386']), node('b1', ['linux/arm64*', 'linux/amd64'])];
  const out = expandDynamic(infos, [
    [{ name: 'b0-x-1', platforms: [] }, { name: 'b0-x-2', platforms: [] }],
    [{ name: 'b1-y-1', platforms: ['linux/arm64'] }],
  ]);
  assert.deepEqual(out?.map((n) => [n.name, n.platforms]), [
    ['b0', ['linux/amd64', 'linux/386']],
    ['b0', ['linux/amd64', 'linux/386']],
    ['b1', ['linux/arm64*']],
  ]);
});

it('leaves the nodes as stored unless every node has running pods', () => {
  const infos = [node('b0', []), node('b1', [])];
  assert.equal(expandDynamic(infos, [[{ name: 'p', platforms: [] }], undefined]), undefined);
  assert.equal(expandDynamic(infos, [[{ name: 'p', platforms: [] }], []]), undefined);
  assert.equal(expandDynamic([], []), undefined);
});
