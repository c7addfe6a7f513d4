import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { useBuilder } from '../index.js';

export default class Use extends BaseCommand {
  static override summary = 'Set the current builder instance';
  static override use = 'use [OPTIONS] NAME';
  static override strict = false;
  static override flags = {
    default: Flags.boolean({ description: 'Set builder as default for current context' }),
    global: Flags.boolean({ description: 'Builder persists context changes' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Use);
    const args = argv as string[];
    this.maxArgs(args, 1);
    const name = args[0] ?? flags.builder ?? process.env.BUILDX_BUILDER ?? '';
    await useBuilder(name, { default: flags.default, global: flags.global });
  }
}
