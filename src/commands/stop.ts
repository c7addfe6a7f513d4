import { BaseCommand } from '../cli/base-command.js';
import { stopBuilder } from '../index.js';

export default class Stop extends BaseCommand {
  static override summary = 'Stop builder instance';
  static override use = 'stop [NAME]';
  static override strict = false;

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Stop);
    const args = argv as string[];
    this.maxArgs(args, 1);
    await stopBuilder(args[0] ?? flags.builder);
  }
}
