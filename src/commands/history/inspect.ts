import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { bootDisplay } from '../../cli/progress-display.js';
import { formatInspectJSON, formatInspectTemplate, formatInspectText, inspectHistory } from '../../index.js';

export default class HistoryInspect extends BaseCommand {
  static override summary = 'Inspect a build record';
  static override use = 'history inspect [OPTIONS] [REF]';
  static override strict = false;
  static override flags = {
    format: Flags.string({ default: 'pretty', description: 'Format the output' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(HistoryInspect);
    const args = argv as string[];
    this.cobraMaxArgs(args, 1);
    const ref = args[0] ?? '';
    const { record, inspect } = await inspectHistory(ref, { builder: flags.builder, bootProgress: bootDisplay() });
    const f = flags.format;
    process.stdout.write(f === 'json' ? formatInspectJSON(inspect) : f === 'pretty' ? formatInspectText(inspect, record, ref !== '') : formatInspectTemplate(inspect, f));
  }
}
