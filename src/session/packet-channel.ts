// A DiffCopy stream as the session's gRPC server carries it: fsutil packets, DATA packets framed by hand
// so that a file chunk is never copied.
import type { PacketChannel } from './diffcopy.js';
import { decodePacket, encodePacket, PacketType } from './packet.js';
import type { RpcStream } from './rpc-server.js';

/** DATA packets by hand: a small header, then the chunk itself, which is never copied. */
function dataPacketHead(id: number, length: number): Buffer {
  const head = Buffer.allocUnsafe(24);
  let i = 0;
  head[i++] = 0x08; // type
  head[i++] = 2; // DATA
  const varint = (n: number) => {
    while (n >= 0x80) {
      head[i++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    head[i++] = n;
  };
  if (id !== 0) {
    head[i++] = 0x18; // ID
    varint(id);
  }
  head[i++] = 0x22; // data
  varint(length);
  return head.subarray(0, i);
}

export function packetChannel(call: RpcStream): PacketChannel {
  return {
    send: (p) => (p.type === PacketType.DATA && p.data && p.data.length > 0
      ? call.send([dataPacketHead(p.id, p.data.length), p.data])
      : call.send(encodePacket(p))),
    receive: async function* () {
      for await (const m of call.messages()) yield decodePacket(m);
    },
  };
}
