// Colours of the tty display: BUILDKIT_COLORS parsing, NO_COLOR, and which lines get which colour.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chalk } from 'chalk';
import { colorSettings, defaultPalette, loadStyler, noStyle, parseBuildkitColors, stylerFromChalk } from '../../../src/progress/tty-colors.js';
import { TtyRenderer } from '../../../src/progress/tty.js';
import { at, dg, log, vtx } from './streams.js';

describe('BUILDKIT_COLORS', () => {
  it('takes named colours and R,G,B triples per role', () => {
    const { colors, problems } = parseBuildkitColors('run=green:error=255,0,0:cancel=light-blue:warning=DEFAULT');
    assert.deepEqual(colors, {
      run: { name: 'green' },
      error: { rgb: [255, 0, 0] },
      cancel: { name: 'light-blue' },
      warning: { name: 'default' },
    });
    assert.deepEqual(problems, []);
  });

  it('skips bad entries and keeps the good ones', () => {
    const { colors, problems } = parseBuildkitColors('foo=red:run=purple:error=1,2:cancel=256,0,0:warning:run=1, 2 ,3:');
    assert.deepEqual(colors, { run: { rgb: [1, 2, 3] } });
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.match(problems[0] ?? '', /unknown key "foo"/);
    assert.match(problems[1] ?? '', /invalid color "purple" for run/);
    assert.match(problems[4] ?? '', /"warning": expected key=value/);
  });

  it('NO_COLOR (any non-empty value) turns styling off, whatever BUILDKIT_COLORS says', () => {
    assert.equal(colorSettings({ NO_COLOR: '1', BUILDKIT_COLORS: 'run=red' }).level, 0);
    assert.equal(colorSettings({ NO_COLOR: '' }).level, 1, 'empty NO_COLOR is unset');
  });

  it('picks the depth from COLORTERM and TERM, and applies overrides over the defaults', () => {
    assert.equal(colorSettings({ COLORTERM: 'truecolor' }).level, 3);
    assert.equal(colorSettings({ TERM: 'xterm-256color' }).level, 2);
    assert.equal(colorSettings({ TERM: 'xterm' }).level, 1);
    const s = colorSettings({ BUILDKIT_COLORS: 'error=magenta' }, 'linux');
    assert.deepEqual(s.palette, { ...defaultPalette('linux'), error: { name: 'magenta' } });
    assert.deepEqual(defaultPalette('win32').run, { name: 'cyan' }, 'dark blue is unreadable on the Windows console');
    assert.deepEqual(defaultPalette('linux').run, { name: 'blue' });
  });
});

describe('tty styling', () => {
  it('maps roles to ANSI colours; faint for log tails', async () => {
    const s = await loadStyler({ level: 1, palette: defaultPalette('linux') });
    assert.equal(s.run('x'), '\x1b[34mx\x1b[39m');
    assert.equal(s.error('x'), '\x1b[31mx\x1b[39m');
    assert.equal(s.cancel('x'), '\x1b[33mx\x1b[39m');
    assert.equal(s.warning('x'), '\x1b[33mx\x1b[39m');
    assert.equal(s.faint('x'), '\x1b[2mx\x1b[22m');
  });

  it('uses 24-bit colour for R,G,B when the terminal has it, and nothing at all at level 0', async () => {
    const settings = colorSettings({ COLORTERM: 'truecolor', BUILDKIT_COLORS: 'run=0,255,0:cancel=default' });
    const s = await loadStyler(settings);
    assert.equal(s.run('x'), '\x1b[38;2;0;255;0mx\x1b[39m');
    assert.equal(s.cancel('x'), 'x', '`default` leaves the terminal colour');
    assert.equal(await loadStyler({ level: 0, palette: defaultPalette() }), noStyle);
  });

  it('colours completed jobs by outcome, leaves running ones alone and fades the log tail', () => {
    const style = stylerFromChalk(new Chalk({ level: 1 }), defaultPalette('linux'));
    const [a, b, c, d] = ['ok', 'fail', 'cancel', 'running'].map((n) => dg(`colour ${n}`)) as [string, string, string, string];
    let clock = at(0);
    const r = new TtyRenderer({ now: () => clock, columns: () => 40, rows: () => 30, style });
    r.write(vtx(a, 'ok', { started: 0, completed: 100 }));
    r.write(vtx(b, 'fail', { started: 0, completed: 100, error: 'exit code: 1' }));
    r.write(vtx(c, 'cancel', { started: 0, completed: 100, error: 'context canceled' }));
    r.write(vtx(d, 'running', { started: 0 }));
    r.write(log(d, 500, 'output\n'));
    clock = at(1000);
    const lines = r.frame().split('\n');
    assert.match(lines[1] ?? '', /^\x1b\[34m => ok +0\.1s\x1b\[39m$/);
    assert.match(lines[2] ?? '', /^\x1b\[31m => ERROR fail +0\.1s\x1b\[39m$/);
    assert.match(lines[3] ?? '', /^\x1b\[33m => CANCELED cancel +0\.1s\x1b\[39m$/);
    assert.match(lines[4] ?? '', /^ => running +1\.0s$/);
    assert.match(lines[5] ?? '', /^\x1b\[2m => => # output +\x1b\[22m$/);
  });
});
