// Rows marked "Go" hold values produced by the Go packages buildx vendors, kept here as data.
// The Go run was on linux/amd64, so that is the `local` platform these rows assume.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatPlatform, localPlatform, normalizePlatform, parsePlatform, parsePlatformSpecifier, parsePlatforms, type Platform,
} from '../../../src/flags/platform.js';
import { FlagError } from '../../../src/flags/flag-error.js';

const LOCAL: Platform = { os: 'linux', architecture: 'amd64' };

interface Case { in: string; out?: string[]; err?: string }

// Go: platformutil.Parse + platformutil.Format (buildx v0.38.2, containerd/platforms v1.0.0-rc.5).
const PARSE: Case[] = [
  {"in": "linux/amd64", "out": ["linux/amd64"]},
  {"in": "linux/arm64", "out": ["linux/arm64"]},
  {"in": "linux/arm64/v8", "out": ["linux/arm64"]},
  {"in": "linux/arm", "out": ["linux/arm/v7"]},
  {"in": "linux/arm/v7", "out": ["linux/arm/v7"]},
  {"in": "linux/arm/v6", "out": ["linux/arm/v6"]},
  {"in": "linux/arm/6", "out": ["linux/arm/v6"]},
  {"in": "linux/armhf", "out": ["linux/arm/v7"]},
  {"in": "linux/armel", "out": ["linux/arm/v6"]},
  {"in": "linux/aarch64", "out": ["linux/arm64"]},
  {"in": "linux/x86_64", "out": ["linux/amd64"]},
  {"in": "linux/x86-64", "out": ["linux/amd64"]},
  {"in": "linux/i386", "out": ["linux/386"]},
  {"in": "linux/386", "out": ["linux/386"]},
  {"in": "Linux/AMD64", "out": ["linux/amd64"]},
  {"in": "darwin/arm64", "out": ["darwin/arm64"]},
  {"in": "macos/arm64", "out": ["darwin/arm64"]},
  {"in": "windows/amd64", "out": ["windows/amd64"]},
  {"in": "windows(10.0.17763)/amd64", "out": ["windows(10.0.17763)/amd64"]},
  {"in": "windows(10.0.17763+win32k)/amd64", "out": ["windows(10.0.17763+win32k)/amd64"]},
  {"in": "windows(10.0.17763+b+a+a)/amd64", "out": ["windows(10.0.17763+a+b)/amd64"]},
  {"in": "linux/amd64/v1", "out": ["linux/amd64"]},
  {"in": "linux/amd64/v2", "out": ["linux/amd64/v2"]},
  {"in": "linux/amd64/v3", "out": ["linux/amd64/v3"]},
  {"in": "linux/arm64/v9.0", "out": ["linux/arm64/v9"]},
  {"in": "linux/arm64/9", "out": ["linux/arm64/v9"]},
  {"in": "linux/riscv64", "out": ["linux/riscv64"]},
  {"in": "linux/ppc64le", "out": ["linux/ppc64le"]},
  {"in": "linux/s390x", "out": ["linux/s390x"]},
  {"in": "linux", "out": ["linux/amd64"]},
  {"in": "amd64", "out": ["linux/amd64"]},
  {"in": "arm", "out": ["linux/arm/v7"]},
  {"in": "arm64", "out": ["linux/arm64"]},
  {"in": "armhf", "out": ["linux/arm/v7"]},
  {"in": "foo", "err": "\"foo\": unknown operating system or architecture: invalid argument"},
  {"in": "linux/*", "err": "\"linux/*\": wildcards not yet supported: invalid argument"},
  {"in": "*/amd64", "err": "\"*/amd64\": wildcards not yet supported: invalid argument"},
  {"in": "", "err": "\"\" is an invalid OS component of \"\": OSAndVersion specifier component must match \"^([A-Za-z0-9_-]+)(?:\\\\(([A-Za-z0-9_.%-]*)((?:\\\\+[A-Za-z0-9_.%-]+)*)\\\\))?$\": invalid argument"},
  {"in": "linux/", "err": "\"\" is an invalid component of \"linux/\": platform specifier component must match \"^[A-Za-z0-9_.-]+$\": invalid argument"},
  {"in": "/amd64", "err": "\"\" is an invalid OS component of \"/amd64\": OSAndVersion specifier component must match \"^([A-Za-z0-9_-]+)(?:\\\\(([A-Za-z0-9_.%-]*)((?:\\\\+[A-Za-z0-9_.%-]+)*)\\\\))?$\": invalid argument"},
  {"in": "linux/amd64/", "err": "\"\" is an invalid component of \"linux/amd64/\": platform specifier component must match \"^[A-Za-z0-9_.-]+$\": invalid argument"},
  {"in": "linux/a/b/c", "err": "\"linux/a/b/c\": cannot parse platform specifier: invalid argument"},
  {"in": "linux/amd 64", "err": "\"amd 64\" is an invalid component of \"linux/amd 64\": platform specifier component must match \"^[A-Za-z0-9_.-]+$\": invalid argument"},
  {"in": "lin ux/amd64", "err": "\"lin ux\" is an invalid OS component of \"lin ux/amd64\": OSAndVersion specifier component must match \"^([A-Za-z0-9_-]+)(?:\\\\(([A-Za-z0-9_.%-]*)((?:\\\\+[A-Za-z0-9_.%-]+)*)\\\\))?$\": invalid argument"},
  {"in": "linux/arm/v5", "out": ["linux/arm/v5"]},
  {"in": "linux/arm/v8", "out": ["linux/arm/v8"]},
  {"in": "linux/arm/8", "out": ["linux/arm/v8"]},
  {"in": "linux/mips64le", "out": ["linux/mips64le"]},
  {"in": "windows", "out": ["windows/amd64"]},
  {"in": "freebsd/amd64", "out": ["freebsd/amd64"]},
  {"in": "linux(%zz)/amd64", "err": "\"linux(%zz)/amd64\" has an invalid OS version \"%zz\": invalid URL escape \"%zz\""},
  {"in": "linux(+f%zz)/amd64", "err": "\"linux(+f%zz)/amd64\" has invalid OS features: invalid os feature \"f%zz\": invalid URL escape \"%zz\""},
  {"in": "linux(%41)/amd64", "out": ["linux(A)/amd64"]},
  {"in": "linux/../amd64", "out": ["amd64"]},
  {"in": "linux/amd64/v8/x", "err": "\"linux/amd64/v8/x\": cannot parse platform specifier: invalid argument"},
  {"in": "linux/arm/V7", "out": ["linux/arm/v7"]},
  {"in": "linux/ARM64/V8", "out": ["linux/arm64"]},
  {"in": "i386", "out": ["linux/386"]},
  {"in": "x86_64", "out": ["linux/amd64"]},
  {"in": "aarch64", "out": ["linux/arm64"]},
  {"in": "linux/armhf/v6", "out": ["linux/arm/v7"]},
  {"in": "linux/arm64/v8.0", "out": ["linux/arm64"]},
  {"in": "linux(x)", "out": ["linux(x)/amd64"]},
  {"in": "Linux", "out": ["linux/amd64"]},
  {"in": "MacOS", "out": ["darwin/amd64"]},
  {"in": "linux/é", "err": "\"é\" is an invalid component of \"linux/é\": platform specifier component must match \"^[A-Za-z0-9_.-]+$\": invalid argument"},
];

