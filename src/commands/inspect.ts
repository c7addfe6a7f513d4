import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { inspectBuilder } from '../builder/inspect.js';
import { parseGoDuration } from '../util/duration.js';

export default class Inspect extends BaseCommand {
  static override summary = 'Inspect current builder instance';
  static override use = 'inspect [NAME]';
  static override strict = false;
  static override flags = {
    bootstrap: Flags.boolean({ description: 'Ensure builder has booted before inspecting' }),
    timeout: Flags.string({ default: '20s', description: 'Override the default global timeout' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Inspect);
    const args = argv as string[];
    this.maxArgs(args, 1);
    process.stdout.write(await inspectBuilder(args[0] ?? flags.builder, { bootstrap: flags.bootstrap, timeoutMs: parseGoDuration(flags.timeout), debug: flags.debug || undefined }));
  }
}
