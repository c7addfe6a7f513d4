import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeRawJSON, encodeRawJSON, markLocalTime } from '../../../src/progress/rawjson.js';
import type { SolveStatus } from '../../../src/progress/types.js';
import { at, fixturesDir, golden, play, T0 } from './streams.js';
import { scenarios } from './scenarios.js';

const sample: SolveStatus = {
  vertexes: [{
    digest: 'sha256:abc',
    inputs: [],
    name: "RUN echo '<b>' && true",
    cached: false,
    started: at(100),
    progressGroup: { id: 'g', name: '', weak: false },
  }],
  statuses: [{ id: '', vertex: 'sha256:abc', name: '', current: 0, total: 0, timestamp: T0 }],
  logs: [
    { vertex: 'sha256:abc', stream: 2, data: Buffer.from('hi\n'), timestamp: at(0.000001) },
    { vertex: '', stream: 0, data: Buffer.alloc(0), timestamp: T0 },
  ],
  warnings: [{
    vertex: 'sha256:abc',
    level: 0,
    short: Buffer.from('short'),
    detail: [Buffer.from('d')],
    url: 'https://x/?a=1&b=2',
    sourceInfo: { filename: 'Dockerfile', data: Buffer.from('FROM a\n'), language: '' },
    ranges: [{ start: { line: 1, character: 0 }, end: { line: 1, character: 5 } }],
  }],
};

// Written out by hand from encoding/json's rules (and checked against Go decoding and re-encoding it).
const sampleLine = '{"vertexes":[{"digest":"sha256:abc","name":"RUN echo \'\\u003cb\\u003e\' \\u0026\\u0026 true",' +
  '"started":"2023-11-14T22:13:20.1Z","progressGroup":{"id":"g"}}],' +
  '"statuses":[{"id":"","vertex":"sha256:abc","current":0,"timestamp":"2023-11-14T22:13:20Z"}],' +
  '"logs":[{"vertex":"sha256:abc","stream":2,"data":"aGkK","timestamp":"2023-11-14T22:13:20.000000001Z"},' +
  '{"data":null,"timestamp":"2023-11-14T22:13:20Z"}],' +
  '"warnings":[{"vertex":"sha256:abc","short":"c2hvcnQ=","detail":["ZA=="],"url":"https://x/?a=1\\u0026b=2",' +
  '"sourceInfo":{"filename":"Dockerfile","data":"RlJPTSBhCg=="},"range":[{"start":{"line":1},"end":{"line":1,"character":5}}]}]}\n';

describe('rawjson', () => {
  it('writes fields in Go order, omits empty ones except the always-present few, escapes HTML', () => {
    assert.equal(encodeRawJSON(sample), sampleLine);
  });

  it('writes an empty status as {}', () => {
    assert.equal(encodeRawJSON({ vertexes: [], statuses: [], logs: [], warnings: [] }), '{}\n');
  });

  it('writes cached, error, inputs, completed and weak when set', () => {
    const line = encodeRawJSON({
      vertexes: [{ digest: 'd', inputs: ['i1', 'i2'], name: 'n', cached: true, started: T0, completed: at(1), error: 'e', progressGroup: { id: 'g', name: 'G', weak: true } }],
      statuses: [], logs: [], warnings: [],
    });
    assert.equal(line, '{"vertexes":[{"digest":"d","inputs":["i1","i2"],"name":"n","started":"2023-11-14T22:13:20Z",' +
      '"completed":"2023-11-14T22:13:20.001Z","cached":true,"error":"e","progressGroup":{"id":"g","name":"G","weak":true}}]}\n');
  });

  it('gives times of vertices made by this process the local offset, like Go\'s time.Now()', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'Asia/Kolkata';
    try {
      const v = markLocalTime({ digest: 'd', inputs: [], name: 'n', cached: false, started: T0 });
      const line = encodeRawJSON({ vertexes: [v], statuses: [], logs: [], warnings: [] });
      assert.equal(line, '{"vertexes":[{"digest":"d","name":"n","started":"2023-11-15T03:43:20+05:30"}]}\n');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('reads its own lines back to the same status', () => {
    assert.equal(encodeRawJSON(decodeRawJSON(sampleLine)), sampleLine);
    const decoded = decodeRawJSON(sampleLine);
    assert.equal(decoded.logs[0]?.data.toString(), 'hi\n');
    assert.equal(decoded.vertexes[0]?.started, at(100));
    assert.equal(decoded.warnings[0]?.ranges[0]?.end.character, 5);
  });

  it('round-trips every golden stream', () => {
    for (const name of Object.keys(scenarios)) {
      const lines = scenarios[name]?.stream.map(encodeRawJSON) ?? [];
      for (const line of lines) assert.equal(encodeRawJSON(decodeRawJSON(line)), line, name);
    }
  });

  it('a recorded stream replays through plain to the recorded plain output', async () => {
    // fixtures/*.rawjson.jsonl are exactly what a `--progress=rawjson` capture looks like
    const lines = readFileSync(join(fixturesDir(), 'failing-run.rawjson.jsonl'), 'utf8').trim().split('\n');
    const { text } = await play(lines.map(decodeRawJSON), { mode: 'plain', description: scenarios['failing-run']?.description });
    golden('failing-run.plain.txt', text);
  });
});