function isFlagError(message: string) {
  return (e: unknown): boolean => e instanceof FlagError && e.message === message;
}

describe('parsePlatforms (one value)', () => {
  for (const c of PARSE) {
    it(JSON.stringify(c.in), () => {
      if (c.err !== undefined) {
        assert.throws(() => parsePlatforms([c.in], LOCAL), isFlagError(c.err));
      } else {
        const got = parsePlatforms([c.in], LOCAL);
        assert.deepEqual(got.map(formatPlatform), c.out);
        // path.Join folds `..`, so `linux/../amd64` formats as `amd64` and cannot come back.
        if (c.in.includes('..')) return;
        for (const p of got) {
          assert.deepEqual(parsePlatform(formatPlatform(p), LOCAL), p, 'format then parse gives the platform back');
        }
      }
    });
  }
});

interface OCIPlatform { os: string; architecture: string; variant?: string; 'os.version'?: string; 'os.features'?: string[] }
interface RawCase { in: string; out: { parsed: OCIPlatform; format: string; normalized: string } }

// Go: platforms.Parse alone, platforms.FormatAll of it, and FormatAll(Normalize(it)).
const RAW: RawCase[] = [
  {"in": "linux/amd64", "out": {"parsed": {"architecture": "amd64", "os": "linux"}, "format": "linux/amd64", "normalized": "linux/amd64"}},
  {"in": "linux/arm64", "out": {"parsed": {"architecture": "arm64", "os": "linux"}, "format": "linux/arm64", "normalized": "linux/arm64"}},
  {"in": "linux/arm64/v8", "out": {"parsed": {"architecture": "arm64", "os": "linux", "variant": "v8"}, "format": "linux/arm64/v8", "normalized": "linux/arm64"}},
  {"in": "linux/arm", "out": {"parsed": {"architecture": "arm", "os": "linux"}, "format": "linux/arm", "normalized": "linux/arm/v7"}},
  {"in": "linux/arm/v7", "out": {"parsed": {"architecture": "arm", "os": "linux", "variant": "v7"}, "format": "linux/arm/v7", "normalized": "linux/arm/v7"}},
  {"in": "linux/arm/v6", "out": {"parsed": {"architecture": "arm", "os": "linux", "variant": "v6"}, "format": "linux/arm/v6", "normalized": "linux/arm/v6"}},
  {"in": "linux/arm/6", "out": {"parsed": {"architecture": "arm", "os": "linux", "variant": "v6"}, "format": "linux/arm/v6", "normalized": "linux/arm/v6"}},
  {"in": "linux/armhf", "out": {"parsed": {"architecture": "arm", "os": "linux"}, "format": "linux/arm", "normalized": "linux/arm/v7"}},
  {"in": "linux/armel", "out": {"parsed": {"architecture": "arm", "os": "linux", "variant": "v6"}, "format": "linux/arm/v6", "normalized": "linux/arm/v6"}},
  {"in": "linux/aarch64", "out": {"parsed": {"architecture": "arm64", "os": "linux"}, "format": "linux/arm64", "normalized": "linux/arm64"}},
  {"in": "linux/x86_64", "out": {"parsed": {"architecture": "amd64", "os": "linux"}, "format": "linux/amd64", "normalized": "linux/amd64"}},
  {"in": "linux/x86-64", "out": {"parsed": {"architecture": "amd64", "os": "linux"}, "format": "linux/amd64", "normalized": "linux/amd64"}},
  {"in": "linux/i386", "out": {"parsed": {"architecture": "386", "os": "linux"}, "format": "linux/386", "normalized": "linux/386"}},
  {"in": "linux/386", "out": {"parsed": {"architecture": "386", "os": "linux"}, "format": "linux/386", "normalized": "linux/386"}},
  {"in": "Linux/AMD64", "out": {"parsed": {"architecture": "amd64", "os": "linux"}, "format": "linux/amd64", "normalized": "linux/amd64"}},
  {"in": "darwin/arm64", "out": {"parsed": {"architecture": "arm64", "os": "darwin"}, "format": "darwin/arm64", "normalized": "darwin/arm64"}},
  {"in": "macos/arm64", "out": {"parsed": {"architecture": "arm64", "os": "darwin"}, "format": "darwin/arm64", "normalized": "darwin/arm64"}},
  {"in": "windows/amd64", "out": {"parsed": {"architecture": "amd64", "os": "windows"}, "format": "windows/amd64", "normalized": "windows/amd64"}},
  {"in": "windows(10.0.17763)/amd64", "out": {"parsed": {"architecture": "amd64", "os": "windows", "os.version": "10.0.17763"}, "format": "windows(10.0.17763)/amd64", "normalized": "windows(10.0.17763)/amd64"}},
  {"in": "windows(10.0.17763+win32k)/amd64", "out": {"parsed": {"architecture": "amd64", "os": "windows", "os.version": "10.0.17763", "os.features": ["win32k"]}, "format": "windows(10.0.17763+win32k)/amd64", "normalized": "windows(10.0.17763+win32k)/amd64"}},
  {"in": "windows(10.0.17763+b+a+a)/amd64", "out": {"parsed": {"architecture": "amd64", "os": "windows", "os.version": "10.0.17763", "os.features": ["b", "a", "a"]}, "format": "windows(10.0.17763+a+b)/amd64", "normalized": "windows(10.0.17763+a+b)/amd64"}},
  {"in": "linux/amd64/v1", "out": {"parsed": {"architecture": "amd64", "os": "linux"}, "format": "linux/amd64", "normalized": "linux/amd64"}},
  {"in": "linux/amd64/v2", "out": {"parsed": {"architecture": "amd64", "os": "linux", "variant": "v2"}, "format": "linux/amd64/v2", "normalized": "linux/amd64/v2"}},
  {"in": "linux/amd64/v3", "out": {"parsed": {"architecture": "amd64", "os": "linux", "variant": "v3"}, "format": "linux/amd64/v3", "normalized": "linux/amd64/v3"}},
  {"in": "linux/arm64/v9.0", "out": {"parsed": {"architecture": "arm64", "os": "linux", "variant": "v9"}, "format": "linux/arm64/v9", "normalized": "linux/arm64/v9"}},
  {"in": "linux/arm64/9", "out": {"parsed": {"architecture": "arm64", "os": "linux", "variant": "v9"}, "format": "linux/arm64/v9", "normalized": "linux/arm64/v9"}},
  {"in": "linux/riscv64", "out": {"parsed": {"architecture": "riscv64", "os": "linux"}, "format": "linux/riscv64", "normalized": "linux/riscv64"}},
  {"in": "linux/ppc64le", "out": {"parsed": {"architecture": "ppc64le", "os": "linux"}, "format": "linux/ppc64le", "normalized": "linux/ppc64le"}},
  {"in": "linux/s390x", "out": {"parsed": {"architecture": "s390x", "os": "linux"}, "format": "linux/s390x", "normalized": "linux/s390x"}},
  {"in": "linux", "out": {"parsed": {"architecture": "amd64", "os": "linux"}, "format": "linux/amd64", "normalized": "linux/amd64"}},
  {"in": "amd64", "out": {"parsed": {"architecture": "amd64", "os": "linux"}, "format": "linux/amd64", "normalized": "linux/amd64"}},
  {"in": "arm", "out": {"parsed": {"architecture": "arm", "os": "linux"}, "format": "linux/arm", "normalized": "linux/arm/v7"}},
  {"in": "arm64", "out": {"parsed": {"architecture": "arm64", "os": "linux"}, "format": "linux/arm64", "normalized": "linux/arm64"}},
  {"in": "armhf", "out": {"parsed": {"architecture": "arm", "os": "linux"}, "format": "linux/arm", "normalized": "linux/arm/v7"}},
  {"in": "linux/arm/v5", "out": {"parsed": {"architecture": "arm", "os": "linux", "variant": "v5"}, "format": "linux/arm/v5", "normalized": "linux/arm/v5"}},
  {"in": "linux/arm/v8", "out": {"parsed": {"architecture": "arm", "os": "linux", "variant": "v8"}, "format": "linux/arm/v8", "normalized": "linux/arm/v8"}},
  {"in": "linux/arm/8", "out": {"parsed": {"architecture": "arm", "os": "linux", "variant": "v8"}, "format": "linux/arm/v8", "normalized": "linux/arm/v8"}},
  {"in": "linux/mips64le", "out": {"parsed": {"architecture": "mips64le", "os": "linux"}, "format": "linux/mips64le", "normalized": "linux/mips64le"}},
  {"in": "windows", "out": {"parsed": {"architecture": "amd64", "os": "windows"}, "format": "windows/amd64", "normalized": "windows/amd64"}},
  {"in": "freebsd/amd64", "out": {"parsed": {"architecture": "amd64", "os": "freebsd"}, "format": "freebsd/amd64", "normalized": "freebsd/amd64"}},
  {"in": "linux(%41)/amd64", "out": {"parsed": {"architecture": "amd64", "os": "linux", "os.version": "A"}, "format": "linux(A)/amd64", "normalized": "linux(A)/amd64"}},
  {"in": "linux/../amd64", "out": {"parsed": {"architecture": "..", "os": "linux", "variant": "amd64"}, "format": "amd64", "normalized": "amd64"}},
  {"in": "linux/arm/V7", "out": {"parsed": {"architecture": "arm", "os": "linux", "variant": "v7"}, "format": "linux/arm/v7", "normalized": "linux/arm/v7"}},
  {"in": "linux/ARM64/V8", "out": {"parsed": {"architecture": "arm64", "os": "linux", "variant": "v8"}, "format": "linux/arm64/v8", "normalized": "linux/arm64"}},
  {"in": "i386", "out": {"parsed": {"architecture": "386", "os": "linux"}, "format": "linux/386", "normalized": "linux/386"}},
  {"in": "x86_64", "out": {"parsed": {"architecture": "amd64", "os": "linux"}, "format": "linux/amd64", "normalized": "linux/amd64"}},
  {"in": "aarch64", "out": {"parsed": {"architecture": "arm64", "os": "linux"}, "format": "linux/arm64", "normalized": "linux/arm64"}},
  {"in": "linux/armhf/v6", "out": {"parsed": {"architecture": "arm", "os": "linux", "variant": "v7"}, "format": "linux/arm/v7", "normalized": "linux/arm/v7"}},
  {"in": "linux/arm64/v8.0", "out": {"parsed": {"architecture": "arm64", "os": "linux", "variant": "v8"}, "format": "linux/arm64/v8", "normalized": "linux/arm64"}},
  {"in": "linux(x)", "out": {"parsed": {"architecture": "amd64", "os": "linux", "os.version": "x"}, "format": "linux(x)/amd64", "normalized": "linux(x)/amd64"}},
  {"in": "Linux", "out": {"parsed": {"architecture": "amd64", "os": "linux"}, "format": "linux/amd64", "normalized": "linux/amd64"}},
  {"in": "MacOS", "out": {"parsed": {"architecture": "amd64", "os": "darwin"}, "format": "darwin/amd64", "normalized": "darwin/amd64"}},
];

