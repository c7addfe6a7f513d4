// Source excerpts below were checked against BuildKit's errdefs.Source.Print for the same input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dedupWarnings, formatSourceExcerpt, formatWarnings } from '../../../src/progress/warnings.js';
import type { VertexWarning } from '../../../src/progress/types.js';

const dockerfile = Buffer.from('FROM busybox as base\nARG X\nRUN echo $FOO\nRUN true\nRUN false\nCOPY . .\nCMD ["sh"]\n');

function w(short: string, extra: Partial<VertexWarning> = {}): VertexWarning {
  return { vertex: 'sha256:v', level: 1, short: Buffer.from(short), detail: [], url: '', ranges: [], ...extra };
}

const casing = w("FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)", {
  detail: [Buffer.from("The 'as' keyword should match the case of the 'from' keyword")],
  url: 'https://docs.docker.com/go/dockerfile/rule/from-as-casing/',
  sourceInfo: { filename: 'Dockerfile', data: dockerfile, language: 'Dockerfile' },
  ranges: [{ start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }],
});
const undef = w('UndefinedVar: Usage of undefined variable \'$FOO\' (line 3)', {
  sourceInfo: { filename: 'Dockerfile', data: dockerfile, language: 'Dockerfile' },
  ranges: [{ start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }],
});

describe('formatWarnings', () => {
  it('is empty without warnings', () => assert.equal(formatWarnings([]), ''));

  it('one warning, coloured heading as buildx prints it', () => {
    assert.equal(formatWarnings([casing]),
      '\n \x1b[33m1 warning found (use docker --debug to expand):\n\x1b[0m' +
      " - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)\n");
  });

  it('several warnings, no colour', () => {
    assert.equal(formatWarnings([casing, undef], { color: false }), [
      '',
      ' 2 warnings found (use docker --debug to expand):',
      " - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)",
      " - UndefinedVar: Usage of undefined variable '$FOO' (line 3)",
      '',
    ].join('\n'));
  });

  it('debug adds details, the link and the source excerpt', () => {
    assert.equal(formatWarnings([casing, undef], { color: false, debug: true }), [
      '',
      ' 2 warnings found:',
      " - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)",
      "The 'as' keyword should match the case of the 'from' keyword",
      'More info: https://docs.docker.com/go/dockerfile/rule/from-as-casing/',
      'Dockerfile:1',
      '--------------------',
      '   1 | >>> FROM busybox as base',
      '   2 |     ARG X',
      '   3 |     RUN echo $FOO',
      '--------------------',
      '',
      " - UndefinedVar: Usage of undefined variable '$FOO' (line 3)",
      'Dockerfile:3',
      '--------------------',
      '   1 |     FROM busybox as base',
      '   2 |     ARG X',
      '   3 | >>> RUN echo $FOO',
      '   4 |     RUN true',
      '   5 |     RUN false',
      '--------------------',
      '',
      '',
    ].join('\n'));
  });
});

describe('formatSourceExcerpt', () => {
  it('pads a multi-line range by two lines where the file allows', () => {
    const out = formatSourceExcerpt({ filename: 'Dockerfile', data: dockerfile, language: '' },
      [{ start: { line: 4, character: 0 }, end: { line: 5, character: 3 } }]);
    assert.equal(out, [
      'Dockerfile:4',
      '--------------------',
      '   3 |     RUN echo $FOO',
      '   4 | >>> RUN true',
      '   5 | >>> RUN false',
      '   6 |     COPY . .',
      '--------------------',
      '',
    ].join('\n'));
  });

  it('counts the empty line after the final newline as part of the file', () => {
    const out = formatSourceExcerpt({ filename: 'Dockerfile', data: dockerfile, language: '' },
      [{ start: { line: 7, character: 0 }, end: { line: 7, character: 0 } }]);
    assert.equal(out, 'Dockerfile:7\n--------------------\n   5 |     RUN false\n   6 |     COPY . .\n' +
      '   7 | >>> CMD ["sh"]\n   8 |     \n--------------------\n');
  });

  it('prints nothing for a range outside the file', () => {
    const info = { filename: 'Dockerfile', data: dockerfile, language: '' };
    assert.equal(formatSourceExcerpt(info, [{ start: { line: 99, character: 0 }, end: { line: 99, character: 0 } }]), '');
    assert.equal(formatSourceExcerpt(info, []), '');
  });
});

describe('dedupWarnings', () => {
  it('drops repeats reported by other vertices, keeps distinct ones in order', () => {
    const again = { ...casing, vertex: 'sha256:other' };
    const otherLine = { ...undef, ranges: [{ start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }] };
    assert.deepEqual(dedupWarnings([casing, undef, again, otherLine, undef]), [casing, undef, otherLine]);
  });
});
