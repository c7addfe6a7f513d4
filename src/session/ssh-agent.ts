// The agents behind a forwarded ssh id: an in-process one holding keys read from files, or a connection
// to an agent socket. Either way the build only gets to list keys and sign with them; adding, removing,
// locking and extensions are refused, as buildx's forwarder does.
import net from 'node:net';
import { goErrnoText } from '../util/go-errno.js';
import type { AgentKey } from './ssh-keys.js';
import { AgentFramer, AgentMsg, SSHReader, agentFrame, sshString, u32 } from './ssh-wire.js';

/** One agent conversation: a request message (type byte first) in, the reply frame out. */
export interface AgentConversation {
  request(message: Buffer): Promise<Buffer>;
  close(): void;
}

export interface AgentSource {
  /** Opens a conversation, as each connection to the in-build agent socket does. */
  open(): Promise<AgentConversation>;
}

const failure = (): Buffer => agentFrame(AgentMsg.FAILURE);

/** What the forwarder answers itself, for requests no agent behind it may see. */
function refusal(type: number): Buffer {
  return agentFrame(type === AgentMsg.EXTENSION ? AgentMsg.EXTENSION_FAILURE : AgentMsg.FAILURE);
}

/** Answers from keys held in memory. */
export function keyringAgent(keys: readonly AgentKey[]): AgentSource {
  const answer = (message: Buffer): Buffer => {
    const type = message[0]!;
    if (type === AgentMsg.REQUEST_IDENTITIES) {
      const ids = keys.map((k) => Buffer.concat([sshString(k.blob), sshString('')]));
      return agentFrame(AgentMsg.IDENTITIES_ANSWER, u32(keys.length), ...ids);
    }
    if (type !== AgentMsg.SIGN_REQUEST) return refusal(type);
    try {
      const r = new SSHReader(message.subarray(1));
      const blob = r.string();
      const data = r.string();
      const flags = r.remaining >= 4 ? r.uint32() : 0;
      const key = keys.find((k) => k.blob.equals(blob));
      return key ? agentFrame(AgentMsg.SIGN_RESPONSE, sshString(key.sign(data, flags))) : failure();
    } catch {
      return failure();
    }
  };
  return { open: async () => ({ request: async (m) => answer(m), close: () => {} }) };
}

/** A connection to an agent socket over which requests go one at a time, each awaiting its reply. */
class SocketConversation implements AgentConversation {
  private readonly framer = new AgentFramer();
  private waiting: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private error: Error | undefined;

  constructor(private readonly sock: net.Socket) {
    sock.on('data', (chunk: Buffer) => {
      let msgs: Buffer[];
      try {
        msgs = this.framer.push(chunk);
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      for (const m of msgs) {
        const w = this.waiting;
        this.waiting = undefined;
        w?.resolve(Buffer.concat([u32(m.length), m]));
      }
    });
    sock.on('error', (err) => this.fail(err));
    sock.on('close', () => this.fail(new Error('agent closed the connection')));
  }

  private fail(err: Error): void {
    this.error ??= err;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(err);
  }

  async request(message: Buffer): Promise<Buffer> {
    const type = message[0]!;
    if (type !== AgentMsg.REQUEST_IDENTITIES && type !== AgentMsg.SIGN_REQUEST) return refusal(type);
    if (this.error) throw this.error;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.sock.write(Buffer.concat([u32(message.length), message]));
    });
  }

  close(): void {
    this.sock.destroy();
  }
}

/** Forwards to the agent listening on a unix socket. */
export function socketAgent(path: string): AgentSource {
  return {
    open: () => new Promise((resolve, reject) => {
      const sock = net.createConnection({ path });
      const timer = setTimeout(() => sock.destroy(new Error(`dial unix ${path}: i/o timeout`)), 2000);
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(new SocketConversation(sock));
      });
      sock.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new Error(`failed to connect to ${path}: dial unix ${path}: connect: ${goErrnoText(err)}`));
      });
    }),
  };
}
