// History records off the wire: the per-platform result map is keyed by int64, which protobufjs decodes
// into an 8-byte hash key; the converted record keys it by the decimal index, as Go's JSON prints it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { int64MapKey } from '../../../src/buildkit/convert.js';
import { toHistoryRecord } from '../../../src/buildkit/history-convert.js';
import { moby } from '../../../src/proto/index.js';

function wireRecord(indices: number[]): moby.buildkit.v1.BuildHistoryRecord {
  const results: Record<string, moby.buildkit.v1.IDescriptor> = {};
  for (const i of indices) results[String(i)] = { media_type: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${String(i).repeat(64).slice(0, 64)}`, size: 100 + i };
  const bytes = moby.buildkit.v1.BuildHistoryRecord.encode({ Ref: 'r1', Result: { Results: results } }).finish();
  return moby.buildkit.v1.BuildHistoryRecord.decode(bytes);
}

describe('history record conversion', () => {
  it('keys a result by its platform index after a real encode/decode', () => {
    const rec = toHistoryRecord(wireRecord([0, 1, 12]));
    assert.deepEqual(Object.keys(rec.result!.results).sort(), ['0', '1', '12']);
    assert.equal(rec.result!.results['12']!.size, 112);
    assert.equal(rec.result!.results['1']!.digest.slice(0, 10), 'sha256:111');
  });

  it('decodes the 8-byte key, negatives included, and leaves decimal keys alone', () => {
    const hash = (lo: number, hi: number) => String.fromCharCode(lo & 255, (lo >>> 8) & 255, (lo >>> 16) & 255, lo >>> 24, hi & 255, (hi >>> 8) & 255, (hi >>> 16) & 255, hi >>> 24);
    assert.equal(int64MapKey(hash(0, 0)), '0');
    assert.equal(int64MapKey(hash(258, 0)), '258');
    assert.equal(int64MapKey(hash(0, 1)), '4294967296');
    assert.equal(int64MapKey(hash(0xffffffff, 0xffffffff)), '-1');
    assert.equal(int64MapKey('7'), '7');
    assert.equal(int64MapKey('12345678'), '12345678');
  });
});
