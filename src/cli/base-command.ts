// What every tsbuildx command shares: the global flags and docker-style argument checks.
import { Command, Flags } from '@oclif/core';
import { BuildxError } from '../util/errors.js';
import { invocation } from './invocation.js';

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    builder: Flags.string({ description: 'Override the configured builder instance', helpValue: 'string' }),
    debug: Flags.boolean({ char: 'D', description: 'Enable debug logging' }),
  };

  /** The cobra-style use line, e.g. `build [OPTIONS] PATH | URL | -`. */
  static use = '';

  protected commandPath(): string {
    return `${invocation().rootPath} ${(this.id ?? '').replaceAll(':', ' ')}`.trim();
  }

  protected usageError(message: string): BuildxError {
    const use = (this.constructor as typeof BaseCommand).use;
    return new BuildxError(`${message}\n\nUsage:  ${invocation().rootPath} ${use}\n\nRun '${this.commandPath()} --help' for more information`);
  }

  protected exactArgs(args: string[], n: number): void {
    if (args.length !== n) {
      throw this.usageError(`${invocation().rootName}: '${this.commandPath()}' requires ${n} argument${n === 1 ? '' : 's'}`);
    }
  }

  protected noArgs(args: string[]): void {
    if (args.length) throw this.usageError(`${invocation().rootName}: '${this.commandPath()}' requires 0 arguments`);
  }

  /** docker/cli's cli.NoArgs (`du`, `prune`), worded unlike cli.ExactArgs(0). */
  protected acceptsNoArgs(args: string[]): void {
    if (args.length) throw this.usageError(`${invocation().rootName}: '${this.commandPath()}' accepts no arguments`);
  }

  /** cobra.NoArgs (`dial-stdio`, `history import`): an argument reads as an unknown subcommand. */
  protected cobraNoArgs(args: string[]): void {
    if (args.length) throw new BuildxError(`unknown command "${args[0]}" for "${this.commandPath()}"`);
  }

  /** cobra.MaximumNArgs (the `history` commands), without docker's usage block. */
  protected cobraMaxArgs(args: string[], n: number): void {
    if (args.length > n) throw new BuildxError(`accepts at most ${n} arg(s), received ${args.length}`);
  }

  protected maxArgs(args: string[], n: number): void {
    if (args.length > n) throw this.usageError(`${invocation().rootName}: '${this.commandPath()}' requires at most ${n} argument${n === 1 ? '' : 's'}`);
  }

  // Errors are printed once, by main(), with buildx's exit codes; flag errors learn their command here.
  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    const name = err.constructor?.name ?? '';
    if (/^(NonExistentFlagsError|FlagInvalidOptionError|FailedFlagValidationError|CLIParseError|FlagValueError)$/.test(name) || /^Flag --\S+ expects a value/.test(err.message)) {
      Object.assign(err, { usageLine: `${invocation().rootPath} ${(this.constructor as typeof BaseCommand).use}`, commandPath: this.commandPath() });
    }
    throw err;
  }
}