describe('parsePlatformSpecifier (containerd Parse, no Normalize)', () => {
  for (const c of RAW) {
    it(JSON.stringify(c.in), () => {
      const p = parsePlatformSpecifier(c.in, LOCAL);
      const want: Platform = { os: c.out.parsed.os, architecture: c.out.parsed.architecture };
      if (c.out.parsed.variant) want.variant = c.out.parsed.variant;
      if (c.out.parsed['os.version']) want.osVersion = c.out.parsed['os.version'];
      if (c.out.parsed['os.features']) want.osFeatures = c.out.parsed['os.features'];
      assert.deepEqual(p, want);
      assert.equal(formatPlatform(p), c.out.format);
      assert.equal(formatPlatform(normalizePlatform(p, LOCAL)), c.out.normalized);
    });
  }
});

describe('parsePlatforms', () => {
  it('splits commas across occurrences and drops duplicates, keeping first-seen order', () => {
    const got = parsePlatforms(['linux/arm64,linux/amd64', 'linux/x86_64', 'linux/arm,linux/arm/v7,linux/armhf'], LOCAL);
    assert.deepEqual(got.map(formatPlatform), ['linux/arm64', 'linux/amd64', 'linux/arm/v7']);
  });

  it('fails on an empty item in a list, like buildx', () => {
    assert.throws(() => parsePlatforms(['linux/amd64,'], LOCAL), { message: /^"" is an invalid OS component of ""/ });
  });

  it('returns nothing for no values', () => {
    assert.deepEqual(parsePlatforms([], LOCAL), []);
  });

  it('resolves `local` in any case to the given platform, normalized', () => {
    const arm: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };
    assert.deepEqual(parsePlatforms(['local', 'LOCAL', 'Local'], arm), [{ os: 'linux', architecture: 'arm64' }]);
    assert.deepEqual(parsePlatform('local', { os: 'linux', architecture: 'arm', variant: 'v6' }), {
      os: 'linux', architecture: 'arm', variant: 'v6',
    });
  });

  it('fills single components from the local platform', () => {
    const armv6: Platform = { os: 'linux', architecture: 'arm', variant: 'v6' };
    assert.deepEqual(parsePlatform('linux', armv6), { os: 'linux', architecture: 'arm', variant: 'v6' });
    assert.deepEqual(parsePlatform('arm64', { os: 'darwin', architecture: 'arm64' }), { os: 'darwin', architecture: 'arm64' });
  });
});

