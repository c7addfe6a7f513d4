// The oclif side of the entry point: invocation mode, signals, and the one place errors are printed.
import { basename } from 'node:path';
import { hoistRootFlags, splitPluginArgv } from './docker-globals.js';
import { setInvocation } from './invocation.js';
import { installSignalHandlers } from './signals.js';
import { BuildxError, StatusError, toBuildxError } from '../util/errors.js';

function cobraFlagError(err: Error & { flags?: string[]; flagMessage?: string }): string | undefined {
  if (typeof err.flagMessage === 'string') return err.flagMessage;
  const name = err.constructor?.name;
  if (name === 'NonExistentFlagsError' && err.flags?.length) {
    const f = err.flags[0]!;
    return f.startsWith('--') ? `unknown flag: ${f.replace(/=.*$/, '')}` : `unknown shorthand flag: '${f.slice(1, 2)}' in ${f}`;
  }
  if (name === 'FlagInvalidOptionError' || name === 'FailedFlagValidationError' || name === 'CLIParseError') {
    return err.message.split('\n')[0];
  }
  if (/^Flag --\S+ expects a value/.test(err.message)) return `flag needs an argument: ${err.message.split(' ')[1]}`;
  return undefined;
}

function printError(err: unknown, plugin: boolean, rootPath: string): number {
  const flagMsg = err instanceof Error ? cobraFlagError(err) : undefined;
  if (flagMsg !== undefined) {
    if (plugin) {
      const e = err as { usageLine?: string; commandPath?: string };
      const usage = e.usageLine ? `\n\nUsage:  ${e.usageLine}` : '';
      process.stderr.write(`${flagMsg}${usage}\n\nRun '${e.commandPath ?? rootPath} --help' for more information\n`);
      return 125;
    }
    process.stderr.write(`ERROR: ${flagMsg}\n`);
    return 1;
  }
  const e = toBuildxError(err);
  if (e instanceof StatusError) {
    process.stderr.write(e.status.endsWith('\n') ? e.status : `${e.status}\n`);
    return e.exitCode;
  }
  const pre = (e as BuildxError & { preamble?: () => string }).preamble?.() ?? '';
  if (pre) process.stderr.write(pre);
  process.stderr.write(`ERROR: ${e.message}\n`);
  if (process.env.DEBUG && e.stack) process.stderr.write(`${e.stack}\n`);
  return e.exitCode;
}

/**
 * Cobra's answer to a word that names no command: the help of the deepest topic that did match, on stdout,
 * then the unknown word itself (never oclif's `topic:sub` id), exit 1.
 */
async function unknownCommand(id: string): Promise<number> {
  const { Config, loadHelpClass } = await import('@oclif/core');
  const config = await Config.load(import.meta.url);
  const words = id.split(':');
  let depth = 0;
  while (depth < words.length - 1 && config.findTopic(words.slice(0, depth + 1).join(':'))) depth++;
  const Help = await loadHelpClass(config);
  await new Help(config).showHelp(depth === 0 ? [] : [words.slice(0, depth).join(':')]);
  process.stderr.write(`ERROR: unknown command: "${words[depth]}"\n`);
  return 1;
}

export async function main(argv: string[]): Promise<void> {
  const plugin = Boolean(process.env.DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND);
  let args = argv;
  if (plugin) {
    const split = splitPluginArgv(argv);
    args = split.args;
    // The docker globals select the daemon the same way their environment variables do.
    if (split.globals.config) process.env.DOCKER_CONFIG = split.globals.config;
    if (split.globals.context) process.env.DOCKER_CONTEXT = split.globals.context;
    if (split.globals.host) process.env.DOCKER_HOST = split.globals.host;
    if (split.globals.debug) process.env.DEBUG = '1';
  }
  args = hoistRootFlags(args);
  const base = basename(process.argv[1] ?? '');
  const rootName = plugin ? 'docker' : base === '' || base === 'run.js' ? 'buildx' : base;
  const rootPath = plugin ? 'docker buildx' : rootName;
  setInvocation({ plugin, rootPath, rootName });
  installSignalHandlers();
  const { run, flush } = await import('@oclif/core');
  try {
    await run(args, import.meta.url);
    await flush();
  } catch (err) {
    if (err instanceof BuildxError === false && (err as { oclif?: { exit?: number } }).oclif?.exit === 0) return;
    const unknownId = err instanceof Error ? /^command (\S+) not found/.exec(err.message)?.[1] : undefined;
    process.exitCode = unknownId === undefined ? printError(err, plugin, rootPath) : await unknownCommand(unknownId);
  }
}
