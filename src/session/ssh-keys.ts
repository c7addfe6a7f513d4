// Private key files for the in-process agent: OpenSSH (`openssh-key-v1`) and PEM (PKCS#1, SEC1, PKCS#8)
// ed25519, RSA and ECDSA keys, each turned into what the agent protocol needs (public blob, signing).
// Errors read like Go's ssh.ParseRawPrivateKey, which buildx uses for the same files.
import { createPrivateKey, sign as cryptoSign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SignFlag, SSHReader, mpint, sshString } from './ssh-wire.js';

export class KeyParseError extends Error {}

export interface AgentKey {
  /** The public key in SSH wire form (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp*`). */
  readonly blob: Buffer;
  /** A signature blob (algorithm name + signature) for SIGN_REQUEST; throws for flags the key cannot honour. */
  sign(data: Buffer, flags: number): Buffer;
}

const PASSPHRASE = 'ssh: this private key is passphrase protected';
const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');

const CURVES: Record<string, { ssh: string; hash: string; size: number }> = {
  prime256v1: { ssh: 'nistp256', hash: 'sha256', size: 32 },
  secp384r1: { ssh: 'nistp384', hash: 'sha384', size: 48 },
  secp521r1: { ssh: 'nistp521', hash: 'sha512', size: 66 },
};
const JWK_CURVE: Record<string, string> = { nistp256: 'P-256', nistp384: 'P-384', nistp521: 'P-521' };

const b64u = (b: Buffer): string => b.toString('base64url');
const fromB64u = (s: string | undefined): Buffer => Buffer.from(s ?? '', 'base64url');

function pad(b: Buffer, size: number): Buffer {
  return b.length >= size ? b : Buffer.concat([Buffer.alloc(size - b.length), b]);
}

function toBigInt(b: Buffer): bigint {
  return b.length ? BigInt(`0x${b.toString('hex')}`) : 0n;
}

function fromBigInt(n: bigint): Buffer {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}

/** An agent key over a node KeyObject: the public blob comes from its JWK form. */
function agentKey(key: KeyObject): AgentKey {
  const jwk = key.export({ format: 'jwk' });
  switch (key.asymmetricKeyType) {
    case 'ed25519': {
      const blob = Buffer.concat([sshString('ssh-ed25519'), sshString(fromB64u(jwk.x))]);
      return {
        blob,
        sign(data, flags) {
          if (flags !== 0) throw new Error(`unsupported signature flags ${flags} for an ed25519 key`);
          return Buffer.concat([sshString('ssh-ed25519'), sshString(cryptoSign(null, data, key))]);
        },
      };
    }
    case 'rsa': {
      const blob = Buffer.concat([sshString('ssh-rsa'), mpint(fromB64u(jwk.e)), mpint(fromB64u(jwk.n))]);
      return {
        blob,
        sign(data, flags) {
          const [alg, hash] = flags === 0 ? ['ssh-rsa', 'sha1']
            : flags === SignFlag.RSA_SHA2_256 ? ['rsa-sha2-256', 'sha256']
              : flags === SignFlag.RSA_SHA2_512 ? ['rsa-sha2-512', 'sha512'] : [];
          if (!alg) throw new Error(`unsupported signature flags ${flags}`);
          return Buffer.concat([sshString(alg), sshString(cryptoSign(hash, data, key))]);
        },
      };
    }
    case 'ec': {
      const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
      if (!curve) throw new KeyParseError(`ssh: unsupported curve ${key.asymmetricKeyDetails?.namedCurve ?? ''}`);
      const name = `ecdsa-sha2-${curve.ssh}`;
      const point = Buffer.concat([Buffer.from([4]), pad(fromB64u(jwk.x), curve.size), pad(fromB64u(jwk.y), curve.size)]);
      const blob = Buffer.concat([sshString(name), sshString(curve.ssh), sshString(point)]);
      return {
        blob,
        sign(data, flags) {
          if (flags !== 0) throw new Error(`unsupported signature flags ${flags} for an ecdsa key`);
          const rs = cryptoSign(curve.hash, data, { key, dsaEncoding: 'ieee-p1363' });
          const half = rs.length / 2;
          const sig = Buffer.concat([mpint(rs.subarray(0, half)), mpint(rs.subarray(half))]);
          return Buffer.concat([sshString(name), sshString(sig)]);
        },
      };
    }
    default:
      throw new KeyParseError(`ssh: unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`);
  }
}

