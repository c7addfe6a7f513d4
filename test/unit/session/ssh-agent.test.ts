// The in-process ssh agent against OpenSSH's own tools: keys that ssh-keygen writes (OpenSSH and PEM
// formats, ed25519/RSA/ECDSA) are parsed, served over a unix socket, listed by `ssh-add -L` and used by
// `ssh-keygen -Y sign`, whose signature `ssh-keygen -Y check-novalidate` verifies. Plus the framing and
// the refusals a forwarded agent gives.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { keyringAgent, socketAgent, type AgentSource } from '../../../src/session/ssh-agent.js';
import { KeyParseError, parsePrivateKey } from '../../../src/session/ssh-keys.js';
import { AgentFramer, AgentMsg, SSHReader, agentFrame, mpint, sshString, u32 } from '../../../src/session/ssh-wire.js';

const dir = mkdtempSync(join(tmpdir(), 'tsbuildx-ssh-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function keygen(args: string[]): string {
  const f = join(dir, `key${n++}`);
  execFileSync('ssh-keygen', ['-q', '-N', '', '-C', 'unit', ...args, '-f', f]);
  return f;
}

/** Serves `agent` on a unix socket the OpenSSH tools can use. */
async function serve(agent: AgentSource): Promise<{ path: string; close: () => Promise<void> }> {
  const path = join(dir, `agent${n++}.sock`);
  const server = net.createServer(async (c) => {
    const conv = await agent.open();
    const framer = new AgentFramer();
    c.on('data', async (chunk: Buffer) => {
      for (const m of framer.push(chunk)) c.write(await conv.request(m));
    });
    c.on('close', () => conv.close());
  });
  await new Promise<void>((r) => server.listen(path, r));
  return { path, close: () => new Promise((r) => server.close(() => r())) };
}

async function runTool(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string) {
  // Async, so the agent served by this process can answer while the tool runs.
  const { spawn } = await import('node:child_process');
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const c = spawn(cmd, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => resolve({ code, stdout, stderr }));
    c.stdin.end(input ?? '');
  });
}

const CASES: [string, string[]][] = [
  ['ed25519 (OpenSSH)', ['-t', 'ed25519']],
  ['rsa 2048 (OpenSSH)', ['-t', 'rsa', '-b', '2048']],
  ['rsa 2048 (PEM PKCS#1)', ['-t', 'rsa', '-b', '2048', '-m', 'PEM']],
  ['ecdsa p256 (OpenSSH)', ['-t', 'ecdsa', '-b', '256']],
  ['ecdsa p384 (PEM SEC1)', ['-t', 'ecdsa', '-b', '384', '-m', 'PEM']],
  ['ecdsa p521 (OpenSSH)', ['-t', 'ecdsa', '-b', '521']],
  ['ecdsa p256 (PKCS#8)', ['-t', 'ecdsa', '-b', '256', '-m', 'PKCS8']],
];

for (const [name, args] of CASES) {
  test(`${name}: listed by ssh-add -L and signs what ssh-keygen -Y verifies`, async () => {
    const f = keygen(args);
    const key = parsePrivateKey(readFileSync(f));
    const pub = readFileSync(`${f}.pub`, 'utf8').trim().split(' ');
    assert.equal(key.blob.toString('base64'), pub[1]);
    const agent = await serve(keyringAgent([key]));
    try {
      const env = { SSH_AUTH_SOCK: agent.path };
      const listed = await runTool('ssh-add', ['-L'], env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.equal(listed.stdout.trim().split(' ').slice(0, 2).join(' '), `${pub[0]} ${pub[1]}`);
      const data = join(dir, `data${n++}`);
      writeFileSync(data, 'signed by the in-process agent\n');
      // Given only the public key, ssh-keygen asks the agent to sign (rsa-sha2-512 for RSA keys).
      const signed = await runTool('ssh-keygen', ['-Y', 'sign', '-n', 'file', '-f', `${f}.pub`, data], env);
      assert.equal(signed.code, 0, signed.stderr);
      const check = await runTool('ssh-keygen', ['-Y', 'check-novalidate', '-n', 'file', '-f', `${f}.pub`, '-s', `${data}.sig`], {},
        readFileSync(data, 'utf8'));
      assert.equal(check.code, 0, check.stdout + check.stderr);
      assert.match(check.stdout, /Good "file" signature/);
    } finally {
      await agent.close();
    }
  });
}

test('an ed25519 PKCS#8 PEM key parses to the same blob as its public half', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const key = parsePrivateKey(Buffer.from(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string));
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  assert.deepEqual(key.blob, Buffer.concat([sshString('ssh-ed25519'), sshString(raw)]));
});

