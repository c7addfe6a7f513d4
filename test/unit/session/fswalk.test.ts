import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { goModeFromPosix, GoMode } from '../../../src/session/fs-mode.js';
import { compareGoStrings } from '../../../src/util/go-strings.js';
import { walkDirectory, type WalkCounters, type WalkEntry } from '../../../src/session/fswalk.js';
import { buildTree, canMkfifo, loadOracle, removeTree, tempDir } from './helpers.js';

const oracle = loadOracle();
const fifoOk = canMkfifo();

async function collect(root: string, opts: Parameters<typeof walkDirectory>[1] = {}): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  for await (const e of walkDirectory(root, opts)) out.push(e);
  return out;
}

describe('walkDirectory against fsutil.Send (Go ground truth)', () => {
  const roots = new Map<string, string>();
  before(async () => {
    for (const [name, tree] of Object.entries(oracle.trees)) {
      const root = await tempDir(`walk-${name}`);
      await buildTree(
        root,
        tree.filter((e) => e.type !== 'fifo' || fifoOk),
      );
      roots.set(name, root);
    }
  });
  after(async () => {
    for (const root of roots.values()) await removeTree(root);
  });

  for (const c of oracle.walkCases) {
    it(c.name, async () => {
      const root = roots.get(c.tree)!;
      const opts = { includePatterns: c.include, excludePatterns: c.exclude, followPaths: c.follow };
      if (c.error !== undefined) {
        await assert.rejects(collect(root, opts), (err: Error) => {
          assert.equal(err.message, c.error);
          return true;
        });
        return;
      }
      const got = (await collect(root, opts)).map((e) => {
        const row: [string, number, number, string?] = [e.stat.path, e.stat.mode, e.stat.size];
        if (e.stat.linkname) row.push(e.stat.linkname);
        return row;
      });
      const want = c.entries.filter((e) => fifoOk || e[0] !== 'fifo');
      assert.deepEqual(got, want);
    });
  }
});

