import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { runDialStdio } from '../cli/dial-stdio.js';

export default class DialStdio extends BaseCommand {
  static override summary = 'Proxy current stdio streams to builder instance';
  static override use = 'dial-stdio';
  static override strict = false;
  static override flags = {
    platform: Flags.string({ description: 'Target platform: this is used for node selection', helpValue: 'string', default: process.env.DOCKER_DEFAULT_PLATFORM }),
    progress: Flags.string({ description: 'Set type of progress output ("auto", "plain", "rawjson", "tty"). Use plain to show container output', helpValue: 'string', default: 'none' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(DialStdio);
    this.cobraNoArgs(argv as string[]);
    await runDialStdio({ builder: flags.builder, platform: flags.platform, progress: flags.progress });
  }
}
