import { BaseCommand } from '../../cli/base-command.js';
import { runGroup } from '../../cli/group-help.js';
import { invocation } from '../../cli/invocation.js';

const SUBCOMMANDS: Array<[string, string]> = [
  ['create', 'Create a new image based on source images'],
  ['inspect', 'Show details of an image in the registry'],
];

export default class Imagetools extends BaseCommand {
  static override summary = 'Commands to work on images in registry';
  static override use = 'imagetools';
  static override strict = false;

  async run(): Promise<void> {
    const { argv } = await this.parse(Imagetools);
    runGroup(invocation().rootPath, 'imagetools', Imagetools.summary, SUBCOMMANDS, argv as string[]);
  }
}
