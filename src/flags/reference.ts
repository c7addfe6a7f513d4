// Docker image references (`-t`, named build contexts), following the distribution/reference grammar
// (v0.6.0, as vendored by buildx): [domain[:port]/]path[:tag][@digest].
import { FlagError } from './flag-error.js';
import { goQuote } from '../util/go-strconv.js';

export interface Reference {
  /** Registry host (with port), or '' when the reference names none. */
  domain: string;
  /** Repository path below the domain, e.g. `library/alpine`. */
  path: string;
  tag?: string;
  digest?: string;
}

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const DOMAIN_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';

const REFERENCE_RE = new RegExp(`^((?:${DOMAIN}/)?${REMOTE_NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const NAME_RE = new RegExp(`^(?:(${DOMAIN})/)?(${REMOTE_NAME})$`);
const HEX64_RE = /^[a-f0-9]{64}$/;
const DIGEST_SHAPE_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

const NAME_MAX = 255;
const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';

/** go-digest's checks on the `@…` part (digest.Parse); the reference grammar alone accepts more. */
export function validateDigest(d: string): void {
  const colon = d.indexOf(':');
  if (colon <= 0 || colon + 1 === d.length) throw new FlagError('invalid checksum digest format');
  const algorithm = d.slice(0, colon);
  const encoded = d.slice(colon + 1);
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) {
    throw new FlagError(DIGEST_SHAPE_RE.test(d) ? 'unsupported digest algorithm' : 'invalid checksum digest format');
  }
  if (encoded.length !== length) throw new FlagError('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(encoded)) throw new FlagError('invalid checksum digest format');
}

/**
 * Parses a reference exactly as written (no docker.io defaulting); throws distribution/reference's
 * message (`invalid reference format`, `repository name must be lowercase`, …).
 */
export function parseReference(s: string): Reference {
  const m = REFERENCE_RE.exec(s);
  if (!m) {
    if (s === '') throw new FlagError('repository name must have at least one component');
    if (REFERENCE_RE.test(s.toLowerCase())) throw new FlagError('repository name must be lowercase');
    throw new FlagError('invalid reference format');
  }
  const [, name = '', tag, digest] = m;
  const nm = NAME_RE.exec(name);
  const ref: Reference = { domain: nm?.[1] ?? '', path: nm?.[2] ?? name };
  if (ref.path.length > NAME_MAX) throw new FlagError(`repository name must not be more than ${NAME_MAX} characters`);
  if (tag) ref.tag = tag;
  if (digest) {
    validateDigest(digest);
    ref.digest = digest;
  }
  return ref;
}

export function referenceName(r: Reference): string {
  return r.domain === '' ? r.path : `${r.domain}/${r.path}`;
}

/** `name[:tag][@digest]`; the inverse of {@link parseReference}. */
export function formatReference(r: Reference): string {
  let s = referenceName(r);
  if (r.tag) s += `:${r.tag}`;
  if (r.digest) s += `@${r.digest}`;
  return s;
}

function splitDockerDomain(name: string): [domain: string, remainder: string] {
  const slash = name.indexOf('/');
  if (slash < 0) return [DEFAULT_DOMAIN, OFFICIAL_PREFIX + name];
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  // index.docker.io contains a dot, so it must be caught before the dotted-host rule.
  if (first === LEGACY_DEFAULT_DOMAIN) {
    [domain, remainder] = [DEFAULT_DOMAIN, rest];
  } else if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
    [domain, remainder] = [first, rest];
  } else {
    [domain, remainder] = [DEFAULT_DOMAIN, name];
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  return [domain, remainder];
}

/**
 * Parses a reference the way `docker` reads image names: `alpine` → `docker.io/library/alpine`.
 * Errors follow ParseNormalizedNamed.
 */
export function parseNormalizedNamed(s: string): Reference {
  if (HEX64_RE.test(s)) {
    throw new FlagError(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(s);
  const colon = remainder.indexOf(':');
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw new FlagError(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  return parseReference(`${domain}/${remainder}`);
}

/** Drops `docker.io/` and a single-level `library/`, as `docker images` prints names. */
export function familiarize(r: Reference): Reference {
  if (r.domain !== DEFAULT_DOMAIN) return { ...r };
  let path = r.path;
  if (path.startsWith(OFFICIAL_PREFIX) && !path.slice(OFFICIAL_PREFIX.length).includes('/')) {
    path = path.slice(OFFICIAL_PREFIX.length);
  }
  return { ...r, domain: '', path };
}

export function familiarString(r: Reference): string {
  return formatReference(familiarize(r));
}

/** Adds `:latest` when the reference has neither tag nor digest. */
export function tagNameOnly(r: Reference): Reference {
  return r.tag === undefined && r.digest === undefined ? { ...r, tag: 'latest' } : { ...r };
}

export interface NormalizedName {
  /** Fully qualified, e.g. `docker.io/library/alpine:3`. */
  full: string;
  /** As docker prints it, e.g. `alpine:3`. */
  familiar: string;
}

/** Both spellings of an image name; no tag is added. */
export function normalizeName(s: string): NormalizedName {
  const r = parseNormalizedNamed(s);
  return { full: formatReference(r), familiar: familiarString(r) };
}

/**
 * `-t` values as buildx passes them to the exporter's `name`: parsed but not normalized
 * (`-t alpine` stays `alpine`). Throws `invalid tag "<t>": <reason>`.
 */
export function parseTags(tags: readonly string[]): string[] {
  return tags.map(parseTag);
}

/** One `-t` value; see {@link parseTags}. */
export function parseTag(tag: string): string {
  try {
    return formatReference(parseReference(tag));
  } catch (err) {
    throw new FlagError(`invalid tag ${goQuote(tag)}: ${(err as Error).message}`);
  }
}
