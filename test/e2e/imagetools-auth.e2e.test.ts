// imagetools against registries that want credentials: an htpasswd registry with config.json `auths`, and a
// bearer-token registry (token server in this process) whose credentials come from a credential helper. The
// provisioned busybox index is copied across registries (blobs streamed, no mount possible) and read back;
// without credentials both tools refuse with the same line and nothing is pushed.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { credentialHelper, PASSWORD, startAuthRegistry, startTokenRegistry, tagsOf, USER, type Registry, type TokenRegistry } from './auth-registries.js';
import { REFERENCE_BUILDX as REF } from './buildkitd-daemon.js';
import { describeRun, e2eSuite, run, TEST_TIMEOUT, type RunResult } from './helpers.js';

const REGISTRY = process.env.TSBUILDX_REGISTRY ?? '127.0.0.1:5000';
const SOURCE = `${REGISTRY}/busybox:latest`;

e2eSuite('imagetools with registry credentials', (ctx) => {
  let basic: Registry;
  let token: TokenRegistry;
  const writeConfig = (config: object) => writeFile(join(ctx.dockerConfig, 'config.json'), JSON.stringify(config));
  const ts = (args: string[], env?: Record<string, string>): Promise<RunResult> => ctx.buildx(['imagetools', ...args], { timeoutMs: 120_000, env });
  const ref = (args: string[], env?: Record<string, string>): Promise<RunResult> => run(REF, ['imagetools', ...args], { timeoutMs: 120_000, env }, ctx.env);
  const ok = async (p: Promise<RunResult>): Promise<string> => {
    const r = await p;
    assert.equal(r.code, 0, describeRun(r));
    return r.stdout.toString('utf8');
  };

  before(async () => {
    basic = await startAuthRegistry(ctx);
    token = await startTokenRegistry(ctx);
  });
  after(() => {
    basic?.proc.kill();
    token?.proc.kill();
    token?.server.close();
  });

  it('without credentials both tools refuse the copy with the same error line, and nothing is pushed', { timeout: TEST_TIMEOUT }, async () => {
    await writeConfig({});
    const target = `${basic.host}/e2e/it:none`;
    const ours = await ts(['create', '-t', target, SOURCE]);
    const theirs = await ref(['create', '-t', target, SOURCE]);
    assert.equal(ours.code, theirs.code, describeRun(ours));
    assert.notEqual(ours.code, 0);
    // The copy's progress comes first; its steps run in parallel, so which manifest's copy fails first
    // varies in both tools: the error line is compared with the digests left out.
    const errorLine = (r: RunResult) => r.stderr.split('\n').filter((l) => l.startsWith('ERROR: ')).map((l) => l.replace(/sha256:[0-9a-f]{64}/g, 'sha256:…'));
    assert.deepEqual(errorLine(ours), errorLine(theirs));
    assert.equal(errorLine(ours).length, 1, ours.stderr);
    assert.match(errorLine(ours)[0]!, /401 Unauthorized$/);
    assert.deepEqual(await tagsOf(basic, 'e2e/it'), []);
  });

  it('config.json auths: the index is copied into the htpasswd registry and reads back the same from both tools', { timeout: TEST_TIMEOUT }, async () => {
    await writeConfig({ auths: { [basic.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } });
    const target = `${basic.host}/e2e/it:v1`;
    await ok(ts(['create', '-t', target, SOURCE]));
    assert.deepEqual(await tagsOf(basic, 'e2e/it'), ['v1']);
    const source = await ok(ts(['inspect', '--raw', SOURCE]));
    assert.equal(await ok(ts(['inspect', '--raw', target])), source);
    assert.equal(await ok(ref(['inspect', '--raw', target])), source);
    assert.equal(await ok(ts(['inspect', target])), await ok(ref(['inspect', target])));
  });

  it('a credential helper for a token registry: the client fetches tokens with its credentials', { timeout: TEST_TIMEOUT }, async () => {
    const bin = await credentialHelper(ctx, 'e2eit', 'ok');
    await writeConfig({ credHelpers: { [token.host]: 'e2eit' } });
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
    const target = `${token.host}/e2e/it:v1`;
    const before = token.seen.length;
    await ok(ts(['create', '-t', target, SOURCE], env));
    const asked = token.seen.slice(before);
    assert.ok(asked.length > 0, 'no token was fetched');
    for (const t of asked) assert.equal(t.username, USER);
    const source = await ok(ts(['inspect', '--raw', SOURCE]));
    assert.equal(await ok(ts(['inspect', '--raw', target], env)), source);
    assert.equal(await ok(ref(['inspect', '--raw', target], env)), source);
  });
});
