#!/usr/bin/env node
// tsbuildx as a library: build examples/hello on the current builder, print each step as it finishes (from
// the build's progress events), then the image and the summary. Run from a checkout after `npm run build`:
//   node examples/library/build.mjs [TAG]
import { fileURLToPath } from 'node:url';
import { build, formatBuildSummary, listBuilders, progressEvents } from 'tsbuildx';

const tag = process.argv[2] ?? 'tsbuildx-example:library';
const builders = await listBuilders();
const current = builders.find((b) => b.current);
console.log(`builder: ${current?.name} (${current?.driver} driver)`);

const events = progressEvents();
const done = new Set();
const steps = (async () => {
  for await (const status of events) {
    for (const v of status.vertexes) {
      if (v.completed === undefined || done.has(v.digest)) continue;
      done.add(v.digest);
      console.log(`${v.error ? 'ERROR ' : v.cached ? 'CACHED' : 'DONE  '} ${v.name}`);
    }
  }
})();

const context = fileURLToPath(new URL('../hello', import.meta.url));
const result = await build({ context, tags: [tag] }, { progress: events.writer });
await steps;
console.log(`image: ${tag} ${result.imageId}`);
console.log(formatBuildSummary(result.summary, { color: false }).trimEnd());
