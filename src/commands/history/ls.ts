import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { bootDisplay } from '../../cli/progress-display.js';
import { formatHistoryLsJSON, formatHistoryLsTable, listHistory } from '../../index.js';
import { BuildxError } from '../../index.js';

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
    this.noArgsAccepted(argv as string[]);
    const records = await listHistory({ builder: flags.builder, filters: flags.filter ?? [], local: flags.local, bootProgress: bootDisplay() });
    if (flags.format === 'json') {
      process.stdout.write(formatHistoryLsJSON(records));
      return;
    }
    if (flags.format !== 'table') throw new BuildxError(`unsupported --format ${JSON.stringify(flags.format)} (Go templates are not wired yet)`);
    process.stdout.write(formatHistoryLsTable(records, { noTrunc: flags['no-trunc'], isTerminal: Boolean(process.stdout.isTTY) }));
  }
}
