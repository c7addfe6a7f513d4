// The engine calls a docker-container node needs: containers, the state volume, the image and logs,
// each mapping the engine's tolerable answers (304 already done, 404 gone, 409 taken) to plain results.
import type { Readable } from 'node:stream';
import type { DockerEndpoint } from '../../docker/context.js';
import { credentialsFor } from '../../docker/credentials.js';
import { engineRequest, errorMessage, readAll } from '../../docker/engine.js';
import { EngineError, engineCall, engineCallJSON, StdDemuxer } from '../../docker/exec.js';
import type { ContainerCreateBody } from './spec.js';

export interface ContainerState {
  id: string;
  /** created | running | paused | restarting | removing | exited | dead */
  status: string;
  running: boolean;
  /** Named volumes mounted into it. */
  volumes: string[];
}

interface InspectJSON {
  Id?: string;
  State?: { Status?: string; Running?: boolean };
  Mounts?: { Type?: string; Name?: string }[];
}

interface InfoJSON {
  CgroupDriver?: string;
  SecurityOptions?: string[];
}

export interface PullMessage {
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Splits a reference into what `POST /images/create` wants: `fromImage` and `tag` (or digest). */
export function pullParams(ref: string): { fromImage: string; tag: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { fromImage: ref.slice(0, at), tag: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { fromImage: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { fromImage: ref, tag: 'latest' };
}

/** The registry a reference points at: a first component with a dot, a colon or `localhost`, else Docker Hub. */
export function registryHost(ref: string): string {
  const slash = ref.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = ref.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : 'docker.io';
}

/** X-Registry-Auth: base64url JSON of the credentials, `{}` when there are none. */
export async function registryAuthHeader(ref: string): Promise<string> {
  const host = registryHost(ref);
  const c = await credentialsFor(host);
  const server = host === 'docker.io' ? 'https://index.docker.io/v1/' : host;
  const auth = !c ? {} : c.username ? { username: c.username, password: c.secret, serveraddress: server } : { identitytoken: c.secret, serveraddress: server };
  return Buffer.from(JSON.stringify(auth)).toString('base64url');
}

export class ContainerEngine {
  constructor(readonly ep: DockerEndpoint, readonly apiVersion: string) {}

  private path(p: string): string {
    return `/v${this.apiVersion}${p}`;
  }

  private static ref(name: string): string {
    return encodeURIComponent(name);
  }

  /** undefined when there is no such container. */
  async inspect(name: string, signal?: AbortSignal): Promise<ContainerState | undefined> {
    try {
      const j = await engineCallJSON<InspectJSON>(this.ep, this.path(`/containers/${ContainerEngine.ref(name)}/json`), { signal });
      return {
        id: j.Id ?? '',
        status: j.State?.Status ?? '',
        running: j.State?.Running ?? false,
        volumes: (j.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name!),
      };
    } catch (err) {
      if (err instanceof EngineError && err.status === 404) return undefined;
      throw err;
    }
  }

  async info(signal?: AbortSignal): Promise<{ cgroupDriver?: string; userns: boolean }> {
    const j = await engineCallJSON<InfoJSON>(this.ep, this.path('/info'), { signal });
    // Security options read `name=userns` (older engines: a bare `userns`).
    const userns = (j.SecurityOptions ?? []).some((o) => o === 'userns' || o.split(',').includes('name=userns'));
    return { cgroupDriver: j.CgroupDriver, userns };
  }

  async imagePresent(ref: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await engineCall(this.ep, this.path(`/images/${ref}/json`), { signal });
      return true;
    } catch (err) {
      if (err instanceof EngineError && err.status === 404) return false;
      throw err;
    }
  }

  /** Pulls `ref`; the engine reports most failures inside a 200 progress stream, so that is read through. */
  async pull(ref: string, signal?: AbortSignal): Promise<void> {
    const { fromImage, tag } = pullParams(ref);
    const q = new URLSearchParams({ fromImage, tag });
    const res = await engineRequest(this.ep, this.path(`/images/create?${q}`), {
      method: 'POST', headers: { 'X-Registry-Auth': await registryAuthHeader(ref) }, signal,
    });
    if (res.status >= 400) throw new EngineError(res.status, errorMessage(res.status, await readAll(res.body)));
    let pending = '';
    let failure: string | undefined;
    const scan = (line: string): void => {
      if (!line.trim()) return;
      try {
        const m = JSON.parse(line) as PullMessage;
        failure ??= m.errorDetail?.message ?? m.error;
      } catch {
        // progress lines we cannot read do not matter
      }
    };
    for await (const chunk of res.body) {
      pending += (chunk as Buffer).toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      lines.forEach(scan);
    }
    scan(pending);
    if (failure) throw new EngineError(500, failure);
  }

  /** false when a container of that name exists already (someone else is creating the same builder). */
  async create(name: string, body: ContainerCreateBody, signal?: AbortSignal): Promise<boolean> {
    try {
      await engineCall(this.ep, this.path(`/containers/create?name=${ContainerEngine.ref(name)}`), {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal,
      });
      return true;
    } catch (err) {
      if (err instanceof EngineError && err.status === 409) return false;
      throw err;
    }
  }

  /**
   * Can containers request GPUs here? The engine has no API to ask, so a throw-away container asking
   * for them is created and started; it removes itself, and is removed by hand if starting failed.
   */
  async gpusAvailable(image: string, gpus: ContainerCreateBody['HostConfig']['DeviceRequests'], signal?: AbortSignal): Promise<boolean> {
    let id: string | undefined;
    try {
      const body = { Image: image, Entrypoint: ['/bin/true'], HostConfig: { NetworkMode: 'none', AutoRemove: true, DeviceRequests: gpus } };
      const r = await engineCallJSON<{ Id?: string }>(this.ep, this.path('/containers/create'), {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal,
      });
      id = r.Id;
      if (!id) return false;
      await this.start(id, signal);
      return true;
    } catch {
      if (id) await this.remove(id, true).catch(() => undefined);
      return false;
    }
  }

  /** Unpacks a tar stream at `dir` inside the container. */
  async putArchive(name: string, dir: string, tar: Readable, signal?: AbortSignal): Promise<void> {
    await engineCall(this.ep, this.path(`/containers/${ContainerEngine.ref(name)}/archive?path=${encodeURIComponent(dir)}`), {
      method: 'PUT', headers: { 'Content-Type': 'application/x-tar' }, body: tar, signal,
    });
  }

  /** Starting a running container is fine (304). */
  async start(name: string, signal?: AbortSignal): Promise<void> {
    await engineCall(this.ep, this.path(`/containers/${ContainerEngine.ref(name)}/start`), { method: 'POST', signal });
  }

  async stop(name: string, signal?: AbortSignal): Promise<void> {
    await engineCall(this.ep, this.path(`/containers/${ContainerEngine.ref(name)}/stop`), { method: 'POST', signal });
  }

  /** Removes the container and its anonymous volumes; one already gone is fine. */
  async remove(name: string, force: boolean, signal?: AbortSignal): Promise<void> {
    try {
      await engineCall(this.ep, this.path(`/containers/${ContainerEngine.ref(name)}?v=1&force=${force ? 1 : 0}`), { method: 'DELETE', signal });
    } catch (err) {
      if (!(err instanceof EngineError && err.status === 404)) throw err;
    }
  }

  async removeVolume(name: string, signal?: AbortSignal): Promise<void> {
    try {
      await engineCall(this.ep, this.path(`/volumes/${ContainerEngine.ref(name)}`), { method: 'DELETE', signal });
    } catch (err) {
      if (!(err instanceof EngineError && err.status === 404)) throw err;
    }
  }

  /** The container's last `tail` log lines, as the (stream, bytes) frames the engine sends them in. */
  async logs(name: string, tail: number, onFrame: (stream: number, data: Buffer) => void, signal?: AbortSignal): Promise<void> {
    const res = await engineRequest(this.ep, this.path(`/containers/${ContainerEngine.ref(name)}/logs?stdout=1&stderr=1&tail=${tail}`), { signal });
    if (res.status >= 400) throw new EngineError(res.status, errorMessage(res.status, await readAll(res.body)));
    // Containers without a TTY (ours) have their logs multiplexed like exec output.
    const demux = new StdDemuxer(onFrame);
    for await (const chunk of res.body) demux.write(chunk as Buffer);
  }
}
