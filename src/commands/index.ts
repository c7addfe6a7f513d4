// Every command, by id: oclif's "explicit" command discovery reads this map from the CLI bundle, so a
// run loads one file instead of resolving each command module from disk.
import Build from './build.js';
import Create from './create.js';
import DialStdio from './dial-stdio.js';
import Du from './du.js';
import History from './history/index.js';
import HistoryExport from './history/export.js';
import HistoryImport from './history/import.js';
import HistoryInspect from './history/inspect.js';
import HistoryInspectAttachment from './history/inspect/attachment.js';
import HistoryLogs from './history/logs.js';
import HistoryLs from './history/ls.js';
import HistoryOpen from './history/open.js';
import HistoryRm from './history/rm.js';
import HistoryTrace from './history/trace.js';
import Imagetools from './imagetools/index.js';
import ImagetoolsCreate from './imagetools/create.js';
import ImagetoolsInspect from './imagetools/inspect.js';
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
  history: History,
  'history:export': HistoryExport,
  'history:import': HistoryImport,
  'history:inspect': HistoryInspect,
  'history:inspect:attachment': HistoryInspectAttachment,
  'history:logs': HistoryLogs,
  'history:ls': HistoryLs,
  'history:open': HistoryOpen,
  'history:rm': HistoryRm,
  'history:trace': HistoryTrace,
  imagetools: Imagetools,
  'imagetools:create': ImagetoolsCreate,
  'imagetools:inspect': ImagetoolsInspect,
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
