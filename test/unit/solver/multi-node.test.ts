import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkMultiNodeMobyPush, multiNodeCache, multiNodeExports, platformSuffix } from '../../../src/solver/multi-node.js';
import { indexAnnotations, nodeImageDescriptor } from '../../../src/solver/merge-index.js';

describe('exports of one node of a split build', () => {
  it('pushes by digest to the repositories only, and keeps the names for the merge', () => {
    const { exports, push } = multiNodeExports([{ type: 'image', attrs: { name: 'localhost:5000/a:1,localhost:5000/a:2,b', push: 'true', 'registry.insecure': 'true' } }]);
    assert.deepEqual(exports, [{ type: 'image', attrs: { name: 'localhost:5000/a,docker.io/library/b', push: 'true', 'registry.insecure': 'true', 'push-by-digest': 'true' } }]);
    assert.deepEqual(push?.names, ['localhost:5000/a:1', 'localhost:5000/a:2', 'b']);
    assert.equal(push?.insecure, true);
  });

  it('leaves images that are not pushed, and only the first pushed one is combined', () => {
    const { exports, push } = multiNodeExports([
      { type: 'image', attrs: { name: 'x:1' } },
      { type: 'image', attrs: { name: 'y:1', push: 'true' } },
      { type: 'image', attrs: { name: 'z:1', push: 'true' } },
    ]);
    assert.deepEqual(exports.map((e) => e.attrs['name']), ['x:1', 'docker.io/library/y', 'z:1']);
    assert.deepEqual(push?.names, ['y:1']);
  });

  it('refuses archives and a push without a name, as buildx does', () => {
    assert.throws(() => multiNodeExports([{ type: 'oci', attrs: {} }]), { message: 'oci for multi-node builds currently not supported' });
    assert.throws(() => multiNodeExports([{ type: 'tar', attrs: {} }]), { message: 'tar for multi-node builds currently not supported' });
    assert.throws(() => multiNodeExports([{ type: 'image', attrs: { push: 'true' } }]), { message: 'tag is needed when pushing to registry' });
    assert.throws(() => checkMultiNodeMobyPush([{ type: 'moby', attrs: { push: 'true', name: 'a' } }]), /multi-node push can't currently be performed with the docker driver/);
    assert.doesNotThrow(() => checkMultiNodeMobyPush([{ type: 'moby', attrs: { name: 'a' } }]));
  });
});

describe('per-node cache refs (buildx#1044)', () => {
  it('suffixes registry refs with the node platforms and imports them first', () => {
    const got = multiNodeCache(
      [{ type: 'registry', attrs: { ref: 'r:5000/cache:main' } }, { type: 'local', attrs: { src: '/c' } }],
      [{ type: 'registry', attrs: { ref: 'r:5000/cache', mode: 'max' } }],
      ['linux/arm64', 'linux/arm/v7'],
    );
    assert.deepEqual(got.cacheFrom, [
      { type: 'registry', attrs: { ref: 'r:5000/cache:main-linux-arm64_linux-arm-v7' } },
      { type: 'registry', attrs: { ref: 'r:5000/cache:main' } },
      { type: 'local', attrs: { src: '/c' } },
    ]);
    assert.deepEqual(got.cacheTo, [{ type: 'registry', attrs: { ref: 'r:5000/cache:latest-linux-arm64_linux-arm-v7', mode: 'max' } }]);
  });

  it('keeps digest refs and too long tags as they are', () => {
    const digest = `r/cache@sha256:${'a'.repeat(64)}`;
    const long = `r/cache:${'t'.repeat(120)}`;
    const got = multiNodeCache([{ type: 'registry', attrs: { ref: digest } }], [{ type: 'registry', attrs: { ref: long } }], ['linux/amd64']);
    assert.deepEqual(got.cacheFrom, [{ type: 'registry', attrs: { ref: digest } }]);
    assert.deepEqual(got.cacheTo, [{ type: 'registry', attrs: { ref: long } }]);
  });

  it('names platforms in their normalized form', () => {
    assert.equal(platformSuffix(['linux/arm64/v8', 'linux/arm']), 'linux-arm64_linux-arm-v7');
  });
});

describe('the merge of the nodes\' images', () => {
  it('reads the descriptor a node reported, else its digest', () => {
    const desc = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${'b'.repeat(64)}`, size: 645 };
    assert.deepEqual(nodeImageDescriptor({ 'containerimage.descriptor': Buffer.from(JSON.stringify(desc)).toString('base64'), 'containerimage.digest': 'x' }), desc);
    assert.deepEqual(nodeImageDescriptor({ 'containerimage.digest': desc.digest }), { mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', digest: desc.digest, size: -1 });
    assert.equal(nodeImageDescriptor({}), undefined);
    assert.throws(() => nodeImageDescriptor({ 'containerimage.descriptor': 'bm90IGpzb24=' }), /failed to unmarshal descriptor bm90IGpzb24=/);
  });

  it('takes index and index-descriptor annotations from the image output', () => {
    assert.deepEqual(indexAnnotations({
      'annotation-index.org.opencontainers.image.title': 't',
      'annotation-manifest-descriptor[linux/amd64].a': 'b',
      'annotation.x': 'manifest only',
      'annotation-manifest.y': 'manifest only',
      name: 'n',
    }), { 'annotation-index.org.opencontainers.image.title': 't', 'annotation-manifest-descriptor[linux/amd64].a': 'b' });
  });
});
