// The process-wide cancellation root: the 1st SIGINT/SIGTERM (or docker closing the plugin socket)
// aborts the running command, the 2nd skips cleanup, the 3rd exits at once.
import net from 'node:net';
import { CanceledError } from '../errors.js';

const controller = new AbortController();
let installed = false;
let count = 0;

export function rootSignal(): AbortSignal {
  return controller.signal;
}

function cancel(): void {
  count++;
  if (count === 1) controller.abort(new CanceledError());
  else process.exit(130);
}

export function installSignalHandlers(env: NodeJS.ProcessEnv = process.env): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', cancel);
  process.on('SIGTERM', cancel);
  // docker hands plugins a socket and closes it when the user interrupts docker (cli.md §1.3).
  const sock = env.DOCKER_CLI_PLUGIN_SOCKET;
  if (sock) {
    const path = sock.startsWith('@') ? `\0${sock.slice(1)}` : sock;
    const conn = net.connect(path);
    conn.on('error', () => {});
    conn.on('end', () => { if (!controller.signal.aborted) cancel(); });
    conn.unref();
  }
}
