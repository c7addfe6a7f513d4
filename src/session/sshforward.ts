// SSH: the daemon checks that an ssh id was forwarded (CheckAgent) and opens one ForwardAgent stream per
// connection made to the agent socket inside a RUN step; the stream carries raw agent-protocol bytes.
import { moby } from '../proto/index.js';
import { decodeBytesMessage, encodeBytesMessage } from './bytes-message.js';
import { Code, RpcError, type Method } from './rpc-server.js';
import type { AgentSource } from './ssh-agent.js';
import { AgentFramer } from './ssh-wire.js';

export const DEFAULT_SSH_ID = 'default';
/** The metadata key naming the forwarded id on ForwardAgent. */
const SSH_ID_KEY = 'buildkit.ssh.id';

function lookup(agents: ReadonlyMap<string, AgentSource>, id: string): AgentSource {
  const agent = agents.get(id);
  if (!agent) throw new RpcError(Code.UNKNOWN, `unset ssh forward key ${id}`);
  return agent;
}

/** Always attached, like buildx's: with no agents, every id is answered as not forwarded. */
export function sshForwardService(agents: ReadonlyMap<string, AgentSource>): Method[] {
  return [
    {
      path: '/moby.sshforward.v1.SSH/CheckAgent',
      kind: 'unary',
      handler: async (req) => {
        const { ID } = moby.sshforward.v1.CheckAgentRequest.decode(req);
        lookup(agents, ID || DEFAULT_SSH_ID);
        return Buffer.alloc(0);
      },
    },
    {
      path: '/moby.sshforward.v1.SSH/ForwardAgent',
      kind: 'stream',
      handler: async (call, ctx) => {
        const id = ctx.metadata.get(SSH_ID_KEY)?.[0] || DEFAULT_SSH_ID;
        const agent = lookup(agents, id);
        let conversation;
        try {
          conversation = await agent.open();
        } catch (err) {
          throw new RpcError(Code.UNKNOWN, `failed to dial agent ${id}: ${(err as Error).message}`);
        }
        try {
          const framer = new AgentFramer();
          for await (const m of call.messages()) {
            for (const request of framer.push(decodeBytesMessage(m))) {
              await call.send(encodeBytesMessage(await conversation.request(request)));
            }
          }
        } finally {
          conversation.close();
        }
      },
    },
  ];
}
