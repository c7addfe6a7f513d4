// Rows marked "Go" hold values produced by the Go packages buildx vendors, kept here as data.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  awsCredentialsFromEnv, checkCacheEntries, enrichCacheEntries, needsCacheExport, formatCacheEntry, parseCacheEntries, parseCacheEntry, type CacheEntry,
} from '../../../src/flags/cache.js';
import { FlagError } from '../../../src/flags/flag-error.js';

interface Out { type: string; attrs: Record<string, string>; string: string }
interface Case { in: string; out?: Out[]; err?: string }

// Go: buildflags.ParseCacheEntry (buildx v0.38.2) and CacheOptionsEntry.String().
const PARSE: Case[] = [
  {"in": "user/app:cache", "out": [{"attrs": {"ref": "user/app:cache"}, "string": "user/app:cache", "type": "registry"}]},
  {"in": "a,b", "out": [{"attrs": {"ref": "a"}, "string": "a", "type": "registry"}, {"attrs": {"ref": "b"}, "string": "b", "type": "registry"}]},
  {"in": "a,\"b\"", "out": [{"attrs": {"ref": "a"}, "string": "a", "type": "registry"}, {"attrs": {"ref": "b"}, "string": "b", "type": "registry"}]},
  {"in": "type=registry,ref=user/app", "out": [{"attrs": {"ref": "user/app"}, "string": "user/app", "type": "registry"}]},
  {"in": "ref=user/app", "err": "type required for \"ref=user/app\""},
  {"in": "TYPE=local,SRC=path", "out": [{"attrs": {"src": "path"}, "string": "type=local,src=path", "type": "local"}]},
  {"in": "type=gha", "out": [{"attrs": {}, "string": "type=gha", "type": "gha"}]},
  {"in": "type=local,src", "err": "invalid value src"},
  {"in": "a,,b", "err": "EOF"},
  {"in": "\"a=b\"", "err": "type required for \"\\\"a=b\\\"\""},
  {"in": "type=registry,ref=\"a,b\"", "err": "parse error on line 1, column 19: bare \" in non-quoted-field"},
  {"in": "mode=max", "err": "type required for \"mode=max\""},
  {"in": "type=s3,region=eu,bucket=b", "out": [{"attrs": {"bucket": "b", "region": "eu"}, "string": "type=s3,bucket=b,region=eu", "type": "s3"}]},
  {"in": "type=inline", "out": [{"attrs": {}, "string": "type=inline", "type": "inline"}]},
  {"in": "a\"b", "err": "parse error on line 1, column 2: bare \" in non-quoted-field"},
  {"in": " type=local,src=x", "err": "type required for \" type=local,src=x\""},
  {"in": "type=local,\"src=a,b\"", "out": [{"attrs": {"src": "a,b"}, "string": "type=local,\"src=a,b\"", "type": "local"}]},
  {"in": "\"user/app:cache\"", "out": [{"attrs": {"ref": "user/app:cache"}, "string": "user/app:cache", "type": "registry"}]},
  {"in": "a,b=c", "err": "invalid value a"},
  {"in": "\"a,b\"", "err": "invalid value a"},
];

describe('parseCacheEntries', () => {
  for (const c of PARSE) {
    it(JSON.stringify(c.in), () => {
      if (c.err !== undefined) {
        assert.throws(() => parseCacheEntries([c.in]), (e: unknown) => e instanceof FlagError && e.message === c.err);
        return;
      }
      const got = parseCacheEntries([c.in]);
      assert.deepEqual(got.map((e) => ({ type: e.type, attrs: e.attrs })), c.out?.map((o) => ({ type: o.type, attrs: o.attrs })));
      assert.deepEqual(got.map(formatCacheEntry), c.out?.map((o) => o.string));
      for (const e of got) assert.deepEqual(parseCacheEntry(formatCacheEntry(e)), e, 'format then parse gives the entry back');
    });
  }

  it('skips empty values and keeps order across occurrences', () => {
    assert.deepEqual(parseCacheEntries(['', 'a,b', 'type=local,src=d']), [
      { type: 'registry', attrs: { ref: 'a' } },
      { type: 'registry', attrs: { ref: 'b' } },
      { type: 'local', attrs: { src: 'd' } },
    ]);
  });

  it('prints a registry entry with more than a ref in full', () => {
    assert.equal(formatCacheEntry({ type: 'registry', attrs: { ref: 'a', mode: 'max' } }), 'type=registry,mode=max,ref=a');
  });
});

