import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLocation } from '../../../src/registry/location.js';
import { isLocalhost, registryEndpoints } from '../../../src/registry/hosts.js';
import { formatRegistryErrors, UnexpectedStatusError } from '../../../src/registry/errors.js';
import { mergeScopes, parseChallenges } from '../../../src/registry/auth.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseLocation', () => {
  // Go: imagetools.ParseLocation(in).String() / Name() / Tag() / Digest() (buildx v0.36.1).
  const cases: Array<[string, string, string, string, string]> = [
    ['alpine', 'docker.io/library/alpine:latest', 'docker.io/library/alpine', 'latest', ''],
    ['127.0.0.1:5000/a/b:v1', '127.0.0.1:5000/a/b:v1', '127.0.0.1:5000/a/b', 'v1', ''],
    [`localhost/x@${D}`, `localhost/x@${D}`, 'localhost/x', '', D],
    ['oci-layout:///tmp/l', 'oci-layout:///tmp/l:latest', '/tmp/l', 'latest', ''],
    ['oci-layout:///tmp/l:v2', 'oci-layout:///tmp/l:v2', '/tmp/l', 'v2', ''],
    [`oci-layout://rel/dir@${D}`, `oci-layout://rel/dir@${D}`, 'rel/dir', '', D],
    [`oci-layout://rel/dir:t@${D}`, `oci-layout://rel/dir:t@${D}`, 'rel/dir', 't', D],
  ];
  for (const [input, str, name, tag, digest] of cases) {
    it(input, () => {
      const l = parseLocation(input);
      assert.deepEqual([l.toString(), l.name(), l.tag(), l.digest()], [str, name, tag, digest]);
    });
  }
  it('keeps the tag when a digest is added, as reference.WithDigest does', () => {
    assert.equal(parseLocation('r.io/a:t').withDigest(D).toString(), `r.io/a:t@${D}`);
    assert.equal(parseLocation('oci-layout:///l:t').withDigest(D).toString(), `oci-layout:///l@${D}`);
  });
  it('fails with distribution/reference messages', () => {
    assert.throws(() => parseLocation('x/UPPER'), /must be lowercase/);
    assert.throws(() => parseLocation('a b'), /invalid reference format/);
    assert.throws(() => parseLocation(`oci-layout:///l@sha256:${'a'.repeat(40)}`), /invalid checksum digest length/);
  });
  it('checks a target digest', () => {
    assert.throws(() => parseLocation(`r.io/a@${D}`).validateTargetDigest(`sha256:${'b'.repeat(64)}`), /requested digest .* but produced/);
  });
});

describe('registry endpoints', () => {
  it('loopback speaks plain HTTP, everything else TLS; docker.io is registry-1', () => {
    assert.ok(isLocalhost('127.0.0.1:5000') && isLocalhost('localhost') && isLocalhost('[::1]:5000'));
    assert.ok(!isLocalhost('10.0.0.1:5000'));
    assert.deepEqual(registryEndpoints('127.0.0.1:5000').map((e) => e.scheme), ['http']);
    assert.deepEqual(registryEndpoints('docker.io').map((e) => `${e.scheme}://${e.host}`), ['https://registry-1.docker.io']);
  });
  it('follows the buildkitd config: http first, then insecure TLS', () => {
    const eps = registryEndpoints('reg.lan:5000', { 'reg.lan:5000': { plainHTTP: true, insecure: true } });
    assert.deepEqual(eps.map((e) => [e.scheme, e.insecure]), [['http', false], ['https', true]]);
    assert.deepEqual(registryEndpoints('127.0.0.1:5000', { '127.0.0.1:5000': { plainHTTP: false } }).map((e) => e.scheme), ['https']);
  });
});

describe('registry errors and auth', () => {
  it('prints the registry error list as containerd does', () => {
    assert.equal(formatRegistryErrors('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}'), 'denied');
    assert.equal(formatRegistryErrors('{"errors":[{"code":"UNAUTHORIZED","message":"login first"}]}'), 'unauthorized: login first');
    assert.equal(formatRegistryErrors('not json'), '');
    const e = new UnexpectedStatusError(403, 'Forbidden', 'PUT', 'http://r/v2/x/manifests/t', '{"errors":[{"code":"DENIED","message":"no"}]}');
    assert.equal(e.message, 'unexpected status from PUT request to http://r/v2/x/manifests/t: 403 Forbidden\ndenied: no');
  });
  it('parses challenges and merges scopes sorted', () => {
    const [c] = parseChallenges(['Bearer realm="http://t/token",service="reg",scope="repository:a:pull"']);
    assert.deepEqual(c, { scheme: 'bearer', params: { realm: 'http://t/token', service: 'reg', scope: 'repository:a:pull' } });
    assert.deepEqual(mergeScopes(['repository:b:pull,push', 'repository:a:pull'], ['repository:a:pull']), ['repository:a:pull', 'repository:b:pull,push']);
  });
});
