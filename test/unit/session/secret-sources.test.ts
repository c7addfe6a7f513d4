// The secrets a build names are checked before it is sent; their bytes are only read when the daemon asks.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkSecretFiles, secretSources } from '../../../src/session/secret-sources.js';

describe('checkSecretFiles', () => {
  let dir = '';
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'secret-sources-')); });
  after(() => rm(dir, { recursive: true, force: true }));

  it('passes files that exist and env secrets without looking at the disk', async () => {
    const file = join(dir, 'token');
    await writeFile(file, 's3cr3t');
    await checkSecretFiles([{ id: 'a', src: file }, { id: 'b', env: 'SOME_VAR' }], {});
  });

  it('refuses a missing src with buildx\'s line, naming the path twice as Go does', async () => {
    const missing = join(dir, 'nope');
    await assert.rejects(checkSecretFiles([{ id: 'x', src: missing }], {}), {
      message: `failed to stat ${missing}: stat ${missing}: no such file or directory`,
    });
  });

  it('an id alone is a file of that name unless an env var of that name exists', async () => {
    await assert.rejects(checkSecretFiles([{ id: join(dir, 'by-id') }], {}), /failed to stat .*by-id: stat .*by-id: no such file or directory/);
    await checkSecretFiles([{ id: 'BY_ENV' }], { BY_ENV: 'v' });
  });

  it('a file removed after the check is reported when the daemon asks, the same way', async () => {
    const file = join(dir, 'later');
    await writeFile(file, 'x');
    const sources = secretSources([{ id: 'l', src: file }], {});
    await checkSecretFiles([{ id: 'l', src: file }], {});
    await rm(file);
    await assert.rejects(sources.get('l')!(), { message: `failed to stat ${file}: stat ${file}: no such file or directory` });
  });
});
