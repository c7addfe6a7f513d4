import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { timeoutMs } from '../cli/flag-value.js';
import { bootDisplay } from '../cli/progress-display.js';
import { bootBuilder, createBuilder, leaveBuilder, resolveBuilder } from '../index.js';

const many = (description: string) => Flags.string({ multiple: true, multipleNonGreedy: true, default: [], description });

// oclif rejects a value that names one of the command's flags (`--buildkitd-flags --debug`), which pflag
// accepts; such values are marked so oclif keeps them, and unmarked after parsing.
const MARK = '\u0001';

function markDashValues(argv: string[], names: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { out.push(...argv.slice(i)); break; }
    const eq = a.indexOf('=');
    if (names.includes(a) && i + 1 < argv.length && argv[i + 1]!.startsWith('-')) out.push(`${a}=${MARK}${argv[++i]}`);
    else if (eq > 0 && names.includes(a.slice(0, eq)) && a[eq + 1] === '-') out.push(`${a.slice(0, eq + 1)}${MARK}${a.slice(eq + 1)}`);
    else out.push(a);
  }
  return out;
}

function unmark<T extends string | string[] | undefined>(v: T): T {
  if (typeof v === 'string') return (v.startsWith(MARK) ? v.slice(1) : v) as T;
  return (Array.isArray(v) ? v.map((x) => unmark(x)) : v) as T;
}

export default class Create extends BaseCommand {
  static override summary = 'Create a new builder instance';
  static override use = 'create [OPTIONS] [CONTEXT|ENDPOINT]';
  static override strict = false;
  static override flags = {
    name: Flags.string({ description: 'Builder instance name' }),
    driver: Flags.string({ description: 'Driver to use (available: "docker-container", "kubernetes", "remote")' }),
    'driver-opt': many('Options for the driver'),
    'buildkitd-flags': Flags.string({ description: 'BuildKit daemon flags' }),
    'buildkitd-config': Flags.string({ description: 'BuildKit daemon config file', aliases: ['config'] }),
    platform: many('Fixed platforms for current node'),
    node: Flags.string({ description: 'Create/modify node with given name' }),
    append: Flags.boolean({ description: 'Append a node to builder instead of changing it' }),
    leave: Flags.boolean({ description: 'Remove a node from builder instead of changing it' }),
    use: Flags.boolean({ description: 'Set the current builder instance' }),
    bootstrap: Flags.boolean({ description: 'Boot builder after creation' }),
    timeout: Flags.string({ default: '20s', description: 'Set the timeout for loading builder nodes' }),
  };

  async run(): Promise<void> {
    this.argv = markDashValues(this.argv, ['--buildkitd-flags', '--driver-opt', '--name', '--node', '--platform', '--driver']);
    const { flags: raw, argv } = await this.parse(Create);
    const flags = { ...raw, 'buildkitd-flags': unmark(raw['buildkitd-flags']), 'driver-opt': unmark(raw['driver-opt']), name: unmark(raw.name), node: unmark(raw.node), platform: unmark(raw.platform), driver: unmark(raw.driver) };
    const args = argv as string[];
    this.maxArgs(args, 1);
    if (flags.leave) {
      await leaveBuilder({ name: flags.name, nodeName: flags.node });
      return;
    }
    const timeout = timeoutMs(flags.timeout);
    const { name, changes } = await createBuilder({
      name: flags.name, driver: flags.driver, driverOpts: flags['driver-opt'], buildkitdFlags: flags['buildkitd-flags'],
      buildkitdConfig: flags['buildkitd-config'], platforms: flags.platform, nodeName: flags.node, endpoint: args[0],
      append: flags.append, use: flags.use, warn: (m) => process.stderr.write(`WARNING: ${m}\n`),
    });
    for (const line of changes) process.stderr.write(`updated ${line}\n`);
    // The store lock is released before booting, as in buildx.
    if (flags.bootstrap) {
      const b = await resolveBuilder({ name, skipValidation: true });
      // A kubernetes bootstrap waits for its pods as long as the driver's own `timeout=` says.
      const signal = b.driverName === 'kubernetes' ? undefined : AbortSignal.timeout(timeout);
      await bootBuilder(b, { progress: bootDisplay(), signal });
    }
    process.stdout.write(`${name}\n`);
  }
}
