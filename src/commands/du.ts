import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { checkedString, checkedStrings, timeoutMs } from '../cli/flag-value.js';
import { checkFilterFlag, parseGoDurationNs, diskUsage, duFormat, formatDiskUsage } from '../index.js';

export default class Du extends BaseCommand {
  static override summary = 'Disk usage';
  static override use = 'du';
  static override strict = false;
  static override flags = {
    filter: checkedStrings('filter', checkFilterFlag, { description: 'Provide filter values' }),
    format: Flags.string({ description: 'Format the output' }),
    verbose: Flags.boolean({ description: 'Shorthand for "--format=pretty"' }),
    timeout: checkedString('timeout', parseGoDurationNs, { description: 'Override the default timeout for loading builder status' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Du);
    this.acceptsNoArgs(argv as string[]);
    const format = duFormat(flags.format, flags.verbose);
    const filters = flags.filter;
    const records = await diskUsage({ builder: flags.builder, filters, timeoutMs: timeoutMs(flags.timeout ?? '20s') });
    process.stdout.write(formatDiskUsage(records, { format, filtered: filters.length > 0 }));
  }
}