describe('walkDirectory details', () => {
  let root: string;
  before(async () => {
    root = await tempDir('walk-details');
    await buildTree(root, [
      { path: 'a', type: 'dir' },
      { path: 'a/b', type: 'file', content: 'hello' },
      { path: 'a.txt', type: 'file' },
      { path: 'é', type: 'file' },
      { path: '\uE000', type: 'file' },
      { path: '\u{1F600}', type: 'file' },
      { path: 'empty', type: 'dir' },
      { path: 'run.sh', type: 'file', mode: 0o755 },
      { path: 'suid', type: 'file', mode: 0o4750 },
      { path: 'tmp', type: 'dir', mode: 0o1777 },
      { path: 'ln', type: 'symlink', target: 'a/b' },
      { path: 'dirlink', type: 'symlink', target: 'a' },
    ]);
  });
  after(async () => removeTree(root));

  it('orders by UTF-8 bytes: a, a/b, a.txt … U+E000 before an astral character', async () => {
    const paths = (await collect(root)).map((e) => e.stat.path);
    assert.deepEqual(paths, ['a', 'a/b', 'a.txt', 'dirlink', 'empty', 'ln', 'run.sh', 'suid', 'tmp', 'é', '\uE000', '\u{1F600}']);
    // JS string order would put the astral character (a surrogate pair) first
    assert.ok('\u{1F600}' < '\uE000');
    assert.ok(compareGoStrings('\u{1F600}', '\uE000') > 0);
  });

  it('sets Go mode bits, sizes, mtimes and link targets, with uid/gid 0', async () => {
    const byPath = new Map((await collect(root)).map((e) => [e.stat.path, e]));
    const st = (p: string) => byPath.get(p)!.stat;
    assert.equal(st('a').mode, (GoMode.DIR | 0o755) >>> 0);
    assert.equal(st('a').size, 0);
    assert.equal(st('empty').mode, (GoMode.DIR | 0o755) >>> 0);
    assert.equal(st('tmp').mode, (GoMode.DIR | GoMode.STICKY | 0o777) >>> 0);
    assert.equal(st('run.sh').mode, 0o755);
    assert.equal(st('suid').mode, GoMode.SETUID | 0o750);
    assert.equal(st('a/b').mode, 0o644);
    assert.equal(st('a/b').size, 5);
    assert.equal(st('ln').mode, GoMode.SYMLINK | 0o777);
    assert.equal(st('ln').linkname, 'a/b');
    assert.equal(st('ln').size, 3);
    // a symlink to a directory is a link, never followed
    assert.equal(st('dirlink').mode, GoMode.SYMLINK | 0o777);
    assert.ok(![...byPath.keys()].some((p) => p.startsWith('dirlink/')));
    for (const e of byPath.values()) {
      assert.equal(e.stat.uid, 0);
      assert.equal(e.stat.gid, 0);
      const l = await fs.lstat(e.absPath, { bigint: true });
      assert.equal(e.stat.modTime, l.mtimeNs, e.stat.path);
      assert.equal(e.absPath, join(root, e.stat.path));
    }
  });

  it('maps POSIX types to Go FileMode bits', () => {
    assert.equal(goModeFromPosix(0o040755), 0x800001ed);
    assert.equal(goModeFromPosix(0o120777), 0x080001ff);
    assert.equal(goModeFromPosix(0o100644), 0o644);
    assert.equal(goModeFromPosix(0o104755), 0x008001ed);
    assert.equal(goModeFromPosix(0o102755), 0x004001ed);
    assert.equal(goModeFromPosix(0o041777), 0x801001ff);
    assert.equal(goModeFromPosix(0o010600), 0x02000180);
    assert.equal(goModeFromPosix(0o020666), 0x042001b6);
    assert.equal(goModeFromPosix(0o060660), 0x040001b0);
    assert.equal(goModeFromPosix(0o140755), 0x010001ed);
  });

  it('resolves a symlinked root', async () => {
    const link = `${root}-link`;
    await fs.symlink(root, link);
    try {
      const got = await collect(link);
      assert.equal(got[0].stat.path, 'a');
      assert.ok(got[0].absPath.startsWith(await fs.realpath(root)));
    } finally {
      await fs.unlink(link);
    }
  });

  it('fails for a missing root or a file root', async () => {
    await assert.rejects(collect(join(root, 'nope')), /^Error: resolve .*nope: no such file or directory$/);
    await assert.rejects(collect(join(root, 'a.txt')), /not a directory/);
  });

  it('a lone "!" is a clear error', async () => {
    await assert.rejects(collect(root, { excludePatterns: ['*.txt', '!'] }), {
      message: 'invalid excludepatterns: [*.txt !]: illegal exclusion pattern: "!"',
    });
  });

  it('rejects at once when already aborted', async () => {
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(collect(root, { signal: pre.signal }), { name: 'AbortError' });
  });
});

