// Rows marked "Go" hold values produced by the Go packages buildx vendors, kept here as data.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatAddHosts, formatUlimits, parseAddHosts, parseBytes, parseEntitlements, parseNetworkMode, parseShmSize, parseUlimit,
  parseUlimits, formatUlimit, resolveNetworkMode, resolveNoCache, resolveProgressMode, type ProgressMode, type ProgressOptions,
  type Entitlements,
} from '../../../src/flags/misc.js';
import { FlagError } from '../../../src/flags/flag-error.js';

function isFlagError(message: string) {
  return (e: unknown): boolean => e instanceof FlagError && e.message === message;
}

describe('parseAddHosts', () => {
  const OK: Array<[string[], string]> = [
    [['h=1.2.3.4'], 'h=1.2.3.4'],
    [['h:1.2.3.4'], 'h=1.2.3.4'],
    [['h=::1'], 'h=::1'],
    [['h:::1'], 'h=::1'],
    [['h=[::1]'], 'h=::1'],
    [['h=[1.2.3.4]'], 'h=1.2.3.4'],
    [['h=1.2.3.4,2001:db8::1'], 'h=1.2.3.4,h=2001:db8::1'],
    [['h=host-gateway'], 'h=host-gateway'],
    [['a=1.1.1.1', 'b:2.2.2.2'], 'a=1.1.1.1,b=2.2.2.2'],
    [['h:=1.2.3.4'], 'h:=1.2.3.4'],
    [['::ffff:1.2.3.4=::ffff:1.2.3.4'], '::ffff:1.2.3.4=::ffff:1.2.3.4'],
    [[], ''],
  ];
  for (const [values, want] of OK) {
    it(JSON.stringify(values), () => assert.equal(formatAddHosts(parseAddHosts(values)), want));
  }

  // Go: net.ParseIP refuses leading zeros, zones and partial addresses, as these do.
  const BAD = ['h', 'h=', '=1.2.3.4', ':1.2.3.4', 'h=localhost', 'h=010.0.0.1', 'h=fe80::1%eth0', 'h=1.2.3', 'h=[]',
    'h=1.2.3.4,', 'h=1.2.3.4 ', 'h=host-gateway,1.2.3.4', 'h:1.2.3.4:5'];
  for (const h of BAD) {
    it(`refuses ${JSON.stringify(h)}`, () => assert.throws(() => parseAddHosts([h]), isFlagError(`invalid host ${h}`)));
  }
});

interface BytesCase { in: string; out?: number; err?: string }

// Go: units.RAMInBytes (docker/go-units v0.5.0), which --shm-size uses.
const BYTES: BytesCase[] = [
  {"in": "64m", "out": 67108864},
  {"in": "64M", "out": 67108864},
  {"in": "64mb", "out": 67108864},
  {"in": "64MiB", "out": 67108864},
  {"in": "64mib", "out": 67108864},
  {"in": "1.5g", "out": 1610612736},
  {"in": "1024", "out": 1024},
  {"in": "0", "out": 0},
  {"in": "1k", "out": 1024},
  {"in": "1kb", "out": 1024},
  {"in": "1kib", "out": 1024},
  {"in": "1kx", "err": "invalid suffix: 'kx'"},
  {"in": "1x", "err": "invalid suffix: 'x'"},
  {"in": "m", "err": "invalid size: 'm'"},
  {"in": "", "err": "invalid size: ''"},
  {"in": "-1", "err": "invalid size: '-1'"},
  {"in": "-1m", "err": "invalid size: '-1m'"},
  {"in": "1e3", "out": 1000},
  {"in": "1e3m", "out": 1048576000},
  {"in": "0x1p3", "out": 8},
  {"in": "1 m", "out": 1048576},
  {"in": "64 ", "out": 64},
  {"in": "1.5.5m", "err": "strconv.ParseFloat: parsing \"1.5.5\": invalid syntax"},
  {"in": "1bb", "err": "invalid suffix: 'bb'"},
  {"in": "1mbb", "err": "invalid suffix: 'mbb'"},
  {"in": "1 kib", "out": 1024},
  {"in": "10p", "out": 11258999068426240},
  {"in": "1t", "out": 1099511627776},
  {"in": "abc", "err": "invalid size: 'abc'"},
  {"in": "1e400", "err": "strconv.ParseFloat: parsing \"1e400\": value out of range"},
  {"in": ".5k", "out": 512},
  {"in": "5.k", "out": 5120},
  {"in": "+5m", "out": 5242880},
  {"in": "1_000", "out": 1000},
  {"in": "1.9", "out": 1},
  {"in": "1.99b", "out": 1},
  {"in": "2 gb", "out": 2147483648},
  {"in": "1kiB", "out": 1024},
  {"in": "1KIB", "out": 1024},
  {"in": "64mB", "out": 67108864},
  {"in": "1mbyte", "err": "invalid suffix: 'mbyte'"},
  {"in": "0x10p0k", "out": 16384},
  {"in": "1__0", "err": "strconv.ParseFloat: parsing \"1__0\": invalid syntax"},
  {"in": "_1", "err": "strconv.ParseFloat: parsing \"_1\": invalid syntax"},
  {"in": "1_", "err": "invalid suffix: '_'"},
  {"in": "1_.5", "err": "strconv.ParseFloat: parsing \"1_.5\": invalid syntax"},
  {"in": "1._5", "err": "strconv.ParseFloat: parsing \"1._5\": invalid syntax"},
  {"in": "0x_1p0k", "out": 1024},
  {"in": "1e1_0", "out": 10000000000},
  {"in": "0b101", "err": "strconv.ParseFloat: parsing \"0b101\": invalid syntax"},
  {"in": "1_0_0k", "out": 102400},
  {"in": "1.5_0m", "out": 1572864},
];

