import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { confirm } from '../../../src/cli/prompt.js';

function ask(input: string | null): Promise<[boolean, string]> {
  const stdin = new PassThrough();
  const out = new PassThrough();
  let shown = '';
  out.on('data', (d: Buffer) => { shown += d.toString(); });
  const answer = confirm('Sure? [y/N] ', stdin, out);
  if (input === null) stdin.end();
  else stdin.end(input);
  return answer.then((a) => [a, shown]);
}

test('exactly "y" or "Y" confirms, as in buildx; stdin ending without a line is "no"', async () => {
  assert.deepEqual(await ask('y\n'), [true, 'Sure? [y/N] ']);
  assert.deepEqual(await ask('Y\n'), [true, 'Sure? [y/N] ']);
  assert.deepEqual(await ask(' y\n'), [false, 'Sure? [y/N] ']);
  assert.deepEqual(await ask('y \n'), [false, 'Sure? [y/N] ']);
  assert.deepEqual(await ask('yes\n'), [false, 'Sure? [y/N] ']);
  assert.deepEqual(await ask('\n'), [false, 'Sure? [y/N] ']);
  assert.deepEqual(await ask(null), [false, 'Sure? [y/N] ']);
  assert.deepEqual(await ask('y'), [true, 'Sure? [y/N] ']);
});

test('an interrupt while waiting rejects with its reason', async () => {
  const stdin = new PassThrough();
  const ac = new AbortController();
  const answer = confirm('Sure? [y/N] ', stdin, new PassThrough(), ac.signal);
  const reason = new Error('canceled');
  ac.abort(reason);
  await assert.rejects(answer, reason);
  // an answer before any interrupt is unaffected
  const ac2 = new AbortController();
  const stdin2 = new PassThrough();
  const ok = confirm('Sure? [y/N] ', stdin2, new PassThrough(), ac2.signal);
  stdin2.end('y\n');
  assert.equal(await ok, true);
  ac2.abort(new Error('late'));
});
