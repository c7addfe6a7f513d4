// Rows marked "Go" hold values produced by the Go packages buildx vendors, kept here as data.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatSSH, parseSSH, parseSSHSpecs, withDefaultSSH, type SSHSpec } from '../../../src/flags/ssh.js';

interface Case { in: string; out: SSHSpec }

// Go: buildflags.ParseSSHSpecs (buildx v0.38.2).
const PARSE: Case[] = [
  {"in": "default", "out": {"id": "default", "paths": []}},
  {"in": "default=/a", "out": {"id": "default", "paths": ["/a"]}},
  {"in": "a=/x,/y", "out": {"id": "a", "paths": ["/x", "/y"]}},
  {"in": "a=", "out": {"id": "a", "paths": [""]}},
  {"in": "=x", "out": {"id": "", "paths": ["x"]}},
  {"in": "a=b=c", "out": {"id": "a", "paths": ["b=c"]}},
  {"in": "default=$SSH_AUTH_SOCK", "out": {"id": "default", "paths": ["$SSH_AUTH_SOCK"]}},
  {"in": "a=/x,", "out": {"id": "a", "paths": ["/x", ""]}},
  {"in": "a=\"/x,/y\"", "out": {"id": "a", "paths": ["\"/x", "/y\""]}},
];

describe('parseSSH', () => {
  for (const c of PARSE) {
    it(JSON.stringify(c.in), () => {
      const got = parseSSH(c.in);
      assert.deepEqual(got, c.out);
      assert.equal(formatSSH(got), c.in);
      assert.deepEqual(parseSSH(formatSSH(got)), got);
    });
  }

  it('skips empty occurrences', () => {
    assert.deepEqual(parseSSHSpecs(['', 'default']), [{ id: 'default', paths: [] }]);
  });
});

describe('withDefaultSSH', () => {
  it('adds default for an ssh git context when nothing was given', () => {
    assert.deepEqual(withDefaultSSH([], true), [{ id: 'default', paths: [] }]);
  });
  it('leaves given specs and non-ssh contexts alone', () => {
    assert.deepEqual(withDefaultSSH([{ id: 'x', paths: ['/k'] }], true), [{ id: 'x', paths: ['/k'] }]);
    assert.deepEqual(withDefaultSSH([], false), []);
  });
});
