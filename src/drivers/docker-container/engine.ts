// The engine calls a docker-container node needs: containers, the state volume, the image and logs,
// each mapping the engine's tolerable answers (304 already done, 404 gone, 409 taken) to plain results.
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { DockerEndpoint } from '../../docker/context.js';
import { credentialsFor } from '../../docker/credentials.js';
import { dial, EngineError, engineInfo, signalOption, withEngine } from '../../docker/engine.js';
import { StdDemuxer } from '../../docker/exec.js';
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

/** docker-modem's way to send a body and a query of our own, untouched by the call's other options. */
interface RawOptions {
  _query?: Record<string, string | number>;
  _body?: unknown;
  abortSignal?: AbortSignal;
}

export class ContainerEngine {
  constructor(readonly ep: DockerEndpoint, readonly apiVersion: string) {}

  private call<T>(fn: (docker: Dockerode) => Promise<T>): Promise<T> {
    return withEngine(this.ep, this.apiVersion, fn);
  }

  /**
   * For calls whose answer is not read: like the Go client, statuses below 400 (304 "already done") are
   * no failure, nor is `fine` (404 for what is gone already).
   */
  private async done(fn: (docker: Dockerode) => Promise<unknown>, fine?: number): Promise<void> {
    try {
      await this.call(fn);
    } catch (err) {
      if (!(err instanceof EngineError && (err.status < 400 || err.status === fine))) throw err;
    }
  }

  private static container(d: Dockerode, name: string): Dockerode.Container {
    return d.getContainer(encodeURIComponent(name));
  }

  /** undefined when there is no such container. */
  async inspect(name: string, signal?: AbortSignal): Promise<ContainerState | undefined> {
    try {
      const j = await this.call((d) => ContainerEngine.container(d, name).inspect(signalOption(signal))) as InspectJSON;
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
    const j = await engineInfo<InfoJSON>(this.ep, this.apiVersion, signal);
    // Security options read `name=userns` (older engines: a bare `userns`).
    const userns = (j.SecurityOptions ?? []).some((o) => o === 'userns' || o.split(',').includes('name=userns'));
    return { cgroupDriver: j.CgroupDriver, userns };
  }

  async imagePresent(ref: string, signal?: AbortSignal): Promise<boolean> {
    try {
      // Through the transport: dockerode's image inspect drops the abort signal.
      await this.done((d) => dial(d, { path: `/images/${ref}/json`, method: 'GET', abortSignal: signal, statusCodes: { 200: true } }));
      return true;
    } catch (err) {
      if (err instanceof EngineError && err.status === 404) return false;
      throw err;
    }
  }

  /** Pulls `ref`; the engine reports most failures inside a 200 progress stream, so that is read through. */
  async pull(ref: string, signal?: AbortSignal): Promise<void> {
    const auth = { key: await registryAuthHeader(ref) };
    // `_query` and an empty `_body`: docker-modem would send the parameters as a JSON body as well.
    const opts: RawOptions = { _query: pullParams(ref), _body: {}, ...signalOption(signal) };
    const body = await this.call((d) => d.createImage(auth, opts));
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
    for await (const chunk of body) {
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
    // The body and the name go as given: without `_body`/`_query` docker-modem would send the whole
    // options object as both body and query string.
    const opts: RawOptions = { _query: { name }, _body: body, ...signalOption(signal) };
    try {
      await this.call((d) => d.createContainer(opts as Dockerode.ContainerCreateOptions));
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
      // Through the transport: dockerode's create always adds a query, and this container has no name.
      const r = await this.call((d) => dial(d, {
        path: '/containers/create', method: 'POST', options: { _body: body }, abortSignal: signal, statusCodes: { 200: true, 201: true },
      })) as { Id?: string };
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
    // Through the transport: dockerode's putArchive labels the upload application/tar.
    await this.done((d) => dial(d, {
      path: `/containers/${encodeURIComponent(name)}/archive?`, method: 'PUT', options: { path: dir }, file: tar,
      headers: { 'Content-Type': 'application/x-tar' }, abortSignal: signal, statusCodes: { 200: true },
    }));
  }

  /** Starting a running container is fine (304). */
  async start(name: string, signal?: AbortSignal): Promise<void> {
    await this.done((d) => ContainerEngine.container(d, name).start(signalOption(signal)));
  }

  async stop(name: string, signal?: AbortSignal): Promise<void> {
    await this.done((d) => ContainerEngine.container(d, name).stop(signalOption(signal)));
  }

  /** Removes the container and its anonymous volumes; one already gone is fine. */
  async remove(name: string, force: boolean, signal?: AbortSignal): Promise<void> {
    await this.done((d) => ContainerEngine.container(d, name).remove({ v: 1, force: force ? 1 : 0, ...signalOption(signal) }), 404);
  }

  async removeVolume(name: string, signal?: AbortSignal): Promise<void> {
    await this.done((d) => d.getVolume(encodeURIComponent(name)).remove(signalOption(signal)), 404);
  }

  /** The container's last `tail` log lines, as the (stream, bytes) frames the engine sends them in. */
  async logs(name: string, tail: number, onFrame: (stream: number, data: Buffer) => void, signal?: AbortSignal): Promise<void> {
    // `_query` keeps the engine's 1/0 switches (the typed options want booleans, sent as `true`).
    const opts: RawOptions = { _query: { stdout: 1, stderr: 1, tail }, ...signalOption(signal) };
    const out: unknown = await this.call((d) => ContainerEngine.container(d, name).logs(opts as Dockerode.ContainerLogsOptions & { follow?: false }));
    // Containers without a TTY (ours) have their logs multiplexed like exec output; a short tail comes
    // whole. docker-modem hands over anything else that parsed as JSON, which holds no frames.
    if (Buffer.isBuffer(out)) new StdDemuxer(onFrame).write(out);
  }
}
