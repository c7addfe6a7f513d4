// The Dockerfile frontend's attributes for one solve (protocol.md §1.2): build options as the
// `dockerfile.v0` frontend reads them, plus the attributes that point it at the local inputs.
import type { CacheEntry } from '../flags/index.js';

export interface FrontendOptions {
  /** The stage to build (`--target`). */
  target?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  noCache?: boolean;
  /** Stages not to take from the cache. */
  noCacheFilter?: string[];
  /** Always look base images up in their registry. */
  pull?: boolean;
  /** Normalized `os/arch[/variant]` strings. */
  platforms?: string[];
  networkMode?: string;
  extraHosts?: string[];
  /** Bytes of /dev/shm for RUN steps. */
  shmSize?: number;
  ulimits?: string[];
  /** The parent cgroup of RUN steps. */
  cgroupParent?: string;
  cacheFrom?: CacheEntry[];
  /** Extra frontend attributes, passed through. */
  frontendAttrs?: Record<string, string>;
}

/** `isMoby`: the docker driver's engine resolves base images from its own image store first. */
export function frontendAttrs(opts: FrontendOptions, isMoby: boolean, local: Record<string, string>): Record<string, string> {
  const a: Record<string, string> = { ...local };
  if (opts.target) a.target = opts.target;
  for (const [k, v] of Object.entries(opts.buildArgs ?? {})) a[`build-arg:${k}`] = v;
  for (const [k, v] of Object.entries(opts.labels ?? {})) a[`label:${k}`] = v;
  if (opts.noCache) a['no-cache'] = '';
  else if (opts.noCacheFilter?.length) a['no-cache'] = opts.noCacheFilter.join(',');
  if (opts.pull) a['image-resolve-mode'] = 'pull';
  else if (isMoby) a['image-resolve-mode'] = 'local';
  if (opts.platforms?.length) a.platform = opts.platforms.join(',');
  if (opts.networkMode === 'host' || opts.networkMode === 'none') a['force-network-mode'] = opts.networkMode;
  if (opts.extraHosts?.length) a['add-hosts'] = opts.extraHosts.join(',');
  if (opts.shmSize) a['shm-size'] = String(opts.shmSize);
  if (opts.ulimits?.length) a.ulimit = opts.ulimits.join(',');
  if (opts.cgroupParent) a['cgroup-parent'] = opts.cgroupParent;
  if (opts.cacheFrom?.length) {
    a['cache-imports'] = JSON.stringify(opts.cacheFrom.map((c) => (Object.keys(c.attrs).length ? { Type: c.type, Attrs: c.attrs } : { Type: c.type })));
  }
  return { ...a, ...(opts.frontendAttrs ?? {}) };
}
