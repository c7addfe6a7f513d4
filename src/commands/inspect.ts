import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { timeoutMs } from '../cli/flag-value.js';
import { bootDisplay } from '../cli/progress-display.js';
import { formatInspect, inspectBuilder } from '../index.js';

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
    const info = await inspectBuilder(args[0] ?? flags.builder, {
      bootstrap: flags.bootstrap ? bootDisplay() : undefined, timeoutMs: timeoutMs(flags.timeout), debug: flags.debug || undefined,
    });
    process.stdout.write(formatInspect(info));
  }
}
