// --ssh specs turned into agents before anything is sent: sockets must exist, key files must parse.
// The messages are buildx's (its sshprovider), which names the spec in Go's `{ID [paths] false}` form.
import { open, stat } from 'node:fs/promises';
import type { SSHSpec } from '../flags/index.js';
import { BuildxError } from '../util/errors.js';
import { goErrnoText } from '../util/go-errno.js';
import { keyringAgent, socketAgent, type AgentSource } from './ssh-agent.js';
import { parsePrivateKey, type AgentKey } from './ssh-keys.js';
import { DEFAULT_SSH_ID } from './sshforward.js';

/** buildx reads at most this much of a key file. */
const MAX_KEY_FILE = 100 * 1024;

class SpecError extends Error {}

async function readKeyFile(path: string): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new SpecError(`failed to open ${path}: open ${path}: ${goErrnoText(err)}`);
  }
  try {
    const buf = Buffer.alloc(MAX_KEY_FILE);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, MAX_KEY_FILE - n, null);
      if (bytesRead === 0 || (n += bytesRead) >= MAX_KEY_FILE) break;
    }
    return buf.subarray(0, n);
  } catch (err) {
    throw new SpecError(`failed to read ${path}: read ${path}: ${goErrnoText(err)}`);
  } finally {
    await fh.close();
  }
}

/** One id's paths: a single agent socket, or key files (never both). */
async function agentFor(paths: readonly string[]): Promise<AgentSource> {
  let socket: string | undefined;
  const keys: AgentKey[] = [];
  for (const p of paths) {
    if (socket !== undefined) throw new SpecError('only single socket allowed');
    let st;
    try {
      st = await stat(p);
    } catch (err) {
      throw new SpecError(`stat ${p}: ${goErrnoText(err)}`);
    }
    if (st.isSocket()) {
      socket = p;
      continue;
    }
    const data = await readKeyFile(p);
    try {
      keys.push(parsePrivateKey(data));
    } catch (err) {
      throw new SpecError(`failed to parse ${p}: ${(err as Error).message}`);
    }
  }
  if (socket !== undefined) {
    if (keys.length) throw new SpecError('invalid combination of keys and sockets');
    return socketAgent(socket);
  }
  return keyringAgent(keys);
}

/** The agents by id; `$SSH_AUTH_SOCK` stands in for an id given without paths. */
export async function sshAgents(specs: readonly SSHSpec[], env: NodeJS.ProcessEnv): Promise<Map<string, AgentSource>> {
  const out = new Map<string, AgentSource>();
  for (const spec of specs) {
    const id = spec.id || DEFAULT_SSH_ID;
    if (out.has(id)) throw new BuildxError(`duplicate agent ID ${JSON.stringify(id)}`);
    const shown = `failed to convert agent config {${id} [${spec.paths.join(' ')}] false}`;
    let paths = spec.paths;
    if (paths.length === 0 || (paths.length === 1 && paths[0] === '')) paths = [env.SSH_AUTH_SOCK ?? ''];
    if (paths[0] === '') throw new BuildxError(`${shown}: invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set`);
    try {
      out.set(id, await agentFor(paths));
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      throw new BuildxError(`${shown}: failed to convert agent config for ID: ${JSON.stringify(id)}: ${err.message}`);
    }
  }
  return out;
}
