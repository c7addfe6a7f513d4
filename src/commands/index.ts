// Every command, by id: oclif's "explicit" command discovery reads this map from the CLI bundle, so a
// run loads one file instead of resolving each command module from disk.
import Build from './build.js';
import Create from './create.js';
import DialStdio from './dial-stdio.js';
import Du from './du.js';
import Inspect from './inspect.js';
import Ls from './ls.js';
import Prune from './prune.js';
import Rm from './rm.js';
import Stop from './stop.js';
import Timeline from './timeline.js';
import Use from './use.js';
import Version from './version.js';

export const COMMANDS = {
  build: Build,
  create: Create,
  'dial-stdio': DialStdio,
  du: Du,
  inspect: Inspect,
  ls: Ls,
  prune: Prune,
  rm: Rm,
  stop: Stop,
  timeline: Timeline,
  use: Use,
  version: Version,
};

// The CLI bundle (scripts/build.mjs) is built from this module: the command map and the entry point.
export { main } from '../cli/main.js';