describe('parseBytes / parseShmSize', () => {
  for (const c of BYTES) {
    it(JSON.stringify(c.in), () => {
      if (c.err !== undefined) {
        assert.throws(() => parseBytes(c.in), isFlagError(c.err));
        assert.throws(() => parseShmSize(c.in), isFlagError(c.err));
      } else {
        assert.equal(parseBytes(c.in), c.out);
        assert.equal(parseShmSize(c.in), c.out);
      }
    });
  }
});

interface UlimitCase { in: string; out?: string; err?: string }

// Go: units.ParseUlimit then Ulimit.String() (docker/go-units v0.5.0).
const ULIMIT: UlimitCase[] = [
  {"in": "nofile=1024", "out": "nofile=1024:1024"},
  {"in": "nofile=1024:2048", "out": "nofile=1024:2048"},
  {"in": "nofile=2048:1024", "err": "ulimit soft limit must be less than or equal to hard limit: 2048 > 1024"},
  {"in": "nofile=-1", "out": "nofile=-1:-1"},
  {"in": "nofile=-1:1024", "err": "ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 1024"},
  {"in": "nofile=1024:-1", "out": "nofile=1024:-1"},
  {"in": "nofile", "err": "invalid ulimit argument: nofile"},
  {"in": "foo=1", "err": "invalid ulimit type: foo"},
  {"in": "as=1", "err": "invalid ulimit type: as"},
  {"in": "nofile=1:2:3", "err": "too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`"},
  {"in": "nofile=x", "err": "strconv.ParseInt: parsing \"x\": invalid syntax"},
  {"in": "nofile=1:x", "err": "strconv.ParseInt: parsing \"x\": invalid syntax"},
  {"in": "nofile=x:y", "err": "strconv.ParseInt: parsing \"y\": invalid syntax"},
  {"in": "nofile=", "err": "strconv.ParseInt: parsing \"\": invalid syntax"},
  {"in": "nofile=99999999999999999999", "err": "strconv.ParseInt: parsing \"99999999999999999999\": value out of range"},
  {"in": "core=0:0", "out": "core=0:0"},
  {"in": "nofile=-1:-1", "out": "nofile=-1:-1"},
  {"in": "nofile=+5", "out": "nofile=5:5"},
  {"in": "nofile=-2:-3", "err": "ulimit soft limit must be less than or equal to hard limit: -2 > -3"},
  {"in": "nofile=1 ", "err": "strconv.ParseInt: parsing \"1 \": invalid syntax"},
  {"in": "NOFILE=1", "err": "invalid ulimit type: NOFILE"},
];

