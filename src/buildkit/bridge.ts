// grpc-js cannot be handed an already-connected socket, so each driver's dialer (a Docker hijack, a
// `docker exec` stdio stream, a TCP/TLS socket) is exposed through a private unix socket that grpc-js
// connects to: every accepted connection runs the dialer once and pipes bytes both ways.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';

export type Dialer = (signal?: AbortSignal) => Promise<Duplex>;

export interface Bridge {
  /** grpc-js target, `unix:///…`. */
  target: string;
  /** Why the last dial failed (grpc-js itself only sees a dropped connection). */
  readonly lastDialError: unknown;
  close(): void;
}

export async function startBridge(dial: Dialer): Promise<Bridge> {
  const dir = mkdtempSync(join(tmpdir(), 'tsbuildx-'));
  const path = join(dir, 'grpc.sock');
  const open = new Set<Duplex>();
  const abort = new AbortController();
  const server = net.createServer((local) => {
    open.add(local);
    local.on('close', () => open.delete(local));
    local.pause();
    dial(abort.signal).then((remote) => {
      open.add(remote);
      remote.on('close', () => { open.delete(remote); local.destroy(); });
      local.on('close', () => remote.destroy());
      remote.on('error', (err) => local.destroy(err));
      local.on('error', () => remote.destroy());
      local.pipe(remote);
      remote.pipe(local);
      local.resume();
    }, (err: unknown) => {
      // grpc-js only sees a dropped connection; keep the real reason for the caller.
      lastDialError = err;
      local.destroy();
    });
  });
  let lastDialError: unknown;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  server.unref();
  const bridge: Bridge = {
    target: `unix://${path}`,
    close() {
      abort.abort();
      for (const s of open) s.destroy();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
    get lastDialError() {
      return lastDialError;
    },
  };
  return bridge;
}
