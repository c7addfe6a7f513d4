// The pieces of the pod exec that do not need a cluster: the request path, the status frame, and which
// connection errors are worth another attempt.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execPath, statusError } from '../../../../src/drivers/kubernetes/exec-conn.js';
import { backoffMs, connectError, connectWithRetry, isTransient } from '../../../../src/drivers/kubernetes/retry.js';

describe('the exec request', () => {
  it('asks for stdin, stdout and stderr without a tty, one command parameter per word', () => {
    assert.equal(
      execPath({ namespace: 'ns', pod: 'p-1', container: 'buildkitd', command: ['buildctl', 'dial-stdio'] }),
      '/api/v1/namespaces/ns/pods/p-1/exec?container=buildkitd&command=buildctl&command=dial-stdio&stdin=true&stdout=true&stderr=true&tty=false',
    );
  });

  it('reads the status frame: success ends the stream, a failure carries stderr or the message', () => {
    assert.equal(statusError(Buffer.from('{"metadata":{},"status":"Success"}'), ''), undefined);
    const failed = Buffer.from('{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status 1","reason":"NonZeroExitCode"}');
    assert.equal(statusError(failed, '')?.message, 'command terminated with non-zero exit code: exit status 1');
    assert.equal(statusError(failed, 'dial unix /run/buildkit/buildkitd.sock: connect: no such file or directory\n')?.message, 'dial unix /run/buildkit/buildkitd.sock: connect: no such file or directory');
    assert.match(statusError(Buffer.from('not json'), '')?.message ?? '', /invalid exec status/);
  });
});

describe('retrying a connection', () => {
  it('treats refused, reset and timed-out connections as passing; an HTTP refusal is final', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    assert.equal(isTransient(refused), true);
    assert.equal(isTransient(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), true);
    assert.equal(isTransient(new Error('Unexpected server response: 403')), false);
    assert.equal(connectError({ error: refused, message: 'x' }), refused);
    assert.equal(connectError({ message: 'Unexpected server response: 404' }).message, 'Unexpected server response: 404');
  });

  it('backs off 500 ms doubling, at most 10 s', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(backoffMs), [500, 1000, 2000, 4000, 8000, 10000]);
  });

  it('tries five times on passing errors, and names the pod when it gives up', async () => {
    let calls = 0;
    const slept: number[] = [];
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    await assert.rejects(
      connectWithRetry('pod-a', async () => { calls++; throw refused; }, undefined, async (ms) => { slept.push(ms); }),
      { message: 'failed to connect to pod pod-a after 5 attempts: connect ECONNREFUSED 127.0.0.1:6443' },
    );
    assert.equal(calls, 5);
    assert.deepEqual(slept, [500, 1000, 2000, 4000]);
  });

  it('stops at the first final error, and returns what a later attempt connects', async () => {
    let calls = 0;
    await assert.rejects(connectWithRetry('p', async () => { calls++; throw new Error('Unexpected server response: 403'); }, undefined, async () => {}), { message: 'Unexpected server response: 403' });
    assert.equal(calls, 1);
    let n = 0;
    const got = await connectWithRetry('p', async () => { if (n++ < 2) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' }); return 'conn'; }, undefined, async () => {});
    assert.equal(got, 'conn');
  });
});
