import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { bootDisplay } from '../../cli/progress-display.js';
import { removeHistory } from '../../index.js';

export default class HistoryRm extends BaseCommand {
  static override summary = 'Remove build records';
  static override use = 'history rm [OPTIONS] [REF...]';
  static override strict = false;
  static override flags = {
    all: Flags.boolean({ description: 'Remove all build records' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(HistoryRm);
    await removeHistory(argv as string[], { builder: flags.builder, all: flags.all, bootProgress: bootDisplay() });
  }
}
