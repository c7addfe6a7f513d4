// Where imagetools reads and writes: a registry reference (normalized, `:latest` added as buildx's
// ParseLocation does) or an OCI layout directory, `oci-layout://path[:tag][@digest]`.
import {
  formatReference, parseNormalizedNamed, parseReference, referenceName, tagNameOnly, validateDigest, type Reference,
} from '../flags/reference.js';

const OCI_PREFIX = 'oci-layout://';
// distribution/reference's TagRegexp and DigestRegexp are unanchored, and ocilayout.Parse matches them
// with MatchString: any word character makes a suffix a "tag", any digest-shaped run makes one a digest.
const TAG_ANYWHERE = /[\w][\w.-]{0,127}/;
const DIGEST_ANYWHERE = /[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}/;

export interface OCILayoutRef {
  path: string;
  tag: string;
  digest: string;
}

export type Location = RegistryLocation | OCILayoutLocation;

abstract class BaseLocation {
  abstract readonly kind: 'registry' | 'oci-layout';
  abstract toString(): string;
  /** Repository (`host/path`) or layout directory. */
  abstract name(): string;
  abstract tag(): string;
  abstract digest(): string;
  abstract withDigest(digest: string): Location;
  abstract withTag(tag: string): Location;
  abstract tagNameOnly(): Location;
  isRegistry(): this is RegistryLocation {
    return this.kind === 'registry';
  }
  isOCILayout(): this is OCILayoutLocation {
    return this.kind === 'oci-layout';
  }
  /** A `<target>@<digest>` target must receive exactly that digest. */
  validateTargetDigest(digest: string): void {
    const want = this.digest();
    if (want && want !== digest) throw new Error(`target ${this.toString()} requested digest ${want} but produced ${digest}`);
  }
}

export class RegistryLocation extends BaseLocation {
  readonly kind = 'registry' as const;
  constructor(readonly ref: Reference) {
    super();
  }
  /** The registry host as the distribution API sees it (docker.io → registry-1.docker.io is the resolver's job). */
  get domain(): string {
    return this.ref.domain;
  }
  /** The repository path below the host, e.g. `library/alpine`. */
  get repository(): string {
    return this.ref.path;
  }
  toString(): string {
    return formatReference(this.ref);
  }
  name(): string {
    return referenceName(this.ref);
  }
  tag(): string {
    return this.ref.tag ?? '';
  }
  digest(): string {
    return this.ref.digest ?? '';
  }
  withDigest(digest: string): RegistryLocation {
    validateDigest(digest);
    return new RegistryLocation({ ...this.ref, digest });
  }
  withTag(tag: string): RegistryLocation {
    const { domain, path } = this.ref;
    const checked = parseReference(`${referenceName({ domain, path })}:${tag}`);
    return new RegistryLocation({ domain, path, tag: checked.tag ?? tag });
  }
  tagNameOnly(): RegistryLocation {
    return new RegistryLocation(tagNameOnly({ domain: this.ref.domain, path: this.ref.path }));
  }
}

export class OCILayoutLocation extends BaseLocation {
  readonly kind = 'oci-layout' as const;
  constructor(readonly layout: OCILayoutRef) {
    super();
  }
  toString(): string {
    const { path, tag, digest } = this.layout;
    return `${OCI_PREFIX}${path}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  }
  name(): string {
    return this.layout.path;
  }
  tag(): string {
    return this.layout.tag;
  }
  digest(): string {
    return this.layout.digest;
  }
  withDigest(digest: string): OCILayoutLocation {
    return new OCILayoutLocation({ path: this.layout.path, tag: '', digest });
  }
  withTag(tag: string): OCILayoutLocation {
    return new OCILayoutLocation({ path: this.layout.path, tag, digest: '' });
  }
  tagNameOnly(): OCILayoutLocation {
    return new OCILayoutLocation({ path: this.layout.path, tag: this.layout.tag || 'latest', digest: '' });
  }
}

function isWindowsDrivePath(path: string, colon: number): boolean {
  return colon === 1 && path.length >= 3 && (path[2] === '/' || path[2] === '\\') && /[a-zA-Z]/.test(path[0]!);
}

function parseOCILayout(s: string): OCILayoutLocation {
  let path = s.slice(OCI_PREFIX.length);
  let tag = '';
  let digest = '';
  const at = path.lastIndexOf('@');
  if (at >= 0 && DIGEST_ANYWHERE.test(path.slice(at + 1))) {
    digest = path.slice(at + 1);
    validateDigest(digest);
    path = path.slice(0, at);
  }
  const colon = path.lastIndexOf(':');
  if (colon >= 0 && !isWindowsDrivePath(path, colon) && TAG_ANYWHERE.test(path.slice(colon + 1))) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
  }
  if (!tag && !digest) tag = 'latest';
  return new OCILayoutLocation({ path, tag, digest });
}

/** buildx's ParseLocation: throws distribution/reference's or go-digest's message on a bad input. */
export function parseLocation(s: string): Location {
  if (s.startsWith(OCI_PREFIX)) return parseOCILayout(s);
  return new RegistryLocation(tagNameOnly(parseNormalizedNamed(s)));
}
