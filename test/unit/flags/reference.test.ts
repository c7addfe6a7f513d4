// Rows marked "Go" hold values produced by the Go packages buildx vendors, kept here as data.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  familiarString, formatReference, normalizeName, parseNormalizedNamed, parseReference, parseTag, parseTags, tagNameOnly,
} from '../../../src/flags/reference.js';
import { parseBuildContexts, parseContextName } from '../../../src/flags/context.js';
import { FlagError } from '../../../src/flags/flag-error.js';

function isFlagError(message: string) {
  return (e: unknown): boolean => e instanceof FlagError && e.message === message;
}

interface RefOut { domain: string; path: string; tag?: string; digest?: string; string: string }
interface RefCase { in: string; out?: RefOut; err?: string }

// Go: reference.Parse (distribution/reference v0.6.0) with Domain/Path/Tag/Digest/String.
const PARSE: RefCase[] = [
  {"in": "alpine", "out": {"domain": "", "path": "alpine", "string": "alpine"}},
  {"in": "alpine:3.19", "out": {"domain": "", "path": "alpine", "string": "alpine:3.19", "tag": "3.19"}},
  {"in": "Alpine", "err": "repository name must be lowercase"},
  {"in": "docker.io/library/alpine", "out": {"domain": "docker.io", "path": "library/alpine", "string": "docker.io/library/alpine"}},
  {"in": "localhost:5000/foo/bar:tag", "out": {"domain": "localhost:5000", "path": "foo/bar", "string": "localhost:5000/foo/bar:tag", "tag": "tag"}},
  {"in": "foo/bar@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "out": {"digest": "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "domain": "foo", "path": "bar", "string": "foo/bar@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}},
  {"in": "foo@sha256:abc", "err": "invalid reference format"},
  {"in": "foo@sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "out": {"digest": "sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "domain": "", "path": "foo", "string": "foo@sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}},
  {"in": "foo@sha384:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "out": {"digest": "sha384:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "domain": "", "path": "foo", "string": "foo@sha384:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}},
  {"in": "foo@md5:0123456789abcdef0123456789abcdef", "err": "unsupported digest algorithm"},
  {"in": "foo@SHA256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "err": "invalid checksum digest format"},
  {"in": "foo@sha256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF", "err": "invalid checksum digest format"},
  {"in": "foo:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "out": {"domain": "", "path": "foo", "string": "foo:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "tag": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}},
  {"in": "foo:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "err": "invalid reference format"},
  {"in": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "err": "repository name must not be more than 255 characters"},
  {"in": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "out": {"domain": "", "path": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "string": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}},
  {"in": "abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc", "out": {"domain": "abc", "path": "abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc", "string": "abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc/abc"}},
  {"in": "[::1]:5000/foo", "out": {"domain": "[::1]:5000", "path": "foo", "string": "[::1]:5000/foo"}},
  {"in": "[::1]/foo", "out": {"domain": "[::1]", "path": "foo", "string": "[::1]/foo"}},
  {"in": "foo:tag@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "out": {"digest": "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "domain": "", "path": "foo", "string": "foo:tag@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "tag": "tag"}},
  {"in": "", "err": "repository name must have at least one component"},
  {"in": ":tag", "err": "invalid reference format"},
  {"in": "foo:", "err": "invalid reference format"},
  {"in": "foo bar", "err": "invalid reference format"},
  {"in": "-foo", "err": "invalid reference format"},
  {"in": "foo-", "err": "invalid reference format"},
  {"in": "foo--bar", "out": {"domain": "", "path": "foo--bar", "string": "foo--bar"}},
  {"in": "foo__bar", "out": {"domain": "", "path": "foo__bar", "string": "foo__bar"}},
  {"in": "foo___bar", "err": "invalid reference format"},
  {"in": "foo_.bar", "err": "invalid reference format"},
  {"in": "registry.example.com/org/app:v1.2.3", "out": {"domain": "registry.example.com", "path": "org/app", "string": "registry.example.com/org/app:v1.2.3", "tag": "v1.2.3"}},
  {"in": "UPPER/foo", "out": {"domain": "UPPER", "path": "foo", "string": "UPPER/foo"}},
  {"in": "Registry.Example.com/foo", "out": {"domain": "Registry.Example.com", "path": "foo", "string": "Registry.Example.com/foo"}},
  {"in": "foo/Bar", "err": "repository name must be lowercase"},
  {"in": "foo::bar", "err": "invalid reference format"},
  {"in": "foo:-tag", "err": "invalid reference format"},
  {"in": "foo:_tag", "out": {"domain": "", "path": "foo", "string": "foo:_tag", "tag": "_tag"}},
  {"in": "foo:.tag", "err": "invalid reference format"},
  {"in": "a.b-c_d/e", "out": {"domain": "", "path": "a.b-c_d/e", "string": "a.b-c_d/e"}},
  {"in": "example.com:80/x", "out": {"domain": "example.com:80", "path": "x", "string": "example.com:80/x"}},
  {"in": "example.com:port/x", "err": "invalid reference format"},
  {"in": "sub-.example.com/x", "err": "invalid reference format"},
  {"in": "192.168.1.1:5000/x", "out": {"domain": "192.168.1.1:5000", "path": "x", "string": "192.168.1.1:5000/x"}},
  {"in": "foo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", "err": "invalid checksum digest length"},
  {"in": "foo/bar:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "out": {"digest": "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "domain": "foo", "path": "bar", "string": "foo/bar:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "tag": "latest"}},
  {"in": "foo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0", "err": "invalid checksum digest length"},
  {"in": "foo@sha256+b:0123456789abcdef0123456789abcdef", "err": "unsupported digest algorithm"},
  {"in": "FOO:tag", "err": "repository name must be lowercase"},
  {"in": "foo/bar/", "err": "invalid reference format"},
  {"in": "ex_ample.com/foo", "out": {"domain": "", "path": "ex_ample.com/foo", "string": "ex_ample.com/foo"}},
  {"in": "localhost/foo", "out": {"domain": "localhost", "path": "foo", "string": "localhost/foo"}},
];

describe('parseReference', () => {
  for (const c of PARSE) {
    it(c.in.length > 60 ? `${c.in.slice(0, 60)}… (${c.in.length} chars)` : JSON.stringify(c.in), () => {
      if (c.err !== undefined) {
        assert.throws(() => parseReference(c.in), isFlagError(c.err));
        return;
      }
      const want = c.out as RefOut;
      const got = parseReference(c.in);
      assert.equal(got.domain, want.domain ?? '');
      assert.equal(got.path, want.path);
      assert.equal(got.tag, want.tag);
      assert.equal(got.digest, want.digest);
      assert.equal(formatReference(got), want.string);
      assert.deepEqual(parseReference(formatReference(got)), got);
    });
  }
});

interface NormOut { full: string; familiar: string; tagNameOnly: string }
interface NormCase { in: string; out?: NormOut; err?: string }

// Go: reference.ParseNormalizedNamed, then String, FamiliarString and TagNameOnly(...).String.
const NORMALIZED: NormCase[] = [
  {"in": "alpine", "out": {"full": "docker.io/library/alpine", "familiar": "alpine", "tagNameOnly": "docker.io/library/alpine:latest"}},
  {"in": "alpine:latest", "out": {"full": "docker.io/library/alpine:latest", "familiar": "alpine:latest", "tagNameOnly": "docker.io/library/alpine:latest"}},
  {"in": "library/alpine", "out": {"full": "docker.io/library/alpine", "familiar": "alpine", "tagNameOnly": "docker.io/library/alpine:latest"}},
  {"in": "docker.io/alpine", "out": {"full": "docker.io/library/alpine", "familiar": "alpine", "tagNameOnly": "docker.io/library/alpine:latest"}},
  {"in": "docker.io/library/alpine:3", "out": {"full": "docker.io/library/alpine:3", "familiar": "alpine:3", "tagNameOnly": "docker.io/library/alpine:3"}},
  {"in": "index.docker.io/foo/bar", "out": {"full": "docker.io/foo/bar", "familiar": "foo/bar", "tagNameOnly": "docker.io/foo/bar:latest"}},
  {"in": "index.docker.io/alpine", "out": {"full": "docker.io/library/alpine", "familiar": "alpine", "tagNameOnly": "docker.io/library/alpine:latest"}},
  {"in": "localhost/foo", "out": {"full": "localhost/foo", "familiar": "localhost/foo", "tagNameOnly": "localhost/foo:latest"}},
  {"in": "localhost:5000/foo", "out": {"full": "localhost:5000/foo", "familiar": "localhost:5000/foo", "tagNameOnly": "localhost:5000/foo:latest"}},
  {"in": "foo/bar", "out": {"full": "docker.io/foo/bar", "familiar": "foo/bar", "tagNameOnly": "docker.io/foo/bar:latest"}},
  {"in": "Foo/bar", "out": {"full": "Foo/bar", "familiar": "Foo/bar", "tagNameOnly": "Foo/bar:latest"}},
  {"in": "foo/Bar", "err": "invalid reference format: repository name (foo/Bar) must be lowercase"},
  {"in": "example.com/Foo", "err": "invalid reference format: repository name (Foo) must be lowercase"},
  {"in": "Example.com/foo", "out": {"full": "Example.com/foo", "familiar": "Example.com/foo", "tagNameOnly": "Example.com/foo:latest"}},
  {"in": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "err": "invalid repository name (0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef), cannot specify 64-byte hexadecimal strings"},
  {"in": "foo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "out": {"full": "docker.io/library/foo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "familiar": "foo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "tagNameOnly": "docker.io/library/foo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}},
  {"in": "foo:tag@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "out": {"full": "docker.io/library/foo:tag@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "familiar": "foo:tag@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "tagNameOnly": "docker.io/library/foo:tag@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}},
  {"in": "docker.io/library/foo/bar", "out": {"full": "docker.io/library/foo/bar", "familiar": "library/foo/bar", "tagNameOnly": "docker.io/library/foo/bar:latest"}},
  {"in": "myregistry/foo", "out": {"full": "docker.io/myregistry/foo", "familiar": "myregistry/foo", "tagNameOnly": "docker.io/myregistry/foo:latest"}},
  {"in": "", "err": "invalid reference format"},
  {"in": "alpine:TAG", "out": {"full": "docker.io/library/alpine:TAG", "familiar": "alpine:TAG", "tagNameOnly": "docker.io/library/alpine:TAG"}},
  {"in": "Alpine:tag", "err": "invalid reference format: repository name (library/Alpine) must be lowercase"},
  {"in": "foo:bar:baz", "err": "invalid reference format"},
];

describe('parseNormalizedNamed / normalizeName', () => {
  for (const c of NORMALIZED) {
    it(JSON.stringify(c.in), () => {
      if (c.err !== undefined) {
        assert.throws(() => parseNormalizedNamed(c.in), isFlagError(c.err));
        assert.throws(() => normalizeName(c.in), isFlagError(c.err));
        return;
      }
      const want = c.out as NormOut;
      const r = parseNormalizedNamed(c.in);
      assert.equal(formatReference(r), want.full);
      assert.equal(familiarString(r), want.familiar);
      assert.equal(formatReference(tagNameOnly(r)), want.tagNameOnly);
      assert.deepEqual(normalizeName(c.in), { full: want.full, familiar: want.familiar });
      assert.equal(normalizeName(want.familiar).full, want.full, 'the familiar form normalizes back');
    });
  }
});

describe('parseTags', () => {
  it('keeps tags as written (no docker.io/library/ added)', () => {
    assert.deepEqual(parseTags(['alpine', 'r.io/a/b:1', 'localhost:5000/x@sha256:' + '0'.repeat(64)]), [
      'alpine', 'r.io/a/b:1', 'localhost:5000/x@sha256:' + '0'.repeat(64),
    ]);
  });

  const BAD: Array<[string, string]> = [
    ['Foo', 'invalid tag "Foo": repository name must be lowercase'],
    ['', 'invalid tag "": repository name must have at least one component'],
    ['foo:bar:baz', 'invalid tag "foo:bar:baz": invalid reference format'],
    ['foo:' + 'a'.repeat(129), `invalid tag "foo:${'a'.repeat(129)}": invalid reference format`],
    ['a'.repeat(256), `invalid tag "${'a'.repeat(256)}": repository name must not be more than 255 characters`],
    ['x@sha256:abc', 'invalid tag "x@sha256:abc": invalid reference format'],
    ['x@sha256:' + 'a'.repeat(65), 'invalid tag "x@sha256:' + 'a'.repeat(65) + '": invalid checksum digest length'],
    ['a b', 'invalid tag "a b": invalid reference format'],
    ['tab\there', 'invalid tag "tab\\there": invalid reference format'],
  ];
  for (const [tag, message] of BAD) {
    it(`refuses ${JSON.stringify(tag.length > 40 ? tag.slice(0, 40) + '…' : tag)}`, () => {
      assert.throws(() => parseTag(tag), isFlagError(message));
      assert.throws(() => parseTags(['ok', tag]), isFlagError(message));
    });
  }
});

interface ContextCase { in: string; out?: Record<string, string>; err?: string }

// Go: buildflags.ParseContextNames.
const CONTEXTS: ContextCase[] = [
  {"in": "alpine=docker-image://alpine", "out": {"alpine": "docker-image://alpine"}},
  {"in": "alpine:latest=x", "out": {"alpine": "x"}},
  {"in": "docker.io/library/alpine:latest=x", "out": {"alpine": "x"}},
  {"in": "foo/bar:1.0=x", "out": {"foo/bar:1.0": "x"}},
  {"in": "Foo=x", "err": "invalid context name Foo: invalid reference format: repository name (library/Foo) must be lowercase"},
  {"in": "noequals", "err": "invalid context value: noequals, expected key=value"},
  {"in": "=x", "err": "invalid context name : invalid reference format"},
  {"in": "myreg.io/foo:latest=x", "out": {"myreg.io/foo": "x"}},
  {"in": "a=b=c", "out": {"a": "b=c"}},
  {"in": "library/foo=x", "out": {"foo": "x"}},
  {"in": "docker.io/foo/bar:latest=y", "out": {"foo/bar": "y"}},
];

describe('parseBuildContexts', () => {
  for (const c of CONTEXTS) {
    it(JSON.stringify(c.in), () => {
      if (c.err !== undefined) assert.throws(() => parseBuildContexts([c.in]), isFlagError(c.err));
      else assert.deepEqual(parseBuildContexts([c.in]), c.out);
    });
  }

  it('merges names that normalize alike, later wins; skips empty values', () => {
    assert.deepEqual(parseBuildContexts(['alpine=a', '', 'docker.io/library/alpine:latest=b', 'base=c']), { alpine: 'b', base: 'c' });
  });

  it('keeps a digest-pinned name whole', () => {
    const d = 'sha256:' + 'ab'.repeat(32);
    assert.equal(parseContextName(`alpine:latest@${d}`), `alpine:latest@${d}`);
  });
});
