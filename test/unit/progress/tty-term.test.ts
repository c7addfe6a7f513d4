// The small terminal behind log tails, and cell-width arithmetic.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogTerminal } from '../../../src/progress/tty-term.js';
import { cellWidth, cutToWidth, fitToWidth, oneLine } from '../../../src/progress/tty-text.js';

function term(...chunks: Array<string | Buffer>): LogTerminal {
  const t = new LogTerminal(6);
  for (const c of chunks) t.write(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return t;
}

describe('LogTerminal', () => {
  it('shows the bottom rows, the cursor row last', () => {
    const t = term('a\nb\nc\nd\ne\nf\ng\n');
    assert.deepEqual(t.screen(20, 6), ['c', 'd', 'e', 'f', 'g'], 'the empty cursor row is the sixth');
    assert.deepEqual(term('a\nb').screen(20, 6), ['a', 'b']);
    assert.deepEqual(term('a\n\n\nb\n').screen(20, 6), ['a', 'b'], 'blank rows are not shown');
  });

  it('overwrites after \\r, steps back on \\b, erases to the end of the line on ESC[K', () => {
    assert.deepEqual(term('50% [=====     ]\r100% [==========]\n').screen(40, 6), ['100% [==========]']);
    assert.deepEqual(term('long old text\rnew\x1b[K\n').screen(40, 6), ['new']);
    assert.deepEqual(term('abc\b\bX\n').screen(40, 6), ['aXc']);
    assert.deepEqual(term('a\tb\n').screen(40, 6), ['a       b']);
  });

  it('drops colour, OSC and other escape sequences, even when split across chunks', () => {
    assert.deepEqual(term('\x1b[1;3', '1mred\x1b[0m \x1b]0;title\x07ok\x1b]8;;http://x\x1b\\link\n').screen(40, 6), ['red oklink']);
  });

  it('joins a character split between chunks and wraps wide characters whole', () => {
    const cafe = Buffer.from('café\n');
    assert.deepEqual(term(cafe.subarray(0, 4), cafe.subarray(4)).screen(40, 6), ['café']);
    assert.deepEqual(term('日本語テキスト\n').screen(5, 6), ['日本', '語テ', 'キス', 'ト']);
  });

  it('remembers only what can be on screen', () => {
    const t = new LogTerminal(3);
    for (let i = 0; i < 10_000; i++) t.write(Buffer.from(`line ${i}\n`));
    assert.deepEqual(t.screen(40, 3), ['line 9998', 'line 9999']);
    assert.equal(t.hasOutput, true);
    assert.equal(term('\n\n').hasOutput, false);
  });
});

describe('cell widths', () => {
  it('counts wide characters as two cells and combining marks as none', () => {
    assert.equal(cellWidth('abc'), 3);
    assert.equal(cellWidth('日本'), 4);
    assert.equal(cellWidth('e\u0301'), 1);
    assert.equal(cellWidth('🐳'), 2);
  });

  it('cuts and pads to a number of cells', () => {
    assert.equal(cutToWidth('日本語', 5), '日本');
    assert.equal(fitToWidth('日本語', 5), '日本 ');
    assert.equal(fitToWidth('ab', 4), 'ab  ');
    assert.equal(cutToWidth('abc', 0), '');
    assert.equal(oneLine('a\tb\nc\x1bd'), 'a b c d');
  });
});