interface EnrichCase {
  name: string;
  entries: CacheEntry[];
  env: Record<string, string>;
  want: CacheEntry[];
}

const GHA_ENV = { ACTIONS_RUNTIME_TOKEN: 'tok', ACTIONS_CACHE_URL: 'https://cache/', ACTIONS_RESULTS_URL: 'https://results/' };

const ENRICH: EnrichCase[] = [
  {
    name: 'gha takes token and cache url from the runtime env',
    entries: [{ type: 'gha', attrs: { scope: 's' } }], env: GHA_ENV,
    want: [{ type: 'gha', attrs: { scope: 's', token: 'tok', url: 'https://cache/' } }],
  },
  {
    name: 'gha falls back to the results url',
    entries: [{ type: 'gha', attrs: {} }], env: { ACTIONS_RUNTIME_TOKEN: 'tok', ACTIONS_RESULTS_URL: 'https://results/' },
    want: [{ type: 'gha', attrs: { token: 'tok', url: 'https://results/' } }],
  },
  {
    name: 'gha v2 (env) also gets url_v2',
    entries: [{ type: 'gha', attrs: {} }], env: { ...GHA_ENV, ACTIONS_CACHE_SERVICE_V2: 'true' },
    want: [{ type: 'gha', attrs: { token: 'tok', url: 'https://cache/', url_v2: 'https://results/' } }],
  },
  {
    name: 'gha version=2 attr also gets url_v2',
    entries: [{ type: 'gha', attrs: { version: '2' } }], env: GHA_ENV,
    want: [{ type: 'gha', attrs: { version: '2', token: 'tok', url: 'https://cache/', url_v2: 'https://results/' } }],
  },
  {
    name: 'an explicit version beats ACTIONS_CACHE_SERVICE_V2',
    entries: [{ type: 'gha', attrs: { version: '1' } }], env: { ...GHA_ENV, ACTIONS_CACHE_SERVICE_V2: '1' },
    want: [{ type: 'gha', attrs: { version: '1', token: 'tok', url: 'https://cache/' } }],
  },
  {
    name: 'a non-bool ACTIONS_CACHE_SERVICE_V2 is ignored',
    entries: [{ type: 'gha', attrs: {} }], env: { ...GHA_ENV, ACTIONS_CACHE_SERVICE_V2: 'yes' },
    want: [{ type: 'gha', attrs: { token: 'tok', url: 'https://cache/' } }],
  },
  {
    name: 'user attrs win over the env',
    entries: [{ type: 'gha', attrs: { token: 'mine', url: 'https://mine/' } }], env: GHA_ENV,
    want: [{ type: 'gha', attrs: { token: 'mine', url: 'https://mine/' } }],
  },
  {
    name: 'gha without a token is dropped silently',
    entries: [{ type: 'gha', attrs: { url: 'https://x/' } }, { type: 'registry', attrs: { ref: 'r' } }], env: {},
    want: [{ type: 'registry', attrs: { ref: 'r' } }],
  },
  {
    name: 'gha without any url is dropped silently',
    entries: [{ type: 'gha', attrs: {} }], env: { ACTIONS_RUNTIME_TOKEN: 'tok' },
    want: [],
  },
  {
    name: 'gha with only url_v2 is kept',
    entries: [{ type: 'gha', attrs: { token: 't', url_v2: 'https://v2/' } }], env: {},
    want: [{ type: 'gha', attrs: { token: 't', url_v2: 'https://v2/' } }],
  },
  {
    name: 's3 takes env credentials',
    entries: [{ type: 's3', attrs: { bucket: 'b' } }],
    env: { AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK', AWS_SESSION_TOKEN: 'ST' },
    want: [{ type: 's3', attrs: { bucket: 'b', access_key_id: 'AK', secret_access_key: 'SK', session_token: 'ST' } }],
  },
  {
    name: 's3 with both keys given is left alone (no session token added)',
    entries: [{ type: 's3', attrs: { access_key_id: 'a', secret_access_key: 's' } }],
    env: { AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK', AWS_SESSION_TOKEN: 'ST' },
    want: [{ type: 's3', attrs: { access_key_id: 'a', secret_access_key: 's' } }],
  },
  {
    name: 's3 with one key given gets the other',
    entries: [{ type: 's3', attrs: { access_key_id: 'a' } }],
    env: { AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK' },
    want: [{ type: 's3', attrs: { access_key_id: 'a', secret_access_key: 'SK' } }],
  },
  {
    name: 's3 without credentials is kept as is',
    entries: [{ type: 's3', attrs: { bucket: 'b' } }], env: { AWS_ACCESS_KEY_ID: 'only-half' },
    want: [{ type: 's3', attrs: { bucket: 'b' } }],
  },
  {
    name: 'other types are untouched',
    entries: [{ type: 'local', attrs: { src: 'd' } }], env: GHA_ENV,
    want: [{ type: 'local', attrs: { src: 'd' } }],
  },
];

describe('enrichCacheEntries', () => {
  for (const c of ENRICH) {
    it(c.name, () => {
      const before = structuredClone(c.entries);
      assert.deepEqual(enrichCacheEntries(c.entries, c.env), c.want);
      assert.deepEqual(c.entries, before, 'input untouched');
    });
  }

  it('uses credentials passed by the caller over the env', () => {
    const got = enrichCacheEntries([{ type: 's3', attrs: {} }], { AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK' }, {
      accessKeyId: 'X', secretAccessKey: 'Y',
    });
    assert.deepEqual(got, [{ type: 's3', attrs: { access_key_id: 'X', secret_access_key: 'Y' } }]);
  });
});

describe('awsCredentialsFromEnv', () => {
  it('accepts the legacy variable names', () => {
    assert.deepEqual(awsCredentialsFromEnv({ AWS_ACCESS_KEY: 'a', AWS_SECRET_KEY: 's' }), { accessKeyId: 'a', secretAccessKey: 's' });
  });
  it('needs both keys', () => {
    assert.equal(awsCredentialsFromEnv({ AWS_SECRET_ACCESS_KEY: 's' }), undefined);
  });
});

describe('checkCacheEntries', () => {
  const e = (v: string): CacheEntry => parseCacheEntry(v);
  const refused = (from: string[], to: string[], msg: string) =>
    assert.throws(() => checkCacheEntries(from.map(e), to.map(e)), (err: unknown) => err instanceof FlagError && err.message === msg);

  it('accepts complete entries of every type, and types it does not know (the daemon judges those)', () => {
    checkCacheEntries([e('user/app:cache'), e('type=local,src=/c'), e('type=gha'), e('type=nosuch')], [e('type=local,dest=/c'), e('type=inline'), e('type=registry,ref=r')]);
  });
  it('refuses a registry import without ref', () => refused(['type=registry'], [], 'registry cache importer requires ref'));
  it('refuses a registry import with an empty ref', () => refused(['type=registry,ref='], [], 'registry cache importer requires ref'));
  it('refuses a local import without src', () => refused(['type=local'], [], 'local cache importer requires src'));
  it('refuses a local export without dest', () => refused([], ['type=local,mode=max'], 'local cache exporter requires dest'));
  it('judges the exports before the imports, as BuildKit\'s client does', () => refused(['type=registry'], ['type=local'], 'local cache exporter requires dest'));
});

describe('needsCacheExport', () => {
  it('is false for no entries and for the inline cache alone', () => {
    assert.equal(needsCacheExport([]), false);
    assert.equal(needsCacheExport([parseCacheEntry('type=inline')]), false);
  });
  it('is true as soon as one entry goes to a cache backend', () => {
    assert.equal(needsCacheExport([parseCacheEntry('type=inline'), parseCacheEntry('type=local,dest=d')]), true);
  });
});
