import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAnnotationKey, parseAnnotations } from '../../../src/imagetools/annotations.js';
import { goIndent } from '../../../src/util/go-json.js';

describe('imagetools annotations', () => {
  it('keys values as BuildKit AnnotationKey.String()', () => {
    assert.deepEqual(parseAnnotations(['index:a=1', 'manifest-descriptor[linux/arm64]:b=2', 'c=3', 'index,manifest-descriptor:d=4=x']), {
      'annotation-index.a': '1', 'annotation-manifest-descriptor[linux/arm64].b': '2', 'annotation.c': '3',
      'annotation-index.d': '4=x', 'annotation-manifest-descriptor.d': '4=x',
    });
    assert.deepEqual(parseAnnotationKey('annotation-manifest-descriptor[linux/amd64].k'), { type: 'manifest-descriptor', key: 'k', platform: { architecture: 'amd64', os: 'linux' } });
  });
  it('fails as buildx does', () => {
    assert.throws(() => parseAnnotations(['novalue']), { message: 'invalid annotation "novalue", expected key=value' });
    assert.throws(() => parseAnnotations(['bogus:k=v']), { message: 'unknown annotation type "bogus"' });
    assert.throws(() => parseAnnotations(['In[x]:k=v']), /invalid annotation type "In\[x\]"/);
  });
});

describe('goIndent', () => {
  it('lays out JSON as json.MarshalIndent', () => {
    assert.equal(goIndent('{"a":[1,{"b":"x,y:{"}],"c":{},"d":[]}', '', '  '), '{\n  "a": [\n    1,\n    {\n      "b": "x,y:{"\n    }\n  ],\n  "c": {},\n  "d": []\n}');
  });
});
