// `history trace` on a terminal (or with --compare). buildx serves a Jaeger UI taken from an image; that UI
// is not available offline, so this serves the Jaeger JSON (`/api/traces/<id>`, as the Jaeger UI's API
// does) and a small self-made page drawing the spans on a time axis (`/trace/<id>`).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedTrace {
  traceID: string;
  json: string;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>build trace</title>
<style>body{font:12px sans-serif;margin:1em}h2{font-size:14px}.r{white-space:nowrap;height:16px}.b{display:inline-block;height:10px;background:#3a7}</style>
<body><div id="out"></div><script>
const ids = location.pathname.slice('/trace/'.length).split('...');
Promise.all(ids.map(id => fetch('/api/traces/' + id).then(r => r.json()))).then(docs => {
  const out = document.getElementById('out');
  for (const doc of docs) for (const t of doc.data) {
    const spans = [...t.spans].sort((a, b) => a.startTime - b.startTime);
    const t0 = Math.min(...spans.map(s => s.startTime)), t1 = Math.max(...spans.map(s => s.startTime + s.duration)), w = 800 / Math.max(1, t1 - t0);
    const h = document.createElement('h2'); h.textContent = t.traceID + ': ' + spans.length + ' spans, ' + ((t1 - t0) / 1e6).toFixed(2) + 's'; out.append(h);
    for (const s of spans) { const r = document.createElement('div'); r.className = 'r'; const b = document.createElement('span'); b.className = 'b';
      b.style.marginLeft = ((s.startTime - t0) * w) + 'px'; b.style.width = Math.max(1, s.duration * w) + 'px'; b.title = (s.duration / 1000).toFixed(1) + 'ms';
      r.append(b, ' ' + s.operationName); out.append(r); }
  }
});
</script>`;

export async function serveTraces(addr: string, traces: ServedTrace[]): Promise<void> {
  const byId = new Map(traces.map((t) => [t.traceID, t.json]));
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    const api = /^\/api\/traces\/([0-9a-f]+)$/.exec(url);
    if (api && byId.has(api[1]!)) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(byId.get(api[1]!));
      return;
    }
    if (/^\/trace\/[0-9a-f.]+$/.test(url)) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      return;
    }
    res.writeHead(404).end('not found\n');
  });
  const i = addr.lastIndexOf(':');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(addr.slice(i + 1)), addr.slice(0, i) || '127.0.0.1', () => resolve());
  });
  const a = server.address() as AddressInfo;
  process.stderr.write(`Trace available at http://${a.address}:${a.port}/trace/${traces.map((t) => t.traceID).join('...')}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
