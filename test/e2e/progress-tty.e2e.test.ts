// `--progress=tty` (and `auto` on a terminal) in a real terminal: the CLI runs inside a detached tmux
// session against the real dockerd, and the pane is captured while the build runs and after it ended.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { e2eSuitePerDriver, type DriverUnderTest } from './drivers.js';
import { RUN_JS, describeRun, poll, randomName, run, TEST_TIMEOUT, writeTree } from './helpers.js';

const WIDTH = 120;
const HEIGHT = 40;

/** One tmux server of our own (its own socket), so nothing else the machine runs in tmux is touched. */
class Tmux {
  readonly socket = `tsbuildx-e2e-tty-${randomName()}`;
  private started = false;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  private tmux(args: string[]) {
    return run('tmux', ['-L', this.socket, ...args], { timeoutMs: 20_000 }, this.env);
  }

  /** Starts `script` (sh) in a new session of the given size; the pane stays after the script ends. */
  async start(session: string, script: string, width = WIDTH, height = HEIGHT): Promise<void> {
    const r = await this.tmux(['new-session', '-d', '-s', session, '-x', String(width), '-y', String(height), `${script}; sleep 600`]);
    assert.equal(r.code, 0, `tmux new-session: ${describeRun(r)}`);
    this.started = true;
  }

  /** The pane as shown (rows, trailing blanks trimmed); `history` adds the scrollback above it. */
  async capture(session: string, opts: { history?: boolean; escapes?: boolean } = {}): Promise<string[]> {
    const args = ['capture-pane', '-p', '-t', session];
    // -J joins rows the terminal wrapped (long error lines); frame lines never wrap
    if (opts.history) args.push('-S', '-', '-J');
    if (opts.escapes) args.push('-e');
    const r = await this.tmux(args);
    assert.equal(r.code, 0, `tmux capture-pane: ${describeRun(r)}`);
    const lines = r.stdout.toString('utf8').split('\n').map((l) => l.trimEnd());
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines;
  }

  async resize(session: string, width: number, height: number): Promise<void> {
    const r = await this.tmux(['resize-window', '-t', session, '-x', String(width), '-y', String(height)]);
    assert.equal(r.code, 0, `tmux resize-window: ${describeRun(r)}`);
  }

  async stop(): Promise<void> {
    if (this.started) await this.tmux(['kill-server']);
  }
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The shell line run in the pane: a marker, the CLI, then its exit status. */
function script(args: string[]): string {
  return `echo BEFORE-BUILD; ${quote(process.execPath)} ${quote(RUN_JS)} ${args.map(quote).join(' ')}; echo "EXIT-STATUS:$?"`;
}

/** The header line, with the console description `<driver>:<builder>` at the right edge. */
const header = (d: DriverUnderTest) => new RegExp(`^\\[\\+\\] Building \\d+\\.\\ds \\(\\d+/\\d+\\)( FINISHED)?\\s+${d.name}:${d.builder}$`);
/** ` => <name>` … ` <secs>s` at the right edge. */
const JOB = /^ => .* \d+\.\ds$/;

e2eSuitePerDriver('progress: tty display in a terminal', (ctx, d) => {
  const HEADER = header(d);
  // The image goes into the engine: exported there by the docker driver, loaded from a tar elsewhere.
  const exportStep = d.isMoby ? 'exporting to image' : 'exporting to docker image format';
  const fromStep = d.isMoby ? `[1/3] FROM docker.io/library/${d.baseImage}` : `[1/3] FROM ${d.baseImage}`;
  let tmux: Tmux | undefined;
  after(async () => {
    await tmux?.stop();
  });

  /** The harness env without NO_COLOR (set by the harness for every other suite) and without an outer tmux. */
  function terminalEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...ctx.env, TERM: 'xterm-256color' };
    delete env.NO_COLOR;
    delete env.TMUX;
    delete env.BUILDKIT_COLORS;
    delete env.BUILDKIT_TTY_LOG_LINES;
    return env;
  }

