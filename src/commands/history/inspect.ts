import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { bootDisplay } from '../../cli/progress-display.js';
import { BuildxError, formatInspectJSON, formatInspectText, inspectHistory } from '../../index.js';

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
    this.maxArgs(args, 1);
    const ref = args[0] ?? '';
    if (flags.format !== 'json' && flags.format !== 'pretty') throw new BuildxError(`unsupported --format ${JSON.stringify(flags.format)} (Go templates are not wired yet)`);
    const { record, inspect } = await inspectHistory(ref, { builder: flags.builder, bootProgress: bootDisplay() });
    process.stdout.write(flags.format === 'json' ? formatInspectJSON(inspect) : formatInspectText(inspect, record, ref !== ''));
  }
}
