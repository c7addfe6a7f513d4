import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { confirm } from '../cli/prompt.js';
import { timeoutMs } from '../cli/flag-value.js';
import { BuildxError, removeBuilders, removeInactiveBuilders } from '../index.js';

const log = (line: string): void => { process.stderr.write(`${line}\n`); };

export default class Rm extends BaseCommand {
  static override summary = 'Remove one or more builder instances';
  static override use = 'rm [OPTIONS] [NAME] [NAME...]';
  static override strict = false;
  static override flags = {
    'keep-state': Flags.boolean({ description: 'Keep BuildKit state' }),
    'keep-daemon': Flags.boolean({ description: 'Keep the BuildKit daemon running' }),
    'all-inactive': Flags.boolean({ description: 'Remove all inactive builders' }),
    force: Flags.boolean({ char: 'f', description: 'Do not prompt for confirmation' }),
    timeout: Flags.string({ default: '20s', description: 'Override the default global timeout' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Rm);
    const names = argv as string[];
    if (flags['all-inactive']) {
      if (names.length) throw new BuildxError('cannot specify builder name when --all-inactive is set');
      if (!flags.force) {
        if (!(await confirm('WARNING! This will remove all builders that are not in running state. Are you sure you want to continue? [y/N] '))) return;
      }
      await removeInactiveBuilders({ keepState: flags['keep-state'], keepDaemon: flags['keep-daemon'], signal: AbortSignal.timeout(timeoutMs(flags.timeout)), log });
      return;
    }
    await removeBuilders(names, {
      builder: flags.builder ?? process.env.BUILDX_BUILDER, keepState: flags['keep-state'], keepDaemon: flags['keep-daemon'],
      force: flags.force, signal: AbortSignal.timeout(timeoutMs(flags.timeout)), log,
    });
  }
}
