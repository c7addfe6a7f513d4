// --ssh specs are turned into agents before a build is sent; each refusal is buildx's sshprovider line.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseSSH } from '../../../src/flags/ssh.js';
import { sshAgents } from '../../../src/session/ssh-sources.js';

describe('sshAgents', () => {
  let dir = '';
  let server: net.Server | undefined;
  let socket = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssh-sources-'));
    socket = join(dir, 'agent.sock');
    server = net.createServer((c) => c.end());
    await new Promise<void>((resolve) => server!.listen(socket, resolve));
  });
  after(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const refused = (spec: string, env: NodeJS.ProcessEnv, message: string) =>
    assert.rejects(sshAgents([parseSSH(spec)], env), { message });

  it('a key path that does not exist (issue 20 row 3)', () => refused('id=/nonexistent', {},
    'failed to convert agent config {id [/nonexistent] false}: failed to convert agent config for ID: "id": stat /nonexistent: no such file or directory'));

  it('default without SSH_AUTH_SOCK', () => refused('default', {},
    'failed to convert agent config {default [] false}: invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set'));

  it('a file that is no key', async () => {
    const junk = join(dir, 'junk');
    await writeFile(junk, 'not a key\n');
    await refused(`k=${junk}`, {}, `failed to convert agent config {k [${junk}] false}: failed to convert agent config for ID: "k": failed to parse ${junk}: ssh: no key found`);
  });

  it('a socket mixed with more paths, and a duplicate id', async () => {
    await refused(`s=${socket},${socket}`, {}, `failed to convert agent config {s [${socket} ${socket}] false}: failed to convert agent config for ID: "s": only single socket allowed`);
    await assert.rejects(sshAgents([parseSSH(`a=${socket}`), parseSSH(`a=${socket}`)], {}), { message: 'duplicate agent ID "a"' });
  });

  it('accepts a socket, by path and through SSH_AUTH_SOCK', async () => {
    assert.deepEqual([...(await sshAgents([parseSSH(`a=${socket}`), parseSSH('default')], { SSH_AUTH_SOCK: socket })).keys()], ['a', 'default']);
  });
});