function jwkKey(jwk: JsonWebKey): KeyObject {
  try {
    return createPrivateKey({ key: jwk, format: 'jwk' });
  } catch (err) {
    throw new KeyParseError(`ssh: invalid private key: ${(err as Error).message}`);
  }
}

/** The private section of an unencrypted `openssh-key-v1` key. */
function parseOpenSSH(body: Buffer): AgentKey {
  if (!body.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) throw new KeyParseError('ssh: invalid openssh private key format');
  const r = new SSHReader(body.subarray(OPENSSH_MAGIC.length));
  const cipher = r.text();
  const kdf = r.text();
  r.string();
  if (cipher !== 'none' || kdf !== 'none') throw new KeyParseError(PASSPHRASE);
  if (r.uint32() !== 1) throw new KeyParseError('ssh: multi-key files are not supported');
  r.string();
  const p = new SSHReader(r.string());
  if (p.uint32() !== p.uint32()) throw new KeyParseError('ssh: malformed OpenSSH key');
  const type = p.text();
  let jwk: JsonWebKey;
  if (type === 'ssh-ed25519') {
    const pub = p.string();
    const priv = p.string();
    if (pub.length !== 32 || priv.length !== 64) throw new KeyParseError('ssh: malformed OpenSSH ed25519 key');
    jwk = { kty: 'OKP', crv: 'Ed25519', x: b64u(pub), d: b64u(priv.subarray(0, 32)) };
  } else if (type === 'ssh-rsa') {
    const [n, e, d, iqmp, pp, q] = [p.mpint(), p.mpint(), p.mpint(), p.mpint(), p.mpint(), p.mpint()];
    const dn = toBigInt(d);
    jwk = {
      kty: 'RSA', n: b64u(n), e: b64u(e), d: b64u(d), p: b64u(pp), q: b64u(q), qi: b64u(iqmp),
      dp: b64u(fromBigInt(dn % (toBigInt(pp) - 1n))), dq: b64u(fromBigInt(dn % (toBigInt(q) - 1n))),
    };
  } else if (type.startsWith('ecdsa-sha2-')) {
    const curve = p.text();
    const point = p.string();
    const d = p.mpint();
    const crv = JWK_CURVE[curve];
    if (!crv || type !== `ecdsa-sha2-${curve}` || point[0] !== 4) throw new KeyParseError(`ssh: unsupported curve ${curve}`);
    const size = (point.length - 1) / 2;
    jwk = { kty: 'EC', crv, x: b64u(point.subarray(1, 1 + size)), y: b64u(point.subarray(1 + size)), d: b64u(pad(d, size)) };
  } else {
    throw new KeyParseError(`ssh: unhandled key type ${JSON.stringify(type)}`);
  }
  // The file's comment is not kept: buildx's agent lists its keys without one.
  return agentKey(jwkKey(jwk));
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/;
const PEM_TYPES = new Set(['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PRIVATE KEY']);

/** A private key file's contents as an agent key; the first PEM block counts, as in Go. */
export function parsePrivateKey(data: Buffer): AgentKey {
  const m = PEM_BLOCK.exec(data.toString('latin1'));
  if (!m) throw new KeyParseError('ssh: no key found');
  const [block, type, inner] = m as unknown as [string, string, string];
  const headers = inner.split(/\r?\n\r?\n/).length > 1 ? inner.split(/\r?\n\r?\n/)[0]! : '';
  if (/^Proc-Type:.*ENCRYPTED/m.test(headers)) throw new KeyParseError(PASSPHRASE);
  if (type === 'OPENSSH PRIVATE KEY') {
    const body = Buffer.from(inner.replace(/\s+/g, ''), 'base64');
    try {
      return parseOpenSSH(body);
    } catch (err) {
      if (err instanceof KeyParseError) throw err;
      throw new KeyParseError(`ssh: malformed OpenSSH key: ${(err as Error).message}`);
    }
  }
  if (!PEM_TYPES.has(type)) throw new KeyParseError(`ssh: unsupported key type ${JSON.stringify(type)}`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: block, format: 'pem' });
  } catch (err) {
    throw new KeyParseError(`ssh: invalid ${type}: ${(err as Error).message}`);
  }
  return agentKey(key);
}
