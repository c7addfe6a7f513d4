import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { bootDisplay, createDisplay, progressMode } from '../../cli/progress-display.js';
import { historyLogs } from '../../index.js';

export default class HistoryLogs extends BaseCommand {
  static override summary = 'Print the logs of a build record';
  static override use = 'history logs [OPTIONS] [REF]';
  static override strict = false;
  static override flags = {
    progress: Flags.string({ default: 'plain', description: 'Set type of progress output (plain, rawjson, tty)' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(HistoryLogs);
    const args = argv as string[];
    this.cobraMaxArgs(args, 1);
    const env = process.env;
    // A replay has nothing to animate unless asked: auto means plain here.
    const mode = flags.progress === 'auto' ? 'plain' : progressMode({ flag: flags.progress, env: {}, out: process.stderr });
    await historyLogs(args[0] ?? '', createDisplay(mode, { env, out: process.stderr }), { builder: flags.builder, bootProgress: bootDisplay() });
  }
}
