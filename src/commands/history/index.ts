import { BaseCommand } from '../../cli/base-command.js';
import { runGroup } from '../../cli/group-help.js';
import { invocation } from '../../cli/invocation.js';

const SUBCOMMANDS: Array<[string, string]> = [
  ['export', 'Export build records into Docker Desktop bundle'],
  ['import', 'Import build records into Docker Desktop'],
  ['inspect', 'Inspect a build record'],
  ['logs', 'Print the logs of a build record'],
  ['ls', 'List build records'],
  ['open', 'Open a build record in Docker Desktop'],
  ['rm', 'Remove build records'],
  ['trace', 'Show the OpenTelemetry trace of a build record'],
];

export default class History extends BaseCommand {
  static override summary = 'Commands to work on build records';
  static override use = 'history';
  static override strict = false;

  async run(): Promise<void> {
    const { argv } = await this.parse(History);
    runGroup(invocation().rootPath, 'history', History.summary, SUBCOMMANDS, argv as string[]);
  }
}
