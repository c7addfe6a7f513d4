import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { bootDisplay } from '../../cli/progress-display.js';
import { formatHistoryLs, listHistory } from '../../index.js';

export default class HistoryLs extends BaseCommand {
  static override summary = 'List build records';
  static override use = 'history ls [OPTIONS]';
  static override strict = false;
  static override flags = {
    filter: Flags.string({ multiple: true, description: 'Provide filter values (e.g., "status=error")' }),
    format: Flags.string({ default: 'table', description: 'Format the output' }),
    local: Flags.boolean({ description: 'List records for current repository only' }),
    'no-trunc': Flags.boolean({ description: "Don't truncate output" }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(HistoryLs);
    this.acceptsNoArgs(argv as string[]);
    const records = await listHistory({ builder: flags.builder, filters: flags.filter ?? [], local: flags.local, bootProgress: bootDisplay() });
    process.stdout.write(formatHistoryLs(records, flags.format, { noTrunc: flags['no-trunc'], isTerminal: Boolean(process.stdout.isTTY) }));
  }
}
