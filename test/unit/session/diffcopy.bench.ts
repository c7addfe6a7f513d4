// Manual benchmark (not part of the test glob): throughput and memory of the DiffCopy core, in process.
//   scripts/devtest.sh .tmp/filesync && node .tmp/filesync/test/unit/session/diffcopy.bench.js SRC_DIR [send|roundtrip]
// `send` measures the sender alone against a receiver that requests everything and discards the data
// (what a context upload costs the client); `roundtrip` also writes the tree to a temp dir.

import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { receiveDirectory } from '../../../src/session/diffcopy-receive.js';
import { sendDirectory } from '../../../src/session/diffcopy-send.js';
import { PacketType } from '../../../src/session/packet.js';
import { channelPair, tempDir, type ChannelEnd } from './helpers.js';

async function discardingReceiver(end: ChannelEnd): Promise<number> {
  let id = 0;
  let open = 0;
  let ended = false;
  let bytes = 0;
  for await (const p of end.receive()) {
    if (p.type === PacketType.STAT && p.stat) {
      if ((p.stat.mode & 0x8f280000) === 0) {
        open++;
        void end.send({ type: PacketType.REQ, id });
      }
      id++;
    } else if (p.type === PacketType.STAT) ended = true;
    else if (p.type === PacketType.DATA) {
      if (p.data?.length) bytes += p.data.length;
      else open--;
    } else if (p.type === PacketType.FIN) break;
    if (ended && open === 0) {
      ended = false;
      void end.send({ type: PacketType.FIN, id: 0 });
    }
  }
  return bytes;
}

const [src, mode = 'roundtrip'] = process.argv.slice(2);
if (!src) throw new Error('usage: diffcopy.bench.js SRC_DIR [send|roundtrip]');
let peakRss = 0;
let peakHeap = 0;
let peakBuffers = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
}, 20);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const [s, r] = channelPair({ capacity: 64 });
let bytes: number;
let dest: string | undefined;
if (mode === 'send') {
  const [stats] = await Promise.all([sendDirectory(src, {}, s), discardingReceiver(r)]);
  bytes = stats.bytesSent;
} else {
  // BENCH_DEST_PARENT=/dev/shm keeps a busy disk out of the measurement
  dest = process.env.BENCH_DEST_PARENT ? await mkdtemp(join(process.env.BENCH_DEST_PARENT, 'bench-dst-')) : await tempDir('bench-dst');
  const [stats] = await Promise.all([sendDirectory(src, {}, s), receiveDirectory(dest, r)]);
  bytes = stats.bytesSent;
}
const secs = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
console.log(
  JSON.stringify({
    mode,
    MiB: +(bytes / 1048576).toFixed(1),
    seconds: +secs.toFixed(2),
    MiBps: +(bytes / 1048576 / secs).toFixed(1),
    cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
    peakRssMiB: +(peakRss / 1048576).toFixed(1),
    maxRssMiB: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
    peakHeapMiB: +(peakHeap / 1048576).toFixed(1),
    peakBuffersMiB: +(peakBuffers / 1048576).toFixed(1),
  }),
);
if (dest) await rm(dest, { recursive: true, force: true });
s.close();
r.close();
