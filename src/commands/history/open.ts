import { BaseCommand } from '../../cli/base-command.js';
import { openURL } from '../../cli/browser.js';
import { bootDisplay } from '../../cli/progress-display.js';
import { historyURL } from '../../index.js';

export default class HistoryOpen extends BaseCommand {
  static override summary = 'Open a build record in Docker Desktop';
  static override use = 'history open [OPTIONS] [REF]';
  static override strict = false;

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(HistoryOpen);
    const args = argv as string[];
    this.cobraMaxArgs(args, 1);
    await openURL(await historyURL(args[0] ?? '', { builder: flags.builder, bootProgress: bootDisplay() }));
  }
}
