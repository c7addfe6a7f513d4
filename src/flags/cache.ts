// `--cache-from` / `--cache-to` (cli.md §4.1.2). Attributes other than `type` go to BuildKit untouched.
import { cutEquals, formatPairs, setOwn, splitCSV } from './csv.js';
import { FlagError } from './flag-error.js';
import { goQuote, parseGoBoolOptional } from '../util/go-strconv.js';
import type { Env } from './keyvalue.js';

export interface CacheEntry {
  type: string;
  attrs: Record<string, string>;
}

/**
 * One entry: a lone field without `=` is a registry ref; otherwise `type=…` CSV with lower-cased keys.
 */
export function parseCacheEntry(value: string): CacheEntry {
  const fields = splitCSV(value);
  const only = fields.length === 1 ? fields[0] : undefined;
  if (only !== undefined && !only.includes('=')) return { type: 'registry', attrs: { ref: only } };

  let type = '';
  const attrs: Record<string, string> = {};
  for (const field of fields) {
    const [k, v] = cutEquals(field);
    if (v === undefined) throw new FlagError(`invalid value ${field}`);
    const key = k.toLowerCase();
    if (key === 'type') type = v;
    else setOwn(attrs, key, v);
  }
  if (type === '') throw new FlagError(`type required for ${goQuote(value)}`);
  return { type, attrs };
}

/**
 * What BuildKit's client refuses in the entries before it sends a build (exports first, then imports);
 * checked up front so that no cache directory is created for a build that cannot start.
 */
export function checkCacheEntries(cacheFrom: readonly CacheEntry[], cacheTo: readonly CacheEntry[]): void {
  for (const e of cacheTo) {
    if (e.type === 'local' && !e.attrs['dest']) throw new FlagError('local cache exporter requires dest');
  }
  for (const e of cacheFrom) {
    if (e.type === 'local' && !e.attrs['src']) throw new FlagError('local cache importer requires src');
    if (e.type === 'registry' && !e.attrs['ref']) throw new FlagError('registry cache importer requires ref');
  }
}

/** `--cache-to` needs the driver's cache export, except the inline cache that travels inside the image. */
export function needsCacheExport(cacheTo: readonly CacheEntry[]): boolean {
  return cacheTo.some((e) => e.type !== 'inline');
}

/**
 * All occurrences of one flag. A value with no `=` anywhere is a comma list of registry refs, one entry
 * each; empty occurrences are skipped.
 */
export function parseCacheEntries(values: readonly string[]): CacheEntry[] {
  const out: CacheEntry[] = [];
  for (const value of values) {
    if (value === '') continue;
    if (!value.includes('=')) {
      for (const field of splitCSV(value)) out.push(parseCacheEntry(field));
      continue;
    }
    out.push(parseCacheEntry(value));
  }
  return out;
}

/** A registry entry whose only attribute is `ref` prints as the bare ref, as buildx does. */
export function formatCacheEntry(e: CacheEntry): string {
  const keys = Object.keys(e.attrs);
  if (e.type === 'registry' && keys.length === 1 && keys[0] === 'ref') return e.attrs['ref'] ?? '';
  return formatPairs(e.type === '' ? [] : [['type', e.type]], e.attrs);
}

export interface AwsCredentials {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/**
 * The environment step of the AWS default credential chain (static keys only). Shared config files,
 * SSO and instance metadata are left to the caller, which may pass richer credentials instead.
 */
export function awsCredentialsFromEnv(env: Env): AwsCredentials | undefined {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'] || env['AWS_ACCESS_KEY'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'] || env['AWS_SECRET_KEY'];
  if (!accessKeyId || !secretAccessKey) return undefined;
  const creds: AwsCredentials = { accessKeyId, secretAccessKey };
  if (env['AWS_SESSION_TOKEN']) creds.sessionToken = env['AWS_SESSION_TOKEN'];
  return creds;
}

function has(record: Readonly<Record<string, string | undefined>>, key: string): boolean {
  return Object.hasOwn(record, key) && record[key] !== undefined;
}

function addGitHubAttrs(attrs: Record<string, string>, env: Env): void {
  let version = attrs['version'];
  if (!has(attrs, 'version') && has(env, 'ACTIONS_CACHE_SERVICE_V2') && parseGoBoolOptional(env['ACTIONS_CACHE_SERVICE_V2'] ?? '')) {
    version = '2';
  }
  const token = env['ACTIONS_RUNTIME_TOKEN'];
  if (!has(attrs, 'token') && token !== undefined) attrs['token'] = token;
  const results = env['ACTIONS_RESULTS_URL'];
  if (!has(attrs, 'url_v2') && version === '2' && results !== undefined) attrs['url_v2'] = results;
  const cacheUrl = env['ACTIONS_CACHE_URL'] ?? results;
  if (!has(attrs, 'url') && cacheUrl !== undefined) attrs['url'] = cacheUrl;
}

function addAwsAttrs(attrs: Record<string, string>, creds: AwsCredentials | undefined): void {
  const hasKey = has(attrs, 'access_key_id');
  const hasSecret = has(attrs, 'secret_access_key');
  // Both keys given: the user's session_token (or its absence) must stand too.
  if ((hasKey && hasSecret) || !creds) return;
  if (!hasKey && creds.accessKeyId) attrs['access_key_id'] = creds.accessKeyId;
  if (!hasSecret && creds.secretAccessKey) attrs['secret_access_key'] = creds.secretAccessKey;
  if (!has(attrs, 'session_token') && creds.sessionToken) attrs['session_token'] = creds.sessionToken;
}

/**
 * What buildx does to entries before sending them: gha gets token/url from the Actions runtime env,
 * s3 gets credentials, and gha entries still missing a token or any url are dropped without a word.
 */
export function enrichCacheEntries(entries: readonly CacheEntry[], env: Env, aws: AwsCredentials | undefined = awsCredentialsFromEnv(env)): CacheEntry[] {
  const out: CacheEntry[] = [];
  for (const e of entries) {
    const attrs: Record<string, string> = { ...e.attrs };
    if (e.type === 'gha') addGitHubAttrs(attrs, env);
    if (e.type === 's3') addAwsAttrs(attrs, aws);
    if (e.type === 'gha' && !(attrs['token'] && (attrs['url'] || attrs['url_v2']))) continue;
    out.push({ type: e.type, attrs });
  }
  return out;
}
