// `POST /images/{name}/push` on the engine: how buildx pushes what the docker driver built, since the
// engines without the containerd store cannot push from their BuildKit. Credentials go in
// X-Registry-Auth; the engine's JSON progress stream is read to its end and its error reported.
import type { Readable } from 'node:stream';
import type { DockerEndpoint } from './context.js';
import { BuildxError } from '../util/errors.js';
import { signalOption, withEngine } from './engine.js';
import type { RegistryCredentials } from './credentials.js';

interface PushMessage {
  id?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  progressDetail?: { current?: number; total?: number };
}

/** The engine's AuthConfig for `server` (`{}` without credentials). */
export function engineAuthConfig(creds: RegistryCredentials | undefined, server: string): Record<string, string> {
  if (!creds) return {};
  return creds.username ? { username: creds.username, password: creds.secret, serveraddress: server } : { identitytoken: creds.secret, serveraddress: server };
}

function splitTag(name: string): { repo: string; tag?: string } {
  const at = name.indexOf('@');
  if (at >= 0) return { repo: name.slice(0, at), tag: name.slice(at + 1) };
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? { repo: name.slice(0, colon), tag: name.slice(colon + 1) } : { repo: name };
}

/** Pushes `name`; `onMessage` sees each progress record. Throws the engine's error text. */
export async function pushWithEngine(
  ep: DockerEndpoint, apiVersion: string | undefined, name: string, auth: Record<string, string>,
  opts: { signal?: AbortSignal; onMessage?: (m: PushMessage) => void } = {},
): Promise<void> {
  const { repo, tag } = splitTag(name);
  const stream = await withEngine(ep, apiVersion, (docker) =>
    docker.getImage(repo).push({ ...(tag ? { tag } : {}), ...signalOption(opts.signal) }, undefined, auth) as unknown as Promise<Readable>);
  let pending = '';
  let failure: string | undefined;
  for await (const chunk of stream) {
    pending += (chunk as Buffer).toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      const m = JSON.parse(line) as PushMessage;
      if (m.error || m.errorDetail?.message) failure ??= m.errorDetail?.message || m.error;
      opts.onMessage?.(m);
    }
  }
  if (failure) throw new BuildxError(failure);
}

/**
 * The manifest digest the registry holds for a pushed `name` (`GET /distribution/{name}/json`), or ''
 * when the engine recorded no repo digest for it: what buildx reports as the pushed image's digest.
 */
export async function remoteDigestWithEngine(ep: DockerEndpoint, apiVersion: string | undefined, name: string, auth: Record<string, string>): Promise<string> {
  return withEngine(ep, apiVersion, async (docker) => {
    const image = docker.getImage(name);
    const inspected = await image.inspect() as { RepoDigests?: string[] };
    if (!inspected.RepoDigests?.length) return '';
    const remote = await image.distribution({ authconfig: auth }) as { Descriptor?: { digest?: string } };
    return remote.Descriptor?.digest ?? '';
  });
}
