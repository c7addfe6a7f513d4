// Every scenario rendered as plain and as rawjson, compared with the golden files in fixtures/.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nothingStarted, scenarios } from './scenarios.js';
import { golden, play } from './streams.js';

describe('golden output', () => {
  for (const [name, sc] of Object.entries(scenarios)) {
    it(`${name}: plain`, async () => {
      const { text } = await play(sc.stream, { mode: 'plain', description: sc.description });
      golden(`${name}.plain.txt`, text);
    });
    it(`${name}: rawjson`, async () => {
      const { text } = await play(sc.stream, { mode: 'rawjson' });
      assert.equal(text.split('\n').length - 1, sc.stream.length, 'one line per status');
      golden(`${name}.rawjson.jsonl`, text);
    });
  }

  it('prints nothing, not even the preamble, while no vertex has started', async () => {
    const { text } = await play(nothingStarted, { mode: 'plain', description: 'building with "x" instance using docker driver' });
    assert.equal(text, '');
  });
});
