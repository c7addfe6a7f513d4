#!/usr/bin/env node
// Entry point, standalone (`buildx …`) and as the docker CLI plugin (`docker buildx …`).
// `version` and `docker-cli-plugin-metadata` are answered before oclif loads, to start fast.
const args = process.argv.slice(2);
const { fastAnswer } = await import('../dist/fast.js');
if (!fastAnswer(args)) await (await import('../dist/main.js')).main(args);
