// Byte views: protobufjs hands out Uint8Arrays, Node's streams and our codecs want Buffers; a view
// shares the memory instead of copying it.

/** `u` as a Buffer over the same memory. */
export function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
