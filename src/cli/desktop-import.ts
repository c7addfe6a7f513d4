// `history import`: as buildx, the bundle is uploaded to Docker Desktop's build server socket
// (~/.docker/desktop/docker-desktop-build.sock); without Docker Desktop there is nothing to import into.
import { createReadStream } from 'node:fs';
import http from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BuildxError, desktopBuildURL } from '../index.js';
import { openURL } from './browser.js';

function socketPath(): string {
  return join(homedir(), '.docker', 'desktop', 'docker-desktop-build.sock');
}

function upload(body: NodeJS.ReadableStream): Promise<string[]> {
  const sock = socketPath();
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: sock, method: 'POST', path: '/upload', host: 'docker-desktop' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new BuildxError(`failed to import build: ${text}`));
        try {
          resolve((JSON.parse(text) as string[]).map((ref) => desktopBuildURL(`.imported/_/${ref}`)));
        } catch (err) {
          reject(new BuildxError(`failed to decode response: ${(err as Error).message}`));
        }
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'connect: no such file or directory' : err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message;
      reject(new BuildxError(`failed to send request, check if Docker Desktop is running: Post "http://docker-desktop/upload": dial unix ${sock}: ${why}`));
    });
    body.on('error', (err) => req.destroy(err));
    body.pipe(req);
  });
}

export async function importToDesktop(files: string[]): Promise<void> {
  const urls: string[] = [];
  for (const f of files.length ? files : ['-']) {
    let body: NodeJS.ReadableStream = process.stdin;
    if (f !== '-') {
      const s = createReadStream(f);
      await new Promise<void>((resolve, reject) => {
        s.once('open', () => resolve());
        s.once('error', (err) => reject(new BuildxError(`failed to open file ${f}: ${err.message}`)));
      });
      body = s;
    }
    urls.push(...await upload(body));
  }
  if (!urls.length) throw new BuildxError('no build records found in the bundle');
  for (const u of urls) process.stderr.write(`${u}\n`);
  await openURL(urls[0]!);
}