  it('redraws one frame in place while building, with log tails, and leaves the full final frame', { timeout: TEST_TIMEOUT }, async () => {
    tmux = new Tmux(terminalEnv());
    const nonce = randomName();
    const dir = await ctx.tmp('tty');
    await writeTree(dir, {
      Dockerfile: `FROM ${d.baseImage}\n`
        + `RUN for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo tty-line-$i-${nonce}; sleep 0.6; done\n`
        + `RUN echo second-step-${nonce}\n`,
    });
    const tag = ctx.tag('tty');
    await tmux.start('build', script(['build', '--progress=tty', '-t', tag, ...d.loadArgs, dir]));

    // While the RUN prints, the pane shows the header, the step and its newest output lines.
    const running = await poll(() => tmux!.capture('build'), (l) => l.filter((x) => /^ => => # tty-line-\d+-/.test(x)).length >= 3, 60_000, 150);
    const shown = running.join('\n');
    assert.equal(running[0], 'BEFORE-BUILD', `output above the display is left alone:\n${shown}`);
    assert.equal(running.filter((l) => l.startsWith('[+] Building')).length, 1, `one header: the frame is redrawn, not appended:\n${shown}`);
    assert.match(running[1] ?? '', HEADER, shown);
    assert.doesNotMatch(running[1] ?? '', /FINISHED/, 'not finished while running');
    const runLine = running.findIndex((l) => l.startsWith(' => [2/3] RUN for i in'));
    assert.ok(runLine > 1, `the running step has a line:\n${shown}`);
    assert.match(running[runLine] ?? '', JOB, shown);
    const tail = running.slice(runLine + 1).filter((l) => l.startsWith(' => => # '));
    assert.ok(tail.length >= 3 && tail.length <= 6, `3 to 6 tail lines:\n${shown}`);
    for (const l of tail) assert.match(l, new RegExp(`^ => => # tty-line-\\d+-${nonce}$`), shown);
    const nums = tail.map((l) => Number(/tty-line-(\d+)-/.exec(l)![1]));
    assert.deepEqual(nums, nums.map((_, i) => nums[0]! + i), `consecutive output lines, oldest first:\n${shown}`);
    for (const l of running) assert.ok(l.length <= WIDTH - 1, `no line reaches the last column: ${JSON.stringify(l)}`);

    // The timer of the running step advances while the step is quiet between lines.
    const timer = (lines: string[]) => Number(/ (\d+\.\d)s$/.exec(lines.find((l) => l.startsWith(' => [2/3] RUN for i in')) ?? '')?.[1] ?? Number.NaN);
    const t0 = timer(running);
    // The step prints for 7 s and the first capture comes after 3 lines, so it is still running here.
    const later = await poll(() => tmux!.capture('build'), (l) => timer(l) >= t0 + 0.5 || l.some((x) => x.startsWith('EXIT-STATUS:')), 10_000, 100);
    assert.ok(timer(later) >= t0 + 0.5, `timer moved on from ${t0} while the step ran:\n${later.join('\n')}`);

    // After the build: the last frame (every step, FINISHED, no tails) stays, once, in the scrollback.
    const done = await poll(() => tmux!.capture('build', { history: true }), (l) => l.some((x) => x.startsWith('EXIT-STATUS:')), 120_000, 250);
    const text = done.join('\n');
    assert.ok(done.includes('EXIT-STATUS:0'), text);
    assert.equal(done[0], 'BEFORE-BUILD', text);
    const headers = done.filter((l) => l.startsWith('[+] Building'));
    assert.equal(headers.length, 1, `one header in the whole history:\n${text}`);
    assert.match(headers[0]!, HEADER, text);
    assert.match(headers[0]!, /\((\d+)\/\1\) FINISHED/, text);
    for (const name of [
      '[internal] load build definition from Dockerfile',
      fromStep,
      `[2/3] RUN for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo tty-line-$i-${nonce}; sleep 0.6; done`,
      `[3/3] RUN echo second-step-${nonce}`,
      exportStep,
    ]) {
      // the base image is local, so its step may come from the cache
      assert.ok(done.some((l) => (l.startsWith(` => ${name}`) || l.startsWith(` => CACHED ${name}`)) && JOB.test(l)), `a line for ${name}:\n${text}`);
    }
    assert.ok(!done.some((l) => l.startsWith(' => => # ')), `no log tails once everything finished:\n${text}`);
    // The frame ends where the end-of-build summary (tested in build-summary) begins.
    const summaryAt = done.findIndex((l) => l.startsWith('Summary: '));
    assert.ok(summaryAt > 0, `a summary after the final frame:\n${text}`);
    const frame = done.slice(done.indexOf(headers[0]!) + 1, summaryAt);
    for (const l of frame) assert.ok(l === '' || l.startsWith(' => '), `only job lines in the final frame: ${JSON.stringify(l)}\n${text}`);

    // Finished steps are coloured blue (NO_COLOR is unset here), the header is not. tmux writes a
    // colour only where it changes, so what counts is the last one set before the text.
    const coloured = (await tmux.capture('build', { history: true, escapes: true })).join('\n');
    const colourAt = (needle: string) => {
      const i = coloured.indexOf(needle);
      assert.ok(i >= 0, `${needle} in:\n${coloured}`);
      return [...coloured.slice(0, i).matchAll(/\x1b\[([0-9;]*)m/g)].at(-1)?.[1] ?? '';
    };
    assert.equal(colourAt(` => ${exportStep}`), '34', coloured);
    assert.equal(colourAt(` => [3/3] RUN echo second-step-${nonce}`), '34', coloured);
    assert.notEqual(colourAt('[+] Building'), '34', coloured);
  });

  it('follows a terminal resize and shows failures with their output under `--progress=auto`', { timeout: TEST_TIMEOUT }, async () => {
    tmux ??= new Tmux(terminalEnv());
    const nonce = randomName();
    const dir = await ctx.tmp('tty-fail');
    await writeTree(dir, {
      Dockerfile: `FROM ${d.baseImage}\n`
        + `RUN for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do echo out-$i-${nonce}; sleep 0.3; done; echo bad-${nonce} >&2; exit 3\n`,
    });
    await tmux.start('fail', `NO_COLOR=1 ${script(['build', '--progress=auto', dir])}`);

    await poll(() => tmux!.capture('fail'), (l) => l.some((x) => /^ => => # out-\d+-/.test(x)), 60_000, 150);
    await tmux.resize('fail', 90, HEIGHT);
    const narrow = await poll(() => tmux!.capture('fail'), (l) => (l.find((x) => x.startsWith('[+] Building')) ?? '').length === 89, 10_000, 100);
    const shown = narrow.join('\n');
    assert.equal(narrow.filter((l) => l.startsWith('[+] Building')).length, 1, `one header after the resize:\n${shown}`);
    for (const l of narrow) assert.ok(l.length <= 89, `lines fit the new width: ${JSON.stringify(l)}\n${shown}`);
    assert.ok(narrow.some((l) => /^ => \[2\/2\] RUN for i in .* \d+\.\ds$/.test(l) && l.length === 89), `the step line is redrawn at the new width:\n${shown}`);

    const done = await poll(() => tmux!.capture('fail', { history: true }), (l) => l.some((x) => x.startsWith('EXIT-STATUS:')), 120_000, 250);
    const text = done.join('\n');
    assert.ok(done.includes('EXIT-STATUS:1'), text);
    // A terminal that rewraps a narrowed screen (tmux does) pushes the top of the old frame into its
    // scrollback, out of reach of cursor movement: at most that one stale pre-resize copy may remain.
    const headers = done.filter((l) => l.startsWith('[+] Building'));
    assert.ok(headers.length <= 2, `at most one stale header:\n${text}`);
    if (headers.length === 2) assert.equal(headers[0]!.length, WIDTH - 1, `the stale one is from before the resize:\n${text}`);
    assert.match(headers.at(-1)!, HEADER, text);
    assert.equal(headers.at(-1)!.length, 89, text);
    assert.ok(done.some((l) => /^ => ERROR \[2\/2\] RUN for i in .* \d+\.\ds$/.test(l)), text);
    // the error block carries every line the step printed, not just the last ten
    const open = done.indexOf('------');
    assert.ok(open > 0, text);
    assert.match(done[open + 1] ?? '', /^ > \[2\/2\] RUN for i in .*:$/, text);
    const block = done.slice(open + 2, done.indexOf('------', open + 1));
    assert.equal(block.length, 16, `15 lines and the stderr line:\n${text}`);
    assert.match(block[0] ?? '', new RegExp(`^\\d+\\.\\d+ out-1-${nonce}$`), text);
    assert.match(block[15] ?? '', new RegExp(`^\\d+\\.\\d+ bad-${nonce}$`), text);
    assert.ok(done.some((l) => /^ERROR: failed to build: .*exit code: 3/.test(l)), text);
    assert.ok(!done.join('\n').includes('\x1b'), 'no stray escapes in the captured text');
  });
});