test('RSA signing honours the SHA-2 flags and refuses unknown ones', () => {
  const key = parsePrivateKey(readFileSync(keygen(['-t', 'rsa', '-b', '2048'])));
  const alg = (flags: number) => new SSHReader(key.sign(Buffer.from('x'), flags)).text();
  assert.equal(alg(0), 'ssh-rsa');
  assert.equal(alg(2), 'rsa-sha2-256');
  assert.equal(alg(4), 'rsa-sha2-512');
  assert.throws(() => key.sign(Buffer.from('x'), 6));
});

test('key files that do not parse name the reason as Go does', () => {
  const expect = (data: string | Buffer, msg: string) =>
    assert.throws(() => parsePrivateKey(Buffer.from(data)), (e: unknown) => e instanceof KeyParseError && e.message === msg);
  expect('not a key\n', 'ssh: no key found');
  const enc = join(dir, `enc${n++}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret-pass', '-f', enc]);
  expect(readFileSync(enc), 'ssh: this private key is passphrase protected');
  const encPem = join(dir, `encpem${n++}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', 'secret-pass', '-f', encPem]);
  expect(readFileSync(encPem), 'ssh: this private key is passphrase protected');
  expect('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'ssh: unsupported key type "CERTIFICATE"');
  assert.throws(() => parsePrivateKey(Buffer.from('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n')), KeyParseError);
});

test('the framer splits and joins agent messages across chunks', () => {
  const a = agentFrame(11);
  const b = agentFrame(13, sshString('blob'), sshString('data'), u32(0));
  const both = Buffer.concat([a, b]);
  const f = new AgentFramer();
  const out = [...f.push(both.subarray(0, 3)), ...f.push(both.subarray(3, 9)), ...f.push(both.subarray(9))];
  assert.deepEqual(out, [a.subarray(4), b.subarray(4)]);
  assert.equal(f.partial, false);
  assert.throws(() => new AgentFramer().push(u32(1 << 30)));
});

test('mpint drops leading zeros and keeps the sign bit clear', () => {
  assert.deepEqual(mpint(Buffer.from([0, 0, 0x7f])), Buffer.from([0, 0, 0, 1, 0x7f]));
  assert.deepEqual(mpint(Buffer.from([0x80])), Buffer.from([0, 0, 0, 2, 0, 0x80]));
  assert.deepEqual(mpint(Buffer.alloc(2)), Buffer.from([0, 0, 0, 0]));
});

test('the forwarded agent refuses changes: add/remove/lock fail, extensions get EXTENSION_FAILURE', async () => {
  const conv = await keyringAgent([]).open();
  for (const type of [17, 18, 19, 22, 23, 25]) assert.deepEqual(await conv.request(Buffer.from([type])), agentFrame(AgentMsg.FAILURE));
  assert.deepEqual(await conv.request(Buffer.concat([Buffer.from([AgentMsg.EXTENSION]), sshString('x@y')])), agentFrame(AgentMsg.EXTENSION_FAILURE));
  assert.deepEqual(await conv.request(Buffer.concat([Buffer.from([13]), sshString('nokey'), sshString('d'), u32(0)])), agentFrame(AgentMsg.FAILURE));
});

test('a socket agent relays identities from a real ssh-agent and refuses removal without asking it', async () => {
  const sock = join(dir, `real${n++}.sock`);
  const agentProc = spawnSync('ssh-agent', ['-a', sock, '-s'], { encoding: 'utf8' });
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(agentProc.stdout)?.[1]);
  assert.ok(pid > 0, agentProc.stdout + agentProc.stderr);
  try {
    const f = keygen(['-t', 'ed25519']);
    execFileSync('ssh-add', ['-q', f], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
    const conv = await socketAgent(sock).open();
    try {
      const reply = new SSHReader(await conv.request(Buffer.from([AgentMsg.REQUEST_IDENTITIES])));
      reply.uint32();
      assert.equal(reply.byte(), AgentMsg.IDENTITIES_ANSWER);
      assert.equal(reply.uint32(), 1);
      assert.equal(reply.string().toString('base64'), readFileSync(`${f}.pub`, 'utf8').split(' ')[1]);
      assert.deepEqual(await conv.request(Buffer.from([19])), agentFrame(AgentMsg.FAILURE));
      const still = execFileSync('ssh-add', ['-L'], { env: { ...process.env, SSH_AUTH_SOCK: sock }, encoding: 'utf8' });
      assert.match(still, /ssh-ed25519 /);
    } finally {
      conv.close();
    }
    await assert.rejects(socketAgent(join(dir, 'missing.sock')).open(), /failed to connect to .*missing\.sock: dial unix .*: connect: no such file or directory/);
  } finally {
    process.kill(pid);
  }
});