describe('formatPlatform', () => {
  const FORMAT: Array<[Platform, string]> = [
    [{ os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
    [{ os: 'linux', architecture: 'arm', variant: 'v7' }, 'linux/arm/v7'],
    [{ os: '', architecture: 'amd64' }, 'unknown'],
    [{ os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.2227' }, 'windows(10.0.20348.2227)/amd64'],
    [{ os: 'windows', architecture: 'amd64', osFeatures: ['win32k'] }, 'windows(+win32k)/amd64'],
    [{ os: 'windows', architecture: 'amd64', osVersion: 'a+b/c', osFeatures: ['z', 'x(y)', 'z'] }, 'windows(a%2Bb%2Fc+x%28y%29+z)/amd64'],
  ];
  for (const [p, want] of FORMAT) {
    it(want, () => assert.equal(formatPlatform(p), want));
  }

  it('round-trips escaped OS options', () => {
    const p: Platform = { os: 'windows', architecture: 'amd64', osVersion: 'a+b/c%', osFeatures: ['x(y)', 'z'] };
    assert.deepEqual(parsePlatform(formatPlatform(p), LOCAL), p);
  });
});

describe('localPlatform', () => {
  it('speaks Go names', () => {
    const p = localPlatform();
    assert.match(p.os, /^[a-z0-9]+$/);
    assert.notEqual(p.os, 'win32');
    assert.notEqual(p.architecture, 'x64');
    assert.doesNotThrow(() => formatPlatform(normalizePlatform(p)));
  });
});
