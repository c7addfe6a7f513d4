// An exclusive flock(2) on the store's lock file, shared with Go buildx (which flocks the same file).
// Node has no flock binding, so util-linux's `flock` holds the lock in a child process for as long as
// we need it: the child prints once it owns the lock and keeps it until its stdin closes.
import { spawn } from 'node:child_process';
import { BuildxError } from '../util/errors.js';

export interface LockHandle {
  release(): Promise<void>;
}

export async function acquireLock(path: string, signal?: AbortSignal): Promise<LockHandle> {
  const child = spawn('flock', ['--exclusive', path, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.once('data', () => resolve());
    child.once('error', (e) => reject(new BuildxError(`failed to lock ${path}: ${e.message}`)));
    child.once('close', (code) => reject(new BuildxError(`failed to lock ${path}: ${err.trim() || `flock exited ${code}`}`)));
    signal?.addEventListener('abort', () => { child.kill(); reject(signal.reason); }, { once: true });
  });
  return {
    async release() {
      child.stdin.end();
      await exited;
    },
  };
}
