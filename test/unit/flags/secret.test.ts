// Rows marked "Go" hold values produced by the Go packages buildx vendors, kept here as data.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatSecret, parseSecret, parseSecrets, resolveSecretSource } from '../../../src/flags/secret.js';
import { FlagError } from '../../../src/flags/flag-error.js';

interface Out { id: string; src: string; env: string; string: string }
interface Case { in: string; out?: Out; err?: string }

// Go: buildflags.ParseSecretSpecs (buildx v0.38.2) and Secret.String().
const PARSE: Case[] = [
  {"in": "id=a", "out": {"env": "", "id": "a", "src": "", "string": "id=a"}},
  {"in": "id=a,src=/x", "out": {"env": "", "id": "a", "src": "/x", "string": "id=a,src=/x"}},
  {"in": "id=a,source=/x", "out": {"env": "", "id": "a", "src": "/x", "string": "id=a,src=/x"}},
  {"in": "id=a,env=V", "out": {"env": "V", "id": "a", "src": "", "string": "id=a,env=V"}},
  {"in": "id=a,src=V,type=env", "out": {"env": "V", "id": "a", "src": "", "string": "id=a,env=V"}},
  {"in": "id=a,type=env", "out": {"env": "", "id": "a", "src": "", "string": "id=a"}},
  {"in": "id=a,type=file,src=f", "out": {"env": "", "id": "a", "src": "f", "string": "id=a,src=f"}},
  {"in": "type=foo,id=a", "err": "unsupported secret type \"foo\""},
  {"in": "id", "err": "invalid field 'id' must be a key=value pair"},
  {"in": "id=a,foo=b", "err": "unexpected key 'foo' in 'foo=b'"},
  {"in": "ID=a,SRC=b", "out": {"env": "", "id": "a", "src": "b", "string": "id=a,src=b"}},
  {"in": "Foo=x", "err": "unexpected key 'foo' in 'Foo=x'"},
  {"in": "id=a,src=\"/x,y\"", "err": "failed to parse csv secret: parse error on line 1, column 10: bare \" in non-quoted-field"},
  {"in": "\"id=a", "err": "failed to parse csv secret: parse error on line 1, column 2: extraneous or missing \" in quoted-field"},
  {"in": "id=a,env=E,src=S", "out": {"env": "E", "id": "a", "src": "S", "string": "id=a,src=S,env=E"}},
  {"in": "src=x", "out": {"env": "", "id": "", "src": "x", "string": "src=x"}},
  {"in": "id=a\"b", "err": "failed to parse csv secret: parse error on line 1, column 5: bare \" in non-quoted-field"},
  {"in": "id=a,src=x,type=env,env=E", "out": {"env": "E", "id": "a", "src": "x", "string": "id=a,src=x,env=E"}},
  {"in": "id=a,src=\"x\"\"y\"", "err": "failed to parse csv secret: parse error on line 1, column 10: bare \" in non-quoted-field"},
];

describe('parseSecret', () => {
  for (const c of PARSE) {
    it(JSON.stringify(c.in), () => {
      if (c.err !== undefined) {
        assert.throws(() => parseSecret(c.in), (e: unknown) => e instanceof FlagError && e.message === c.err);
        return;
      }
      const want = c.out as Out;
      const got = parseSecret(c.in);
      assert.equal(got.id, want.id);
      assert.equal(got.src ?? '', want.src);
      assert.equal(got.env ?? '', want.env);
      assert.equal(formatSecret(got), want.string);
      assert.deepEqual(parseSecret(formatSecret(got)), got, 'format then parse gives the secret back');
    });
  }

  it('quotes values that need it when formatting', () => {
    const s = { id: 'a', src: '/x,y' };
    assert.equal(formatSecret(s), 'id=a,"src=/x,y"');
    assert.deepEqual(parseSecret(formatSecret(s)), s);
  });

  it('skips empty occurrences', () => {
    assert.deepEqual(parseSecrets(['', 'id=a']), [{ id: 'a' }]);
  });
});

describe('resolveSecretSource', () => {
  it('prefers an env var named like the id', () => {
    assert.deepEqual(resolveSecretSource({ id: 'TOKEN' }, { TOKEN: '' }), { id: 'TOKEN', env: 'TOKEN' });
  });
  it('falls back to a file named like the id', () => {
    assert.deepEqual(resolveSecretSource({ id: 'token.txt' }, {}), { id: 'token.txt', src: 'token.txt' });
  });
  it('keeps an explicit source', () => {
    assert.deepEqual(resolveSecretSource({ id: 'TOKEN', src: 'f' }, { TOKEN: 'x' }), { id: 'TOKEN', src: 'f' });
  });
});
