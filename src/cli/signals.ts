// The process-wide cancellation root: the 1st SIGINT/SIGTERM (or docker closing the plugin socket)
// aborts the running command, the 2nd skips cleanup, the 3rd exits at once.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { CanceledError } from '../util/errors.js';

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
  if (sock) watchPluginSocket(sock);
}

function watchPluginSocket(sock: string): void {
  const abstract = sock.startsWith('@');
  const conn = net.connect(abstract ? `\0${sock.slice(1)}` : sock);
  let connected = false;
  conn.on('connect', () => { connected = true; });
  conn.on('error', () => {
    // Node 20's libuv pads abstract socket addresses, so Go's listener cannot be reached from here;
    // a python3 child (when there is one) holds the connection for us and exits when docker closes it.
    if (!connected && abstract) watchWithPython(sock.slice(1));
  });
  // 'end' only fires on a flowing stream: read (and ignore) whatever docker sends.
  conn.resume();
  conn.on('end', () => { if (connected && !controller.signal.aborted) cancel(); });
  conn.unref();
}

function watchWithPython(name: string): void {
  const code = 'import socket,sys\ns=socket.socket(socket.AF_UNIX)\ns.connect("\\0"+sys.argv[1])\nsys.stdout.write("c\\n");sys.stdout.flush()\nwhile s.recv(4096): pass\n';
  let child: ChildProcess;
  try {
    child = spawn('python3', ['-c', code, name], { stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return;
  }
  let connected = false;
  child.on('error', () => {});
  child.stdout?.on('data', () => { connected = true; });
  child.on('exit', () => { if (connected && !controller.signal.aborted) cancel(); });
  child.unref();
  (child.stdout as net.Socket | null)?.unref();
  process.once('exit', () => child.kill());
}
