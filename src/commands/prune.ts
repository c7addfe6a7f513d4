import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { checkedString, checkedStrings, timeoutMs } from '../cli/flag-value.js';
import { confirm } from '../cli/prompt.js';
import { checkFilterFlag, parseGoDurationNs, preparePrune, PruneOutput, ramInBytes } from '../index.js';

const bytes = (name: string, description: string) => checkedString(name, ramInBytes, { description });

export default class Prune extends BaseCommand {
  static override summary = 'Remove build cache';
  static override use = 'prune';
  static override strict = false;
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Include internal/frontend images' }),
    filter: checkedStrings('filter', checkFilterFlag, { description: 'Provide filter values' }),
    'reserved-space': bytes('reserved-space', 'Amount of disk space always allowed to keep for cache'),
    'min-free-space': bytes('min-free-space', 'Target amount of free disk space after pruning'),
    'max-used-space': bytes('max-used-space', 'Maximum amount of disk space allowed to keep for cache'),
    verbose: Flags.boolean({ description: 'Provide a more verbose output' }),
    force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }),
    timeout: checkedString('timeout', parseGoDurationNs, { description: 'Override the default timeout for loading builder status' }),
    'keep-storage': bytes('keep-storage', 'Amount of disk space to keep for cache'),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Prune);
    this.acceptsNoArgs(argv as string[]);
    if (flags['keep-storage'] !== undefined) process.stderr.write('Flag --keep-storage has been deprecated, keep-storage flag has been changed to reserved-space\n');
    const size = (v: string | undefined) => (v === undefined ? 0 : ramInBytes(v));
    // With both, the later one on the command line wins in buildx (one variable); oclif keeps both apart.
    const reserved = flags['reserved-space'] ?? flags['keep-storage'];
    const pruning = await preparePrune({
      builder: flags.builder, filters: flags.filter, all: flags.all, timeoutMs: timeoutMs(flags.timeout ?? '20s'),
      reservedSpace: size(reserved), maxUsedSpace: size(flags['max-used-space']), minFreeSpace: size(flags['min-free-space']),
    });
    if (!flags.force) {
      const what = flags.all ? 'all build cache' : 'all dangling build cache';
      if (!(await confirm(`WARNING! This will remove ${what}. Are you sure you want to continue? [y/N] `))) return;
    }
    const out = new PruneOutput(flags.verbose);
    await pruning.run((r) => { process.stdout.write(out.record(r)); });
    process.stdout.write(out.end());
  }
}
