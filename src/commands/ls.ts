import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { checkLsFormat, formatLs, listBuilders } from '../index.js';
import { timeoutMs } from '../cli/flag-value.js';

export default class Ls extends BaseCommand {
  static override summary = 'List builder instances';
  static override use = 'ls';
  static override strict = false;
  static override flags = {
    format: Flags.string({ default: 'table', description: 'Format the output' }),
    'no-trunc': Flags.boolean({ description: "Don't truncate output" }),
    timeout: Flags.string({ default: '20s', description: 'Set maximum time allowed to load builders' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Ls);
    this.noArgs(argv as string[]);
    checkLsFormat(flags.format);
    const builders = await listBuilders({ timeoutMs: timeoutMs(flags.timeout) });
    const { stdout, stderr } = formatLs(builders, flags.format, flags['no-trunc']);
    process.stdout.write(stdout);
    if (stderr) process.stderr.write(stderr);
  }
}
