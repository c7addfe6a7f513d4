// The client-side token authority buildx offers: an Ed25519 key per registry host, derived from the
// daemon's salt and a random per-host seed kept in the docker config dir (`.token_seed`), so that the
// daemon can tell a session holding the same credentials (VerifyTokenAuthority) and let the client fetch
// registry tokens itself (FetchToken). A host without a secret gets a key from the salt alone.
import { createHmac, createPrivateKey, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

type Seeds = Record<string, { Seed: string }>;

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Errors that mean "cannot persist here", which buildx tolerates (the seed then lives for this run). */
const TOLERATED = new Set(['EROFS', 'EACCES', 'EPERM']);

export class TokenSeeds {
  private seeds: Seeds | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dir: string) {}

  /** The host's seed, created and saved on first use. Calls are serialized so a seed is made once. */
  seed(host: string): Promise<Buffer> {
    const next = this.queue.then(() => this.load(host));
    this.queue = next.catch(() => {});
    return next;
  }

  private async load(host: string): Promise<Buffer> {
    await mkdir(this.dir, { recursive: true, mode: 0o755 });
    const file = join(this.dir, '.token_seed');
    let seeds: Seeds = this.seeds ?? {};
    try {
      seeds = { ...seeds, ...(JSON.parse(await readFile(file, 'utf8')) as Seeds) };
    } catch {
      // Missing, unreadable or half-written: start from what we have, as buildx does.
    }
    seeds[host] ??= { Seed: randomBytes(16).toString('base64') };
    this.seeds = seeds;
    try {
      await writeFile(file, JSON.stringify(seeds, null, 2), { mode: 0o600 });
    } catch (err) {
      if (!TOLERATED.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
    return Buffer.from(seeds[host].Seed, 'base64');
  }
}

/** HMAC-SHA256(salt, seed or nothing) as an Ed25519 seed. */
export function authorityKey(salt: Buffer, seed: Buffer | undefined): KeyObject {
  const mac = createHmac('sha256', salt);
  if (seed) mac.update(seed);
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, mac.digest().subarray(0, 32)]), format: 'der', type: 'pkcs8' });
}

/** The raw 32-byte public key. */
export function authorityPublicKey(key: KeyObject): Buffer {
  return Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x ?? '', 'base64url');
}

/** NaCl `sign`: the signature followed by the message. */
export function naclSign(key: KeyObject, payload: Buffer): Buffer {
  return Buffer.concat([sign(null, payload, key), payload]);
}
