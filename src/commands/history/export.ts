import { createWriteStream } from 'node:fs';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { bootDisplay } from '../../cli/progress-display.js';
import { BuildxError, exportHistory } from '../../index.js';

export default class HistoryExport extends BaseCommand {
  static override summary = 'Export build records into Docker Desktop bundle';
  static override use = 'history export [OPTIONS] [REF...]';
  static override strict = false;
  static override flags = {
    all: Flags.boolean({ description: 'Export all build records for the builder' }),
    finalize: Flags.boolean({ description: 'Ensure build records are finalized before exporting' }),
    output: Flags.string({ char: 'o', description: 'Output file path' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(HistoryExport);
    const refs = argv as string[];
    if (flags.all && refs.length) throw new BuildxError('cannot specify refs when using --all');
    if (!flags.output && process.stdout.isTTY) throw new BuildxError('refusing to write to console, use --output to specify a file');
    const out = flags.output ? createWriteStream(flags.output) : process.stdout;
    if (flags.output) {
      await new Promise<void>((resolve, reject) => {
        out.once('open', () => resolve());
        out.once('error', (err) => reject(new BuildxError(`failed to create output file "${flags.output}": ${err.message}`)));
      });
    }
    await exportHistory(refs, out, { builder: flags.builder, all: flags.all, finalize: flags.finalize, bootProgress: bootDisplay() });
  }
}
