// The SSH wire encoding (RFC 4251 §5: uint32, string, mpint) and the ssh-agent framing
// (draft-miller-ssh-agent: uint32 length, then a type byte and its payload).

/** Message types of the agent protocol that the forwarder answers or passes on. */
export const AgentMsg = {
  FAILURE: 5,
  SUCCESS: 6,
  REQUEST_IDENTITIES: 11,
  IDENTITIES_ANSWER: 12,
  SIGN_REQUEST: 13,
  SIGN_RESPONSE: 14,
  EXTENSION: 27,
  EXTENSION_FAILURE: 28,
} as const;

/** SIGN_REQUEST flags asking for an RSA signature over SHA-256 / SHA-512 instead of SHA-1. */
export const SignFlag = { RSA_SHA2_256: 2, RSA_SHA2_512: 4 } as const;

/** Agents cap a message well below this; a larger length means a broken peer. */
const MAX_AGENT_MESSAGE = 256 * 1024;

export function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function sshString(data: Buffer | string): Buffer {
  const d = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([u32(d.length), d]);
}

/** An unsigned big-endian integer as an mpint: no leading zeros, a zero byte when the top bit is set. */
export function mpint(unsigned: Buffer): Buffer {
  let i = 0;
  while (i < unsigned.length && unsigned[i] === 0) i++;
  let v = unsigned.subarray(i);
  if (v.length > 0 && v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return sshString(v);
}

/** Sequential reads over one SSH-encoded buffer; every read checks the bounds. */
export class SSHReader {
  private off = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.off;
  }

  uint32(): number {
    if (this.remaining < 4) throw new Error('truncated uint32');
    const v = this.buf.readUInt32BE(this.off);
    this.off += 4;
    return v;
  }

  byte(): number {
    if (this.remaining < 1) throw new Error('truncated byte');
    return this.buf[this.off++]!;
  }

  bytes(n: number): Buffer {
    if (this.remaining < n) throw new Error('truncated data');
    const v = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }

  string(): Buffer {
    return this.bytes(this.uint32());
  }

  text(): string {
    return this.string().toString('utf8');
  }

  /** An mpint as unsigned big-endian bytes (the sign byte dropped; keys never hold negatives). */
  mpint(): Buffer {
    const v = this.string();
    let i = 0;
    while (i < v.length && v[i] === 0) i++;
    return v.subarray(i);
  }
}

/** One agent message (type byte + payload) with its length prefix. */
export function agentFrame(type: number, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from([type]), ...payload]);
  return Buffer.concat([u32(body.length), body]);
}

/** Splits a byte stream into agent messages (each without its length prefix, type byte first). */
export class AgentFramer {
  private pending = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    const out: Buffer[] = [];
    for (;;) {
      if (this.pending.length < 4) break;
      const len = this.pending.readUInt32BE(0);
      if (len === 0 || len > MAX_AGENT_MESSAGE) throw new Error(`ssh-agent message of ${len} bytes`);
      if (this.pending.length < 4 + len) break;
      out.push(this.pending.subarray(4, 4 + len));
      this.pending = this.pending.subarray(4 + len);
    }
    return out;
  }

  /** Whether a partial message is still waiting for bytes. */
  get partial(): boolean {
    return this.pending.length > 0;
  }
}
