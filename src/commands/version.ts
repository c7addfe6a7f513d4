import { BaseCommand } from '../cli/base-command.js';
import { buildInfo, versionLine } from '../cli/fast.js';

export default class Version extends BaseCommand {
  static override summary = 'Show buildx version information';
  static override use = 'version';
  static override strict = false;

  async run(): Promise<void> {
    const { argv } = await this.parse(Version);
    this.noArgs(argv as string[]);
    process.stdout.write(versionLine(buildInfo()));
  }
}
