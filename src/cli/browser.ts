// Opening a URL the way Go's pkg/browser does on Linux: the first of xdg-open, x-www-browser, www-browser
// found in PATH, else its error.
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { BuildxError } from '../index.js';

const OPENERS = ['xdg-open', 'x-www-browser', 'www-browser'];

async function inPath(cmd: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function openURL(url: string): Promise<void> {
  for (const o of OPENERS) {
    const p = await inPath(o);
    if (!p) continue;
    await new Promise<void>((resolve, reject) => {
      const child = spawn(p, [url], { stdio: 'ignore' });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new BuildxError(`exit status ${code ?? 1}`))));
    });
    return;
  }
  throw new BuildxError(`exec: "${OPENERS.join(',')}": executable file not found in $PATH`);
}
