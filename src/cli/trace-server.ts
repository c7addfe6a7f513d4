// `history trace` on a terminal (or with --compare): buildx serves a Jaeger UI pulled from an image; offline
// that UI is not available, so the trace itself is served (`/trace/<n>.json`) with a small page listing spans.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

async function collect(trace: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of trace) chunks.push(c);
  return Buffer.concat(chunks);
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>build trace</title>
<style>body{font:13px sans-serif}div{white-space:nowrap;overflow:hidden}span{display:inline-block;height:12px;background:#4a8}</style>
<body><pre id="h"></pre><div id="t"></div><script>
const n = location.pathname.split('/').pop();
fetch('/trace/' + n + '.json').then(r => r.text()).then(text => {
  const spans = []; let depth = 0, start = 0, inStr = false, esc = false;
  for (let i = 0; i < text.length; i++) { const c = text[i];
    if (inStr) { if (esc) esc = false; else if (c === '\\\\') esc = true; else if (c === '"') inStr = false; continue; }
    if (c === '"') inStr = true; else if (c === '{') { if (depth++ === 0) start = i; } else if (c === '}' && --depth === 0) spans.push(JSON.parse(text.slice(start, i + 1))); }
  const t = s => Date.parse(s); const t0 = Math.min(...spans.map(s => t(s.StartTime))); const t1 = Math.max(...spans.map(s => t(s.EndTime)));
  document.getElementById('h').textContent = spans.length + ' spans, ' + ((t1 - t0) / 1000).toFixed(2) + 's';
  for (const s of spans.sort((a, b) => t(a.StartTime) - t(b.StartTime))) { const d = document.createElement('div');
    const b = document.createElement('span'); b.style.marginLeft = (100 * (t(s.StartTime) - t0) / (t1 - t0 || 1)) * 6 + 'px';
    b.style.width = Math.max(1, (100 * (t(s.EndTime) - t(s.StartTime)) / (t1 - t0 || 1)) * 6) + 'px'; d.append(b, ' ' + s.Name); document.getElementById('t').append(d); }
});
</script>`;

export async function serveTrace(addr: string, trace: AsyncIterable<Buffer>, compare?: AsyncIterable<Buffer>): Promise<void> {
  const traces = [await collect(trace)];
  if (compare) traces.push(await collect(compare));
  const server = http.createServer((req, res) => {
    const m = /^\/trace\/(\d+)(\.json)?$/.exec(req.url ?? '');
    const t = m ? traces[Number(m[1])] : undefined;
    if (!m || !t) {
      res.writeHead(404).end('not found\n');
      return;
    }
    if (m[2]) res.writeHead(200, { 'content-type': 'application/json' }).end(t);
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
  });
  const i = addr.lastIndexOf(':');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(addr.slice(i + 1)), addr.slice(0, i) || '127.0.0.1', () => resolve());
  });
  const a = server.address() as AddressInfo;
  process.stderr.write(`Trace available at http://${a.address}:${a.port}/trace/0\n`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