describe('parseUlimit', () => {
  for (const c of ULIMIT) {
    it(JSON.stringify(c.in), () => {
      if (c.err !== undefined) assert.throws(() => parseUlimit(c.in), isFlagError(c.err));
      else {
        const u = parseUlimit(c.in);
        assert.equal(formatUlimit(u), c.out);
        assert.deepEqual(parseUlimit(formatUlimit(u)), u);
      }
    });
  }

  it('keeps the full int64 range exactly', () => {
    assert.deepEqual(parseUlimit('stack=9223372036854775807'), { name: 'stack', soft: 9223372036854775807n, hard: 9223372036854775807n });
  });

  it('sorts by name, later occurrences replacing earlier ones', () => {
    const got = parseUlimits(['nproc=10', 'nofile=1:2', 'core=0', 'nofile=3:4']);
    assert.equal(formatUlimits(got), 'core=0:0,nofile=3:4,nproc=10:10');
  });
});

describe('resolveNetworkMode / parseNetworkMode', () => {
  it('maps the supported modes', () => {
    assert.deepEqual(resolveNetworkMode('default'), {});
    assert.deepEqual(resolveNetworkMode(''), {});
    assert.deepEqual(resolveNetworkMode('none'), { forceNetworkMode: 'none' });
    assert.deepEqual(resolveNetworkMode('host'), { forceNetworkMode: 'host', entitlement: 'network.host' });
    assert.equal(parseNetworkMode(''), 'default');
    assert.equal(parseNetworkMode('host'), 'host');
  });
  for (const mode of ['bridge', 'Host', 'container:x']) {
    it(`refuses ${mode}`, () => {
      const message = `network mode "${mode}" not supported by buildkit - you can define a custom network for your builder using the network driver-opt in buildx create`;
      assert.throws(() => resolveNetworkMode(mode), isFlagError(message));
      assert.throws(() => parseNetworkMode(mode), isFlagError(message));
    });
  }
});

interface AllowCase { in: string; out?: Entitlements; err?: string }

// Go: buildflags.ParseEntitlements (buildx v0.38.2, BuildKit v0.34.2 entitlements).
const ALLOW: AllowCase[] = [
  {"in": "network.host", "out": {"entitlements": ["network.host"], "allowLocalOutputDelete": false}},
  {"in": "security.insecure", "out": {"entitlements": ["security.insecure"], "allowLocalOutputDelete": false}},
  {"in": "device", "out": {"entitlements": ["device"], "allowLocalOutputDelete": false}},
  {"in": "device=", "out": {"entitlements": ["device="], "allowLocalOutputDelete": false}},
  {"in": "device=/dev/fuse", "out": {"entitlements": ["device=/dev/fuse"], "allowLocalOutputDelete": false}},
  {"in": "device=nvidia.com/gpu=all", "out": {"entitlements": ["device=nvidia.com/gpu=all"], "allowLocalOutputDelete": false}},
  {"in": "device=foo,alias=bar", "out": {"entitlements": ["device=foo,alias=bar"], "allowLocalOutputDelete": false}},
  {"in": "device=foo,bar", "err": "invalid device config \"bar\""},
  {"in": "device=foo,x=y", "err": "unknown device config key \"x\""},
  {"in": "buildx.local.delete", "out": {"entitlements": [], "allowLocalOutputDelete": true}},
  {"in": "buildx.local.delete=true", "err": "buildx.local.delete does not accept a value"},
  {"in": "network.host=x", "err": "unknown entitlement network.host=x"},
  {"in": "foo", "err": "unknown entitlement foo"},
  {"in": "device=\"a,b\"", "out": {"entitlements": ["device=\"a,b\""], "allowLocalOutputDelete": false}},
  {"in": "device=a\"b", "err": "parse error on line 1, column 2: bare \" in non-quoted-field"},
  {"in": "buildx.local.delete=", "err": "buildx.local.delete does not accept a value"},
  {"in": "Network.host", "err": "unknown entitlement Network.host"},
  {"in": "device=,alias=x", "out": {"entitlements": ["device=,alias=x"], "allowLocalOutputDelete": false}},
];

