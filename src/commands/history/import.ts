import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { importToDesktop } from '../../cli/desktop-import.js';

export default class HistoryImport extends BaseCommand {
  static override summary = 'Import build records into Docker Desktop';
  static override use = 'history import [OPTIONS] -';
  static override strict = false;
  static override flags = {
    file: Flags.string({ char: 'f', multiple: true, description: 'Import from a file path' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(HistoryImport);
    this.cobraNoArgs(argv as string[]);
    await importToDesktop(flags.file ?? []);
  }
}
