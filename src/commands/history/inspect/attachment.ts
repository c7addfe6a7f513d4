import { Flags } from '@oclif/core';
import { BaseCommand } from '../../../cli/base-command.js';
import { bootDisplay } from '../../../cli/progress-display.js';
import { historyAttachment } from '../../../index.js';

export default class HistoryInspectAttachment extends BaseCommand {
  static override summary = 'Inspect a build record attachment';
  static override use = 'history inspect attachment [OPTIONS] [REF [DIGEST]]';
  static override strict = false;
  static override flags = {
    platform: Flags.string({ description: 'Platform of attachment' }),
    type: Flags.string({ description: 'Type of attachment' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(HistoryInspectAttachment);
    const args = argv as string[];
    this.cobraMaxArgs(args, 2);
    const blob = historyAttachment(args[0] ?? '', { digest: args[1], type: flags.type, platform: flags.platform },
      { builder: flags.builder, bootProgress: bootDisplay() });
    for await (const chunk of blob) {
      if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
    }
  }
}
