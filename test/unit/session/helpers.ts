// Shared helpers for the session file-transfer tests: the Go oracle fixture, tree builders and an
// in-memory PacketChannel pair with bounded buffering (so backpressure is exercised).

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { decodePacket, encodePacket, type Packet } from '../../../src/session/packet.js';
import type { PacketChannel } from '../../../src/session/diffcopy.js';

export interface OracleTreeEntry {
  path: string;
  type: 'dir' | 'file' | 'symlink' | 'fifo';
  mode?: number;
  content?: string;
  target?: string;
}

export interface OracleStatIn {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  modTime: string;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs?: Record<string, string>;
}

export interface Oracle {
  patternPaths: string[];
  patternCases: { patterns: string[]; error?: string; results?: string; matchError?: string }[];
  trees: Record<string, OracleTreeEntry[]>;
  walkCases: {
    name: string;
    tree: string;
    include?: string[];
    exclude?: string[];
    follow?: string[];
    error?: string;
    entries: [string, number, number, string?][];
  }[];
  packetCases: { name: string; packet: { type: number; id: number; data?: string; stat?: OracleStatIn }; hex: string }[];
}

/** The fixture lives in the source tree; compiled tests run from an output dir somewhere below the repo. */
export function loadOracle(): Oracle {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'test/unit/session/fixtures/go-oracle.json');
    if (existsSync(candidate)) return JSON.parse(readFileSync(candidate, 'utf8')) as Oracle;
    const up = dirname(dir);
    if (up === dir) throw new Error('go-oracle.json fixture not found');
    dir = up;
  }
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(join(tmpdir(), `tsbuildx-${prefix}-`));
}

/** Makes a tree readable again (read-only dirs in fixtures) and removes it. */
export async function removeTree(root: string): Promise<void> {
  await fs.chmod(root, 0o755).catch(() => undefined);
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) {
        await fs.chmod(join(d, e.name), 0o755).catch(() => undefined);
        await walk(join(d, e.name));
      }
    }
  };
  await walk(root);
  await fs.rm(root, { recursive: true, force: true });
}

export function canMkfifo(): boolean {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Creates the entries in order; directory modes are applied last so read-only dirs can be filled. */
export async function buildTree(root: string, tree: readonly OracleTreeEntry[]): Promise<void> {
  const dirs: OracleTreeEntry[] = [];
  for (const e of tree) {
    const full = join(root, e.path);
    await fs.mkdir(dirname(full), { recursive: true });
    // explicit modes everywhere, so that the umask of the machine running the tests does not matter
    switch (e.type) {
      case 'dir':
        await fs.mkdir(full);
        dirs.push(e);
        continue;
      case 'file':
        await fs.writeFile(full, e.content ?? '');
        break;
      case 'symlink':
        await fs.symlink(e.target!, full);
        continue;
      case 'fifo':
        execFileSync('mkfifo', [full]);
        break;
    }
    await fs.chmod(full, e.mode ?? 0o644);
  }
  for (const d of dirs.reverse()) await fs.chmod(join(root, d.path), d.mode ?? 0o755);
}

/** A bounded FIFO of packets: `push` resolves only once the queue has room again. */
class PacketPipe {
  private queue: (Packet | undefined)[] = [];
  private head = 0;
  private closed = false;
  private error: Error | undefined;
  private readers: (() => void)[] = [];
  private writers: (() => void)[] = [];
  sent = 0;
  maxQueued = 0;

  constructor(
    private readonly capacity: number,
    private readonly wire: boolean,
  ) {}

  async push(p: Packet): Promise<void> {
    if (this.error) throw this.error;
    if (this.closed) throw new Error('pipe closed');
    // Going through the codec proves both ends agree on the bytes, as a real transport would.
    this.queue.push(this.wire ? decodePacket(encodePacket(p)) : p);
    this.sent++;
    this.maxQueued = Math.max(this.maxQueued, this.size);
    this.wake(this.readers);
    while (this.size > this.capacity && !this.error && !this.closed) {
      await new Promise<void>((resolve) => this.writers.push(resolve));
    }
    if (this.error) throw this.error;
  }

  close(err?: Error): void {
    this.closed = true;
    this.error ??= err;
    this.wake(this.readers);
    this.wake(this.writers);
  }

  private get size(): number {
    return this.queue.length - this.head;
  }

  async *drain(): AsyncGenerator<Packet> {
    for (;;) {
      let p: Packet | undefined;
      if (this.head < this.queue.length) {
        p = this.queue[this.head];
        // consumed slots must not keep their packets (and data buffers) alive
        this.queue[this.head++] = undefined;
      }
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      if (p !== undefined) {
        this.wake(this.writers);
        yield p;
        continue;
      }
      if (this.error) throw this.error;
      if (this.closed) return;
      await new Promise<void>((resolve) => this.readers.push(resolve));
    }
  }

  private wake(list: (() => void)[]): void {
    const l = list.splice(0);
    for (const f of l) f();
  }
}

export interface ChannelEnd extends PacketChannel {
  /** Ends this side's outgoing stream (what a gRPC half-close does). */
  close(): void;
  /** Packets this side sent, for assertions. */
  readonly log: Packet[];
  readonly stats: { sent: number; maxQueued: number };
}

/** Two connected PacketChannels; each direction buffers at most `capacity` packets. */
export function channelPair(opts: { capacity?: number; wire?: boolean; keepLog?: boolean } = {}): [ChannelEnd, ChannelEnd] {
  const capacity = opts.capacity ?? 8;
  const wire = opts.wire ?? true;
  const ab = new PacketPipe(capacity, wire);
  const ba = new PacketPipe(capacity, wire);
  const end = (out: PacketPipe, inp: PacketPipe): ChannelEnd => {
    const log: Packet[] = [];
    return {
      log,
      get stats() {
        return { sent: out.sent, maxQueued: out.maxQueued };
      },
      async send(p: Packet): Promise<void> {
        if (opts.keepLog) log.push(p);
        await out.push(p);
      },
      receive: () => inp.drain(),
      close: () => out.close(),
    };
  };
  return [end(ab, ba), end(ba, ab)];
}

/** A scripted peer: yields the given packets, then ends. */
export function scriptedChannel(script: Packet[] | AsyncIterable<Packet>): PacketChannel & { sent: Packet[] } {
  const sent: Packet[] = [];
  return {
    sent,
    async send(p: Packet) {
      sent.push(p);
    },
    async *receive() {
      yield* script;
    },
  };
}
