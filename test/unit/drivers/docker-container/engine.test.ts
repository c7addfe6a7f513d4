// The engine calls of the docker-container driver against a fake engine on a unix socket: which answers
// are tolerated (304, 404, 409), pull failures reported inside a 200 stream, and multiplexed logs.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { EngineError } from '../../../../src/docker/engine.js';
import { ContainerEngine, pullParams, registryAuthHeader, registryHost } from '../../../../src/drivers/docker-container/engine.js';

describe('image references', () => {
  it('splits into fromImage and tag', () => {
    assert.deepEqual(pullParams('moby/buildkit:buildx-stable-1'), { fromImage: 'moby/buildkit', tag: 'buildx-stable-1' });
    assert.deepEqual(pullParams('moby/buildkit'), { fromImage: 'moby/buildkit', tag: 'latest' });
    assert.deepEqual(pullParams('127.0.0.1:5000/buildkit'), { fromImage: '127.0.0.1:5000/buildkit', tag: 'latest' });
    assert.deepEqual(pullParams('127.0.0.1:5000/buildkit:v1'), { fromImage: '127.0.0.1:5000/buildkit', tag: 'v1' });
    assert.deepEqual(pullParams('moby/buildkit@sha256:abc'), { fromImage: 'moby/buildkit', tag: 'sha256:abc' });
  });

  it('names their registry', () => {
    assert.equal(registryHost('moby/buildkit:x'), 'docker.io');
    assert.equal(registryHost('busybox'), 'docker.io');
    assert.equal(registryHost('127.0.0.1:5000/b'), '127.0.0.1:5000');
    assert.equal(registryHost('localhost/b'), 'localhost');
    assert.equal(registryHost('ghcr.io/o/b'), 'ghcr.io');
  });

  it('sends empty credentials as {}', async () => {
    const prev = process.env.DOCKER_CONFIG;
    const dir = await mkdtemp(join(tmpdir(), 'tsbuildx-auth-'));
    process.env.DOCKER_CONFIG = dir;
    try {
      assert.equal(Buffer.from(await registryAuthHeader('127.0.0.1:5000/x'), 'base64url').toString(), '{}');
    } finally {
      if (prev === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = prev;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }

describe('ContainerEngine against a fake engine', () => {
  let dir = '';
  let server: http.Server;
  let engine: ContainerEngine;
  const seen: Seen[] = [];
  let routes: Record<string, (req: Seen, res: http.ServerResponse) => void> = {};

  const json = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  const frame = (stream: number, text: string) => {
    const h = Buffer.alloc(8);
    h[0] = stream;
    h.writeUInt32BE(Buffer.byteLength(text), 4);
    return Buffer.concat([h, Buffer.from(text)]);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuildx-engine-'));
    const sock = join(dir, 'engine.sock');
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
        seen.push(s);
        const key = `${s.method} ${s.url.replace(/^\/v1\.41/, '').replace(/\?.*$/, '')}`;
        const route = routes[key];
        if (route) route(s, res);
        else json(res, 404, { message: `no route ${key}` });
      });
    });
    await new Promise<void>((r) => server.listen(sock, () => r()));
    engine = new ContainerEngine({ contextName: 'test', host: `unix://${sock}` }, '1.41');
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });

  it('inspects: state, named volumes, and undefined for a missing container', async () => {
    routes = {
      'GET /containers/buildx_buildkit_a0/json': (_s, res) => json(res, 200, {
        Id: 'abc', State: { Status: 'running', Running: true },
        Mounts: [{ Type: 'volume', Name: 'buildx_buildkit_a0_state' }, { Type: 'bind', Source: '/x' }],
      }),
    };
    assert.deepEqual(await engine.inspect('buildx_buildkit_a0'), { id: 'abc', status: 'running', running: true, volumes: ['buildx_buildkit_a0_state'] });
    assert.equal(await engine.inspect('buildx_buildkit_none0'), undefined);
  });

  it('creates with the name in the query and reports a name conflict as false', async () => {
    let conflict = false;
    routes = {
      'POST /containers/create': (s, res) => conflict ? json(res, 409, { message: 'Conflict. The container name is already in use' }) : json(res, 201, { Id: 'new' }),
    };
    const body = { Image: 'img', HostConfig: { Privileged: true as const, Init: true as const, RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 }, Mounts: [] } };
    assert.equal(await engine.create('buildx_buildkit_a0', body), true);
    const req = seen.at(-1)!;
    assert.equal(req.url, '/v1.41/containers/create?name=buildx_buildkit_a0');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(req.body.toString()), body);
    conflict = true;
    assert.equal(await engine.create('buildx_buildkit_a0', body), false);
  });

  it('treats starting a started container, and removing a removed one, as done', async () => {
    routes = {
      'POST /containers/c/start': (_s, res) => res.writeHead(304).end(),
      'DELETE /containers/c': (_s, res) => json(res, 404, { message: 'No such container: c' }),
      'DELETE /volumes/v': (_s, res) => json(res, 404, { message: 'get v: no such volume' }),
      'POST /containers/bad/start': (_s, res) => json(res, 500, { message: 'OCI runtime create failed' }),
    };
    await engine.start('c');
    await engine.remove('c', true);
    assert.equal(seen.at(-1)!.url, '/v1.41/containers/c?v=1&force=1');
    await engine.removeVolume('v');
    await assert.rejects(engine.start('bad'), (e: unknown) => e instanceof EngineError && e.status === 500 && e.message === 'Error response from daemon: OCI runtime create failed');
  });

  it('pulls with registry auth and finds a failure reported inside the progress stream', async () => {
    let fail = false;
    routes = {
      'POST /images/create': (_s, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"status":"Pulling from moby/buildkit","id":"x"}\n{"status":"Downloa');
        res.end(fail ? 'ding"}\n{"errorDetail":{"message":"unauthorized: denied"},"error":"unauthorized: denied"}\n' : 'ding"}\n');
      },
      'GET /images/moby/buildkit:v1/json': (_s, res) => json(res, 200, { Id: 'sha256:x' }),
    };
    await engine.pull('moby/buildkit:v1');
    const req = seen.at(-1)!;
    assert.equal(req.url, '/v1.41/images/create?fromImage=moby%2Fbuildkit&tag=v1');
    assert.ok(typeof req.headers['x-registry-auth'] === 'string');
    fail = true;
    await assert.rejects(engine.pull('moby/buildkit:v1'), { message: 'Error response from daemon: unauthorized: denied' });
    assert.equal(await engine.imagePresent('moby/buildkit:v1'), true);
    assert.equal(await engine.imagePresent('moby/buildkit:v2'), false);
  });

  it('uploads a tar to the archive endpoint', async () => {
    routes = { 'PUT /containers/c/archive': (_s, res) => res.writeHead(200).end() };
    await engine.putArchive('c', '/etc', Readable.from([Buffer.from('tar'), Buffer.from('bytes')]));
    const req = seen.at(-1)!;
    assert.equal(req.url, '/v1.41/containers/c/archive?path=%2Fetc');
    assert.equal(req.headers['content-type'], 'application/x-tar');
    assert.equal(req.body.toString(), 'tarbytes');
  });

  it('reads multiplexed logs', async () => {
    routes = {
      'GET /containers/c/logs': (_s, res) => {
        res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' });
        const all = Buffer.concat([frame(1, 'out line\n'), frame(2, 'err line\n')]);
        res.write(all.subarray(0, 5));
        res.end(all.subarray(5));
      },
    };
    const got: string[] = [];
    await engine.logs('c', 50, (stream, data) => got.push(`${stream}:${data.toString()}`));
    assert.equal(seen.at(-1)!.url, '/v1.41/containers/c/logs?stdout=1&stderr=1&tail=50');
    assert.deepEqual(got, ['1:out line\n', '2:err line\n']);
  });

  it('reads cgroup driver and userns from info', async () => {
    routes = { 'GET /info': (_s, res) => json(res, 200, { CgroupDriver: 'cgroupfs', SecurityOptions: ['name=seccomp,profile=default', 'name=userns'] }) };
    assert.deepEqual(await engine.info(), { cgroupDriver: 'cgroupfs', userns: true });
    routes = { 'GET /info': (_s, res) => json(res, 200, { CgroupDriver: 'systemd', SecurityOptions: ['name=seccomp,profile=default'] }) };
    assert.deepEqual(await engine.info(), { cgroupDriver: 'systemd', userns: false });
  });

  it('probes GPUs with a throw-away container and removes it when it cannot start', async () => {
    routes = {
      'POST /containers/create': (_s, res) => json(res, 201, { Id: 'probe1' }),
      'POST /containers/probe1/start': (_s, res) => json(res, 500, { message: 'could not select device driver "" with capabilities: [[gpu]]' }),
      'DELETE /containers/probe1': (_s, res) => res.writeHead(204).end(),
    };
    const gpus = [{ Driver: '', Count: -1, DeviceIDs: null, Capabilities: [['gpu']], Options: {} }];
    assert.equal(await engine.gpusAvailable('img', gpus), false);
    const create = seen.find((s) => s.url.endsWith('/containers/create') && JSON.parse(s.body.toString()).Entrypoint);
    assert.deepEqual(JSON.parse(create!.body.toString()).HostConfig, { NetworkMode: 'none', AutoRemove: true, DeviceRequests: gpus });
    assert.equal(seen.at(-1)!.method, 'DELETE');
    routes['POST /containers/probe1/start'] = (_s, res) => res.writeHead(204).end();
    assert.equal(await engine.gpusAvailable('img', gpus), true);
  });
});
