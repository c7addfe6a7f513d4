// The local build context as the daemon receives it: .dockerignore filtering, names, modes, symlinks,
// empty directories, and a large many-file tree arriving byte for byte.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, lstatSync } from 'node:fs';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { e2eSuitePerDriver } from './drivers.js';
import { describeRun, TEST_TIMEOUT, writeTree } from './helpers.js';

/** Byte order, as `sort` in the image (C locale) orders names. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * One line per entry below `/ctx`, the same shape as `describeLocal`: type, path, permission bits (octal,
 * with setuid/setgid/sticky), and the md5 of files' content or the target of links.
 */
const LIST_SCRIPT = 'cd /ctx && find . ! -name . | while IFS= read -r f; do'
  + ' if [ -L "$f" ]; then echo "L $f -> $(readlink "$f")";'
  + ' elif [ -d "$f" ]; then echo "D $f $(stat -c %a "$f")";'
  + ' else echo "F $f $(stat -c %a "$f") $(md5sum < "$f" | cut -c1-32)"; fi; done';

function describeLocal(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      const p = join(root, r);
      const st = lstatSync(p);
      const perm = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out.push(`L ./${r} -> ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.push(`D ./${r} ${perm}`);
        walk(r);
      } else out.push(`F ./${r} ${perm} ${createHash('md5').update(readFileSync(p)).digest('hex')}`);
    }
  };
  walk('');
  return out.sort(byteOrder);
}

const linesOf = (s: string) => s.split('\n').filter((l) => l !== '').sort(byteOrder);

e2eSuitePerDriver('build: context transfer', (ctx, d) => {
  it('applies .dockerignore with ** patterns and ! re-includes', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await ctx.tmp('dockerignore');
    const files = [
      'keep.txt', 'secret.key', 'root.log', 'logs/a.log', 'logs/important.log', 'logs/sub/b.log', 'logs/sub/important.log',
      'src/main.go', 'src/vendor/x/y.go', 'src/deep/a/b/c.tmp', 'src/deep/a/b/d.txt', 'src/deep/a/b/e.txt',
      'docs/readme.md', 'docs/private/notes.md', 'build/out.bin', 'build/keep.me', 'keep/nested/x.key',
    ];
    await writeTree(dir, Object.fromEntries(files.map((f) => [f, `${f}\n`])));
    await writeTree(dir, {
      Dockerfile: `FROM ${d.baseImage}\nCOPY . /ctx\n`,
      '.dockerignore': [
        '# a comment line',
        '*.key',
        '**/*.log',
        '!logs/important.log',
        '**/*.tmp',
        'build',
        '!build/keep.me',
        'docs/private',
        'src/vendor/**',
        '!keep/nested/*.key',
        '',
        '  Dockerfile  ',
        'src/**/b/d.txt',
        '',
      ].join('\n'),
    });
    const tag = ctx.tag('dockerignore');
    const r = await ctx.buildx(['build', '--progress=plain', '-t', tag, ...d.loadArgs, dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));
    const got = linesOf(await ctx.runIn(tag, 'cd /ctx && find . ! -name .'));
    // Worked out from Docker's matching rules (and checked against the classic builder): directories whose
    // contents are all excluded still arrive, empty; a re-included file brings its excluded parent along.
    assert.deepEqual(got, [
      './.dockerignore',
      './build', './build/keep.me',
      './docs', './docs/readme.md',
      './keep', './keep.txt', './keep/nested', './keep/nested/x.key',
      './logs', './logs/important.log', './logs/sub',
      './src', './src/deep', './src/deep/a', './src/deep/a/b', './src/deep/a/b/e.txt', './src/main.go', './src/vendor',
    ].sort(byteOrder));
  });

  it('keeps unicode names, modes, symlinks and empty directories intact', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await ctx.tmp('fidelity');
    await writeTree(dir, {
      Dockerfile: `FROM ${d.baseImage}\nCOPY . /ctx\n`,
      // The same visible name in NFC and NFD: two different files on Linux, neither may be normalised away.
      'h\u00e9llo.txt': 'composed (NFC)\n',
      'he\u0301llo.txt': 'decomposed (NFD)\n',
      'emoji-\u{1F600}-\u{10348}.txt': 'outside the BMP\n',
      '\u65e5\u672c\u8a9e/\u30d5\u30a1\u30a4\u30eb.txt': 'japanese\n',
      'with space and \'quote\'.txt': 'spaces\n',
      [`${'long-'.repeat(48)}name.txt`]: 'a 248-byte name\n',
      'exec.sh': '#!/bin/sh\necho hi\n',
      'private.txt': 'owner only\n',
      'setuid.bin': 'setuid\n',
      'sticky/': null,
      'empty/': null,
      'nested/empty/deeper/': null,
    });
    await chmod(join(dir, 'exec.sh'), 0o755);
    await chmod(join(dir, 'private.txt'), 0o600);
    await chmod(join(dir, 'setuid.bin'), 0o4755);
    await chmod(join(dir, 'sticky'), 0o1777);
    await chmod(join(dir, 'nested/empty'), 0o700);
    await symlink('exec.sh', join(dir, 'rel-link'));
    await symlink('/etc/passwd', join(dir, 'abs-link'));
    await symlink('does/not/exist', join(dir, 'dangling'));
    await symlink('\u65e5\u672c\u8a9e', join(dir, 'dir-link'));
    await symlink('../exec.sh', join(dir, 'nested/up-link'));

    const tag = ctx.tag('fidelity');
    const r = await ctx.buildx(['build', '--progress=plain', '-t', tag, ...d.loadArgs, dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));
    const got = linesOf(await ctx.runIn(tag, LIST_SCRIPT));
    assert.deepEqual(got, describeLocal(dir));
  });

  it('transfers a 50 MB, 3,000-file context byte for byte', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await ctx.tmp('large');
    await writeFile(join(dir, 'Dockerfile'), `FROM ${d.baseImage}\nCOPY . /ctx\n`);
    const want = new Map<string, string>();
    const put = async (rel: string, data: Buffer) => {
      await mkdir(join(dir, rel, '..'), { recursive: true });
      await writeFile(join(dir, rel), data);
      want.set(`./${rel}`, createHash('sha256').update(data).digest('hex'));
    };
    // A few big files carry most of the bytes (several DATA chunks each); many small ones test the
    // per-file request/response traffic. Sizes are random so chunk boundaries fall anywhere.
    for (let i = 0; i < 5; i++) await put(`big/blob-${i}.bin`, randomBytes(8_000_000 + Math.floor(Math.random() * 500_000)));
    for (let i = 0; i < 3000; i++) {
      await put(`d${String(i % 40).padStart(2, '0')}/s${Math.floor(i / 400)}/f${i}.dat`, randomBytes(Math.floor(Math.random() * 7000)));
    }
    await put('empty-file', Buffer.alloc(0));
    want.set('./Dockerfile', createHash('sha256').update(readFileSync(join(dir, 'Dockerfile'))).digest('hex'));
    const total = [...want.keys()].reduce((n, k) => n + (k === './Dockerfile' ? 0 : lstatSync(join(dir, k)).size), 0);
    assert.ok(total > 50_000_000 && want.size > 3000, `fixture is ${total} bytes in ${want.size} files`);

    const tag = ctx.tag('large');
    const r = await ctx.buildx(['build', '--progress=plain', '-t', tag, ...d.loadArgs, dir], { timeoutMs: 150_000 });
    assert.equal(r.code, 0, describeRun(r));
    const sums = await ctx.runIn(tag, 'cd /ctx && find . -type f | xargs sha256sum');
    const got = new Map<string, string>();
    for (const line of sums.split('\n')) {
      if (!line) continue;
      const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
      assert.ok(m, `sha256sum line: ${line}`);
      got.set(m[2]!, m[1]!);
    }
    assert.equal(got.size, want.size, 'same number of files');
    const wrong = [...want].filter(([p, h]) => got.get(p) !== h).map(([p]) => p);
    assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} files missing or different`);
  });
});
