import { BaseCommand } from '../../cli/base-command.js';
import { invocation } from '../../cli/invocation.js';
import { BuildxError } from '../../index.js';

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

/** cobra's help of the `history` group, which buildx prints for a bare or unknown subcommand. */
function groupHelp(root: string): string {
  return [
    'Commands to work on build records', '', 'Usage:', `  ${root} history`, `  ${root} history [command]`, '', 'Available Commands:',
    ...SUBCOMMANDS.map(([n, d]) => `  ${n.padEnd(11)} ${d}`), '', 'Flags:', '  -h, --help   help for history', '', 'Global Flags:',
    '      --builder string   Override the configured builder instance', '  -D, --debug            Enable debug logging', '',
    `Use "${root} history [command] --help" for more information about a command.`, '',
    'Experimental commands and flags are hidden. Set BUILDX_EXPERIMENTAL=1 to show them.', '',
  ].join('\n');
}

export default class History extends BaseCommand {
  static override summary = 'Commands to work on build records';
  static override use = 'history';
  static override strict = false;

  async run(): Promise<void> {
    const { argv } = await this.parse(History);
    const args = argv as string[];
    process.stdout.write(groupHelp(invocation().rootPath));
    if (args.length) throw new BuildxError(`unknown command: "${args[0]}"`);
  }
}
