import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalizeAttest, parseAttests } from '../../../src/flags/attest.js';

describe('attestation flags', () => {
  it('turns the shorthands into --attest values as buildx does', () => {
    assert.equal(canonicalizeAttest('provenance', ''), '');
    assert.equal(canonicalizeAttest('provenance', 'true'), 'type=provenance,disabled=false');
    assert.equal(canonicalizeAttest('provenance', '0'), 'type=provenance,disabled=true');
    assert.equal(canonicalizeAttest('sbom', 'generator=img'), 'type=sbom,generator=img');
    assert.equal(canonicalizeAttest('provenance', 'mode=max'), 'type=provenance,mode=max');
  });

  it('gives each type its frontend value, the last one winning, null when turned off', () => {
    assert.deepEqual(parseAttests(['type=provenance,mode=min', 'type=sbom,disabled=true', 'type=provenance,mode=max,builder-id=b']), {
      provenance: 'type=provenance,builder-id=b,mode=max',
      sbom: null,
    });
    assert.deepEqual(parseAttests(['type=provenance,disabled=false']), { provenance: 'type=provenance' });
  });

  it('names the bad field', () => {
    assert.throws(() => parseAttests(['type=provenance,foo']), { message: 'invalid value foo' });
    assert.throws(() => parseAttests(['mode=max']), { message: 'attestation type not specified' });
    assert.throws(() => parseAttests(['type=sbom,disabled=maybe']), { message: 'invalid value disabled=maybe: strconv.ParseBool: parsing "maybe": invalid syntax' });
  });
});
