// How tsbuildx was invoked: as a docker CLI plugin or standalone. Set once by main().
export interface Invocation {
  plugin: boolean;
  /** `docker buildx` (plugin) or `buildx`/basename of argv[1] (standalone). */
  rootPath: string;
  /** `docker` (plugin) or the root name, used as the prefix of arg-count errors. */
  rootName: string;
}

let current: Invocation = { plugin: false, rootPath: 'buildx', rootName: 'buildx' };

export function setInvocation(inv: Invocation): void {
  current = inv;
}

export function invocation(): Invocation {
  return current;
}