describe('parseEntitlements', () => {
  for (const c of ALLOW) {
    it(JSON.stringify(c.in), () => {
      if (c.err !== undefined) assert.throws(() => parseEntitlements([c.in]), isFlagError(c.err));
      else assert.deepEqual(parseEntitlements([c.in]), c.out);
    });
  }

  it('collects several and skips empty values', () => {
    assert.deepEqual(parseEntitlements(['network.host', '', 'buildx.local.delete', 'device=/dev/kvm']), {
      entitlements: ['network.host', 'device=/dev/kvm'],
      allowLocalOutputDelete: true,
    });
  });
});

describe('resolveNoCache', () => {
  it('gives the no-cache attr', () => {
    assert.equal(resolveNoCache({ noCache: false, noCacheFilter: [] }), undefined);
    assert.equal(resolveNoCache({ noCache: true, noCacheFilter: [] }), '');
    assert.equal(resolveNoCache({ noCache: false, noCacheFilter: ['a', 'b'] }), 'a,b');
  });
  it('refuses both together', () => {
    assert.throws(
      () => resolveNoCache({ noCache: true, noCacheFilter: ['a'] }),
      isFlagError('--no-cache and --no-cache-filter cannot currently be used together'),
    );
  });
});

interface ProgressCase { opts: Partial<ProgressOptions>; want?: ProgressMode; err?: string }

const PROGRESS: ProgressCase[] = [
  { opts: { flag: 'auto', stderrIsTTY: true }, want: 'tty' },
  { opts: { flag: 'auto' }, want: 'plain' },
  { opts: { flag: '' }, want: 'plain' },
  { opts: { flag: '', env: 'rawjson' }, want: 'plain' },
  { opts: { flag: 'tty', stderrIsTTY: true }, want: 'tty' },
  { opts: { flag: 'tty' }, err: 'failed to get console: provided file is not a console' },
  { opts: { flag: 'plain', stderrIsTTY: true }, want: 'plain' },
  { opts: { flag: 'rawjson' }, want: 'rawjson' },
  { opts: { flag: 'quiet' }, want: 'quiet' },
  { opts: { flag: 'none' }, want: 'none' },
  { opts: { flag: 'auto', quiet: true }, want: 'quiet' },
  { opts: { flag: 'quiet', quiet: true }, want: 'quiet' },
  { opts: { flag: 'none', quiet: true }, want: 'quiet' },
  { opts: { flag: 'plain', quiet: true }, err: 'progress=plain and quiet cannot be used together' },
  { opts: { flag: 'tty', quiet: true }, err: 'progress=tty and quiet cannot be used together' },
  { opts: { flag: '', quiet: true }, err: 'progress= and quiet cannot be used together' },
  { opts: { flag: 'auto', quiet: true, env: 'plain' }, want: 'quiet' },
  { opts: { flag: 'auto', env: 'plain', stderrIsTTY: true }, want: 'plain' },
  { opts: { flag: 'auto', env: 'rawjson' }, want: 'rawjson' },
  { opts: { flag: 'auto', env: 'quiet' }, want: 'none' },
  { opts: { flag: 'auto', env: 'tty' }, err: 'failed to get console: provided file is not a console' },
  { opts: { flag: 'auto', env: 'auto', stderrIsTTY: true }, want: 'tty' },
  { opts: { flag: 'auto', env: 'none' }, err: 'invalid progress mode none' },
  { opts: { flag: 'auto', env: '' }, want: 'plain' },
  { opts: { flag: 'plain', env: 'rawjson' }, want: 'plain' },
  { opts: { flag: 'fancy' }, err: 'invalid progress mode fancy' },
  { opts: { flag: 'TTY', stderrIsTTY: true }, err: 'invalid progress mode TTY' },
];

describe('resolveProgressMode', () => {
  for (const c of PROGRESS) {
    const opts: ProgressOptions = { flag: 'auto', quiet: false, stderrIsTTY: false, ...c.opts };
    it(JSON.stringify(c.opts), () => {
      if (c.err !== undefined) assert.throws(() => resolveProgressMode(opts), isFlagError(c.err));
      else assert.equal(resolveProgressMode(opts), c.want);
    });
  }
});
