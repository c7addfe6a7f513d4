#!/usr/bin/env node
// Entry point, standalone (`buildx …`) and as the docker CLI plugin (`docker buildx …`).
// `version` and `docker-cli-plugin-metadata` are answered before oclif loads, to start fast; everything
// else runs from the one-file bundle scripts/build.mjs writes (dist/cli/bundle.js).
// Node 22+ keeps compiled code between runs (in the OS temp dir): most of a start-up is compiling the bundle.
const { default: nodeModule } = await import('node:module');
nodeModule.enableCompileCache?.();
const args = process.argv.slice(2);
const { fastAnswer } = await import('../dist/cli/fast.js');
if (!fastAnswer(args)) await (await import('../dist/cli/bundle.js')).main(args);
