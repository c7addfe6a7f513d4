// fsutil DiffCopy, transport-agnostic: the client sends a local directory for FileSync.DiffCopy (the daemon
// receives) and receives a directory for FileSend.DiffCopy of the `local` exporter (the daemon sends).
// Protocol summary (BuildKit session spec §3.2): the sender streams one STAT per entry in walk order (the
// N-th STAT has id N) and an empty STAT to end the list; the receiver REQuests regular files by id; the
// sender answers with DATA chunks and an empty DATA as end of file; the receiver ends with FIN and the
// sender answers FIN. ERR carries a message and aborts either side.

// The sender is diffcopy-send.ts, the receiver diffcopy-receive.ts; this module holds what both share.
import type { Packet } from './packet.js';

/**
 * One DiffCopy stream, as the transport exposes it.
 *
 * `send` resolves once the transport has taken the packet (that is the backpressure). It may be called
 * again before earlier calls resolved — file data and entries are sent concurrently — and packets must go
 * out in call order. `receive` is iterated once; after a transfer finished, the iteration may still be
 * pending in the background until the transport ends the stream.
 */
export interface PacketChannel {
  send(p: Packet): Promise<void>;
  receive(): AsyncIterable<Packet>;
}

export interface SendStats {
  /** STAT entries sent (not counting the end-of-list marker). */
  entries: number;
  /** Regular files among them. */
  files: number;
  /** Files the receiver requested and got. */
  filesSent: number;
  /** File content bytes sent. */
  bytesSent: number;
  /**
   * Entries left out because an exclude pattern matched (see WalkCounters.excluded in fswalk.ts: a
   * directory pruned whole counts once, its contents are not counted).
   */
  excluded: number;
  /**
   * Exclude patterns the receiver asked for (the .dockerignore rules); 0 when it sent none, which tells
   * "no .dockerignore" apart from "nothing matched".
   */
  excludePatterns: number;
}

export interface ReceiveStats {
  entries: number;
  files: number;
  bytes: number;
}

/**
 * `copy` merges into the destination (BuildKit's default for the local exporter); `delete` also removes
 * what the sender did not send, so that the destination mirrors the sent tree.
 */
export type ReceiveMode = 'copy' | 'delete';