describe('walkDirectory counts excluded entries', () => {
  let root: string;
  before(async () => {
    root = await tempDir('walk-excluded');
    await buildTree(root, [
      { path: '.dockerignore', type: 'file', content: 'x' },
      { path: 'keep.txt', type: 'file' },
      { path: 'a.log', type: 'file' },
      { path: 'b.log', type: 'file' },
      { path: 'node_modules', type: 'dir' },
      { path: 'node_modules/m1', type: 'file' },
      { path: 'node_modules/m2', type: 'file' },
      { path: 'node_modules/sub', type: 'dir' },
      { path: 'node_modules/sub/m3', type: 'file' },
      { path: 'docs', type: 'dir' },
      { path: 'docs/a.md', type: 'file' },
      { path: 'docs/b.md', type: 'file' },
      { path: 'docs/keep.md', type: 'file' },
      { path: 'build', type: 'dir' },
      { path: 'build/out.o', type: 'file' },
    ]);
  });
  after(async () => removeTree(root));

  async function walk(opts: { includePatterns?: string[]; excludePatterns?: string[] }): Promise<{ paths: string[]; excluded: number }> {
    const counters: WalkCounters = { excluded: 0 };
    const paths = (await collect(root, { ...opts, counters })).map((e) => e.stat.path);
    return { paths, excluded: counters.excluded };
  }

  it('is zero without exclude patterns', async () => {
    assert.equal((await walk({})).excluded, 0);
    // what the include patterns leave out is not "excluded"
    assert.deepEqual(await walk({ includePatterns: ['keep.txt'] }), { paths: ['keep.txt'], excluded: 0 });
  });

  it('counts excluded files one by one and a pruned directory once', async () => {
    const got = await walk({ excludePatterns: ['*.log', 'node_modules'] });
    assert.deepEqual(got.paths, ['.dockerignore', 'build', 'build/out.o', 'docs', 'docs/a.md', 'docs/b.md', 'docs/keep.md', 'keep.txt']);
    assert.equal(got.excluded, 3); // a.log, b.log, node_modules
  });

  it('inside a directory kept open by an exception, counts each excluded entry, not the directory that is sent', async () => {
    const got = await walk({ excludePatterns: ['docs', '!docs/keep.md'] });
    assert.ok(got.paths.includes('docs') && got.paths.includes('docs/keep.md'));
    assert.ok(!got.paths.includes('docs/a.md'));
    assert.equal(got.excluded, 2); // docs/a.md, docs/b.md; docs itself is sent (lazily) for keep.md
  });

  it('counts a directory that is looked into but ends up empty once, with its excluded contents', async () => {
    // the exception names a path that does not exist: the walk must look inside build/ and finds nothing to keep
    const got = await walk({ excludePatterns: ['build', '!build/keep'] });
    assert.ok(!got.paths.includes('build'));
    assert.equal(got.excluded, 2); // build/out.o, build
  });

  it('does not count what the include patterns already dropped', async () => {
    const got = await walk({ includePatterns: ['docs'], excludePatterns: ['*.log', 'docs/a.md'] });
    assert.deepEqual(got.paths, ['docs', 'docs/b.md', 'docs/keep.md']);
    assert.equal(got.excluded, 1); // docs/a.md; the .log files were never included
  });
});

describe('walkDirectory on names that are not UTF-8', () => {
  let root: string;
  before(async () => {
    root = await tempDir('walk-latin1');
    await fs.writeFile(Buffer.from(`${root}/caf\xe9.txt`, 'latin1'), 'x');
    await fs.writeFile(join(root, 'real-\uFFFD'), 'y');
    await fs.writeFile(join(root, 'ok'), 'z');
  });
  after(async () => removeTree(root));

  it('fails naming the directory when such a file would be sent', async () => {
    await assert.rejects(collect(root), /unsupported file name in .*: not valid UTF-8/);
  });

  it('ignores it when it is filtered out, and keeps genuine U+FFFD names', async () => {
    const got = await collect(root, { excludePatterns: ['caf*'] });
    assert.deepEqual(
      got.map((e) => e.stat.path),
      ['ok', 'real-\uFFFD'],
    );
  });
});

describe('walkDirectory on a large tree', () => {
  let root: string;
  before(async () => {
    root = await tempDir('walk-large');
    for (let d = 0; d < 60; d++) {
      const dir = join(root, `d${d}`);
      await fs.mkdir(dir);
      await Promise.all(Array.from({ length: 100 }, (_, f) => fs.writeFile(join(dir, `f${f}`), '')));
    }
  });
  after(async () => removeTree(root));

  it('lets the event loop run during the walk', async () => {
    // A callback queued for the event loop's next turn, again and again: a walk that never gives the loop
    // a turn would let none of them run before it ends.
    let turns = 0;
    let walking = true;
    const spin = (): void => { if (walking) { turns++; setImmediate(spin); } };
    setImmediate(spin);
    let n = 0;
    try {
      for await (const _ of walkDirectory(root)) n++;
    } finally {
      walking = false;
    }
    assert.equal(n, 60 + 6000);
    assert.ok(turns > 0, 'the event loop got no turn during the walk');
  });

  it('aborts mid-walk', async () => {
    const ac = new AbortController();
    let n = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of walkDirectory(root, { signal: ac.signal })) if (++n === 10) ac.abort();
      })(),
      { name: 'AbortError' },
    );
    assert.ok(n < 200, `walk went on for ${n} entries after abort`);
  });
});
