// The entry the CLI bundle is built from (scripts/build.mjs): the oclif entry point and the command
// map oclif's explicit discovery reads (package.json `oclif.commands`).
export { main } from './main.js';
export { COMMANDS } from './commands/index.js';
