// The name `history ls`/`inspect` show for a build record, derived as Go buildx derives it (so both tools
// name the same record alike): an explicit BUILDKIT_BUILD_NAME, else the context directory and Dockerfile
// (from local state when this machine made the build), a remote context, the target, or the git source.
import { posix } from 'node:path';
import { isRemoteContext } from '../solver/inputs.js';
import type { LocalBuildState } from './local-state.js';

const GIT_URL = /^(git@|git:\/\/|ssh:\/\/|github\.com\/)|^[a-z]+:\/\/.*\.git([?#]|$)/;

/** A git URL's `?ref=…&subdir=…` query in the `#ref:subdir` fragment form. */
export function gitFragmentForm(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1).split('#')[0]);
  const ref = params.get('ref') ?? params.get('tag') ?? params.get('branch') ?? '';
  const subdir = params.get('subdir') ?? '';
  const base = url.slice(0, q);
  if (!ref && !subdir) return base;
  return `${base}#${ref}${subdir ? `:${subdir}` : ''}`;
}

const toSlash = (p: string) => p.replace(/\\/g, '/');

export function buildName(attrs: Record<string, string>, state: LocalBuildState | undefined): string {
  const explicit = attrs['build-arg:BUILDKIT_BUILD_NAME'];
  if (explicit) return explicit;

  const target = attrs.target ?? '';
  let contextPath = '';
  if (attrs.context !== undefined) contextPath = toSlash(attrs.context);
  else if (attrs['vcs:localdir:context'] !== undefined && attrs['vcs:localdir:context'] !== '.') contextPath = toSlash(attrs['vcs:localdir:context']);
  let vcsSource = '';
  if (attrs['vcs:source'] !== undefined) vcsSource = attrs['vcs:source'];
  else if (attrs['input:context'] !== undefined && GIT_URL.test(attrs['input:context'])) vcsSource = attrs['input:context'];
  let dockerfilePath = attrs.filename !== undefined && attrs.filename !== 'Dockerfile' ? toSlash(attrs.filename) : '';
  const dfDir = attrs['vcs:localdir:dockerfile'];
  if (dfDir !== undefined && dfDir !== '.') dockerfilePath = posix.join(toSlash(dfDir), dockerfilePath);

  let localPath = '';
  if (state && !isRemoteContext(state.LocalPath)) {
    if (state.LocalPath !== '' && state.LocalPath !== '-') localPath = toSlash(state.LocalPath);
    if (state.DockerfilePath !== '' && state.DockerfilePath !== '-' && state.DockerfilePath !== 'Dockerfile') dockerfilePath = toSlash(state.DockerfilePath);
  }

  const defaultName = '/Dockerfile';
  const hasDefaultName = dockerfilePath.endsWith(defaultName) || dockerfilePath === '';
  if (dockerfilePath.endsWith(defaultName)) dockerfilePath = dockerfilePath.slice(0, -defaultName.length);

  let res = '';
  if (dockerfilePath.startsWith(localPath) && dockerfilePath.length > localPath.length) {
    res = dockerfilePath.slice(localPath.lastIndexOf('/') + 1);
  } else {
    const bpath = dockerfilePath.length > 0 ? dockerfilePath : localPath;
    if (bpath.length > 0) {
      const l = bpath.lastIndexOf('/');
      res = bpath.slice(l + 1);
      if (!hasDefaultName) {
        const parent = l !== -1 ? posix.basename(bpath.slice(0, l) || '/') : posix.basename(bpath);
        res = posix.join(parent, res);
      }
    }
  }
  if (contextPath.length > 0) res = contextPath;
  if (target.length > 0) res = res.length > 0 ? `${res} (${target})` : target;
  if (res === '' && vcsSource !== '') return gitFragmentForm(vcsSource);
  return res;
}
