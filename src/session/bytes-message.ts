// BytesMessage{data = 1 : bytes} by hand: it carries every tunnel and tar chunk, so no object is built.

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

export function encodeBytesMessage(data: Buffer): Buffer {
  if (data.length === 0) return Buffer.alloc(0);
  const out = Buffer.allocUnsafe(1 + varintLength(data.length) + data.length);
  out[0] = 0x0a;
  let n = data.length;
  let i = 1;
  while (n >= 0x80) {
    out[i++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[i++] = n;
  data.copy(out, i);
  return out;
}

/** Returns the `data` field (a view, not a copy); unknown fields are skipped. */
export function decodeBytesMessage(buf: Buffer): Buffer {
  let i = 0;
  let data: Buffer = Buffer.alloc(0);
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated BytesMessage');
      const b = buf[i++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
  };
  while (i < buf.length) {
    const tag = varint();
    const wire = tag & 7;
    if (wire === 2) {
      const len = varint();
      if (tag >>> 3 === 1) data = buf.subarray(i, i + len);
      i += len;
    } else if (wire === 0) varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`bad wire type ${wire} in BytesMessage`);
  }
  return data;
}
