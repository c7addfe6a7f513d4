// cobra's help for a command group (`history`, `imagetools`), which buildx prints for a bare or unknown
// subcommand, followed by `unknown command` for the latter.
import { BuildxError } from '../util/errors.js';

export function groupHelp(root: string, group: string, summary: string, subcommands: ReadonlyArray<[string, string]>): string {
  return [
    summary, '', 'Usage:', `  ${root} ${group}`, `  ${root} ${group} [command]`, '', 'Available Commands:',
    ...subcommands.map(([n, d]) => `  ${n.padEnd(11)} ${d}`), '', 'Flags:', `  -h, --help   help for ${group}`, '', 'Global Flags:',
    '      --builder string   Override the configured builder instance', '  -D, --debug            Enable debug logging', '',
    `Use "${root} ${group} [command] --help" for more information about a command.`, '',
    'Experimental commands and flags are hidden. Set BUILDX_EXPERIMENTAL=1 to show them.', '',
  ].join('\n');
}

/** Prints the group's help; an argument is an unknown subcommand. */
export function runGroup(root: string, group: string, summary: string, subcommands: ReadonlyArray<[string, string]>, args: string[]): void {
  process.stdout.write(groupHelp(root, group, summary, subcommands));
  if (args.length) throw new BuildxError(`unknown command: "${args[0]}"`);
}
