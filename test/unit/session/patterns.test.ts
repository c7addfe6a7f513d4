import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { cleanPath, globMatch, PatternSyntaxError } from '../../../src/session/fs-glob.js';
import { PatternMatcher } from '../../../src/session/patterns.js';
import { loadOracle } from './helpers.js';

const oracle = loadOracle();

describe('PatternMatcher against Go ground truth (moby/patternmatcher MatchesOrParentMatches)', () => {
  for (const c of oracle.patternCases) {
    it(JSON.stringify(c.patterns), () => {
      if (c.error !== undefined) {
        assert.throws(() => new PatternMatcher(c.patterns), (err: Error) => err.message === c.error);
        return;
      }
      const pm = new PatternMatcher(c.patterns);
      const got = oracle.patternPaths
        .map((p) => {
          try {
            return pm.matches(p) ? '1' : '0';
          } catch (err) {
            assert.ok(err instanceof PatternSyntaxError, String(err));
            assert.equal(err.message, c.matchError?.replace(/^error: /, ''));
            return 'E';
          }
        })
        .join('');
      const diffs = oracle.patternPaths
        .map((p, i) => (got[i] !== c.results![i] ? `${JSON.stringify(p)}: want ${c.results![i]} got ${got[i]}` : ''))
        .filter(Boolean);
      assert.deepEqual(diffs, []);
    });
  }
});

describe('PatternMatcher API details', () => {
  it('rejects a lone "!" with Go\'s message', () => {
    assert.throws(() => new PatternMatcher(['foo', '!']), { message: 'illegal exclusion pattern: "!"' });
  });

  it('a trailing backslash is a syntax error at construction', () => {
    assert.throws(() => new PatternMatcher(['foo\\']), PatternSyntaxError);
  });

  it('keeps cleaned patterns and exclusion flags', () => {
    const pm = new PatternMatcher(['  ./a/../b/ ', '!c//d', '']);
    assert.deepEqual(
      pm.patterns.map((p) => [p.text, p.exclusion]),
      [
        ['b', false],
        ['c/d', true],
      ],
    );
    assert.equal(pm.hasExclusions, true);
  });

  it('matchesWithParent reuses parent results like the walker does', () => {
    const pm = new PatternMatcher(['a', '!a/b']);
    const top = pm.matchesWithParent('a', []);
    assert.deepEqual(top, { matched: true, info: [true, false] });
    assert.equal(pm.matchesWithParent('a/b', top.info).matched, false);
    assert.equal(pm.matchesWithParent('a/c', top.info).matched, true);
    assert.throws(() => pm.matchesWithParent('a/c', [true]), /wrong number/);
  });
});

describe('Go path helpers', () => {
  it('cleanPath matches filepath.Clean', () => {
    const cases: [string, string][] = [
      ['', '.'],
      ['.', '.'],
      ['./', '.'],
      ['a/', 'a'],
      ['a//b', 'a/b'],
      ['a/./b', 'a/b'],
      ['a/../b', 'b'],
      ['a/..', '.'],
      ['../a', '../a'],
      ['../../a/..', '../..'],
      ['/..', '/'],
      ['/../a', '/a'],
      ['//a//', '/a'],
      ['!./foo', '!./foo'],
    ];
    for (const [input, want] of cases) assert.equal(cleanPath(input), want, input);
  });

  it('globMatch follows filepath.Match', () => {
    assert.equal(globMatch('*.txt', 'a.txt'), true);
    assert.equal(globMatch('*.txt', 'd/a.txt'), false);
    assert.equal(globMatch('?', '😀'), true);
    assert.equal(globMatch('[a-c]x', 'bx'), true);
    assert.equal(globMatch('[^a-c]x', 'bx'), false);
    assert.equal(globMatch('\\*', '*'), true);
    assert.throws(() => globMatch('[', '.'), PatternSyntaxError);
    assert.throws(() => globMatch('a\\', 'a'), PatternSyntaxError);
    // like Go, a mismatch in an earlier chunk hides a syntax error in a later one
    assert.equal(globMatch('a*[', '.'), false);
  });
});
